// The third-party code the page uses, bundled by build/vendor.mjs into
// site/vendor/tf.js: TensorFlow.js with its WebGL, CPU and WASM backends.
export * from '@tensorflow/tfjs';
export { setWasmPaths, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
