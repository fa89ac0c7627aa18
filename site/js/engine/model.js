// @ts-check
/**
 * A converted MesoNet: loading, warm-up, batched prediction, disposal.
 * No DOM here. Scores are P(real): near 0 means manipulated.
 */
import * as tf from '../../vendor/tf.js';
import { PREDICT_BATCH } from '../domain/config.js';
import { readModel, urlSource } from './model-files.js';

/**
 * @typedef {object} MesoNet
 * @property {any} metadata the model's metadata.json
 * @property {(batch: tf.Tensor4D) => Promise<Float32Array>} predict P(real) per input
 * @property {() => void} dispose
 * @property {tf.LayersModel} layers the underlying TF.js model (for explanations)
 */

/**
 * Load a converted model after checking every file against metadata.json.
 * @param {string|import('./model-files.js').FileSource} from a folder URL
 *   (ending with /) holding model.json, shards and metadata.json, or a FileSource
 * @returns {Promise<MesoNet>}
 */
export async function loadMesoNet(from) {
  const { metadata, artifacts } = await readModel(typeof from === 'string' ? urlSource(from) : from);
  const model = await tf.loadLayersModel({ load: async () => artifacts });
  const [height, width] = metadata.input.size;
  const shape = model.inputs[0].shape;
  if (shape[1] !== height || shape[2] !== width || shape[3] !== metadata.input.channels) {
    model.dispose();
    throw new Error(`model.json expects input ${shape.slice(1)}, metadata.json says ${metadata.input.size}`);
  }

  /**
   * apply, not LayersModel.predict: predict copies its input into batches of
   * 32 even when it is one (a Slice op, 0.2-0.5 ms a face on WASM); here only
   * a batch larger than PREDICT_BATCH is split.
   * @param {tf.Tensor4D} batch
   */
  async function predict(batch) {
    const size = batch.shape[0];
    const scores = tf.tidy(() => {
      const parts = [];
      for (let start = 0; start < size; start += PREDICT_BATCH) {
        const part = size <= PREDICT_BATCH ? batch : tf.slice(batch, start, Math.min(PREDICT_BATCH, size - start));
        parts.push(tf.reshape(/** @type {tf.Tensor} */ (model.apply(part, { training: false })), [-1]));
      }
      return parts.length === 1 ? parts[0] : tf.concat(parts);
    });
    try {
      return /** @type {Float32Array} */ (await scores.data());
    } finally {
      scores.dispose();
    }
  }

  // Warm-up: the first call compiles shaders / allocates; keep it out of timings.
  const zeros = tf.zeros([1, height, width, metadata.input.channels]);
  await predict(/** @type {tf.Tensor4D} */ (zeros));
  zeros.dispose();

  return { metadata, predict, dispose: () => model.dispose(), layers: model };
}
