// The third-party code the page uses, bundled by build/vendor.mjs into
// site/vendor/tf.js: TensorFlow.js with its WebGL, CPU and WASM backends, and
// the face detector. face-api's "nobundle" build imports @tensorflow/tfjs and
// its backends by path (dist/index.js, the same files the bare names resolve
// to), so esbuild links it to this one copy of TF.js: one engine, one backend
// choice, one tensor count.
export * from '@tensorflow/tfjs';
export { setWasmPaths, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
export * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
