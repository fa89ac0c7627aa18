// @ts-check
// Model harness, served by convert/parity.py and bench/ beside the site (/js,
// /vendor). Loads a converted model with the site's own loader on the backend
// named in the URL; scores inputs sent as raw float32 bytes, or times them.
import * as tf from '/vendor/tf.js';
import { backendThreads, initBackend } from '/js/engine/backend.js';
import { gradCam } from '/js/engine/explain.js';
import { loadMesoNet } from '/js/engine/model.js';

// Calls before timing: V8 first runs WASM from its baseline compiler and swaps
// in optimised code once functions are hot, and WASM's thread pool settles.
// Meso-4 at batch 1 with 2 threads, first 30 timed calls of a page: 3.4 to
// 5.5 ms after one warm-up call, 2.7 to 3.1 ms after 1 s of calls.
const WARM_UP_MS = 1000;

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function setUp() {
  const requested = new URLSearchParams(location.search).get('backend');
  const { backend } = await initBackend(requested);
  return {
    backend,
    threads: backendThreads(),
    float32Textures: backend === 'webgl' ? tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') : null,
    /**
     * P(real) for each input, and the tensors left behind by prediction.
     * @param {string} modelUrl
     * @param {string} inputsUrl
     * @param {number[]} shape [N, H, W, C]
     */
    async score(modelUrl, inputsUrl, shape) {
      const model = await loadMesoNet(modelUrl);
      const bytes = await (await fetch(inputsUrl)).arrayBuffer();
      const batch = tf.tensor4d(new Float32Array(bytes), /** @type {any} */ (shape));
      const before = tf.memory().numTensors;
      const scores = await model.predict(batch);
      const leaked = tf.memory().numTensors - before;
      batch.dispose();
      model.dispose();
      return { scores: Array.from(scores), leaked };
    },
    /**
     * Raw Grad-CAM maps for each input, the scores computed beside them, and
     * the tensors left behind.
     * @param {string} modelUrl
     * @param {string} inputsUrl
     * @param {number[]} shape [N, H, W, C]
     * @param {'fake'|'real'} target
     */
    async gradCam(modelUrl, inputsUrl, shape, target) {
      const model = await loadMesoNet(modelUrl);
      const bytes = await (await fetch(inputsUrl)).arrayBuffer();
      const batch = tf.tensor4d(new Float32Array(bytes), /** @type {any} */ (shape));
      const before = tf.memory().numTensors;
      const scoresBefore = Array.from(await model.predict(batch));
      const maps = gradCam(model, batch, target);
      const values = Array.from(await maps.data());
      const mapShape = maps.shape;
      maps.dispose();
      const scoresAfter = Array.from(await model.predict(batch));
      const leaked = tf.memory().numTensors - before;
      batch.dispose();
      model.dispose();
      return { values, shape: mapShape, scoresBefore, scoresAfter, leaked };
    },
    /**
     * Median milliseconds to compute one Grad-CAM map (read back), after one warm-up.
     * @param {string} modelUrl
     * @param {number} runs
     */
    async timeGradCam(modelUrl, runs) {
      const model = await loadMesoNet(modelUrl);
      const [h, w] = model.metadata.input.size;
      const face = /** @type {tf.Tensor4D} */ (tf.randomUniform([1, h, w, 3]));
      const times = [];
      for (let i = 0; i <= runs; i += 1) {
        const started = performance.now();
        const map = gradCam(model, face);
        await map.data();
        map.dispose();
        if (i > 0) times.push(performance.now() - started);
      }
      face.dispose();
      model.dispose();
      return { medianMs: median(times) };
    },
    /**
     * Median milliseconds per call of predict (scores read back) on random
     * inputs of the given batch size, after WARM_UP_MS of calls.
     * @param {string} modelUrl
     * @param {number} batchSize
     * @param {number} runs
     */
    async time(modelUrl, batchSize, runs) {
      const model = await loadMesoNet(modelUrl);
      const [h, w] = model.metadata.input.size;
      const batch = /** @type {tf.Tensor4D} */ (tf.randomUniform([batchSize, h, w, 3]));
      const warm = performance.now() + WARM_UP_MS;
      do await model.predict(batch); while (performance.now() < warm);
      const times = [];
      for (let i = 0; i < runs; i += 1) {
        const started = performance.now();
        await model.predict(batch);
        times.push(performance.now() - started);
      }
      batch.dispose();
      model.dispose();
      return { medianMs: median(times), minMs: Math.min(...times) };
    },
  };
}

// @ts-ignore: read by Playwright
window.harnessReady = setUp().then((api) => { /** @type {any} */ (window).harness = api; return api.backend; });
