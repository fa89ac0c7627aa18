// @ts-check
// Parity harness: served by convert/parity.py beside the site (/js, /vendor).
// Loads a converted model with the site's loader on the backend named in the
// URL, scores inputs sent as raw float32 bytes, and hands the scores back.
import * as tf from '/vendor/tf.js';
import { initBackend } from '/js/backend.js';
import { loadMesoNet } from '/js/model.js';

async function setUp() {
  const requested = new URLSearchParams(location.search).get('backend');
  const backend = await initBackend(requested);
  return {
    backend,
    float32Textures: backend === 'webgl' ? tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') : null,
    /**
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
  };
}

// @ts-ignore: read by Playwright
window.parityReady = setUp().then((api) => { /** @type {any} */ (window).parity = api; return api.backend; });
