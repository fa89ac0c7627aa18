// The third-party code the page uses, bundled by build/vendor.mjs into
// site/vendor/tf.js: TensorFlow.js with its WebGL, CPU and WASM backends (the
// face detector is a TF.js graph model run on this same engine: one engine,
// one backend choice, one tensor count).
export * from '@tensorflow/tfjs';
export { setWasmPaths, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
