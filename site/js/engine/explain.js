// @ts-check
/**
 * Grad-CAM in the page, the same method as convert/explain.py (the reference
 * the tests compare against). For "fake" the explained score is -z, where z is
 * the logit of P(real) (the last Dense layer before its sigmoid):
 *   alpha_k = mean_ij d score / d A_ijk,  cam = ReLU(sum_k alpha_k A_k)
 * on the last convolution's output grid (32x32 for MesoNet). No DOM here.
 */
import * as tf from '../../vendor/tf.js';

/** @typedef {'fake'|'real'} Target */

/**
 * Max pooling whose gradient goes to the first maximum of each window, as in
 * TensorFlow. Needed because TF.js 4.22's WASM MaxPoolGrad kernel returns
 * wrong gradients for MesoNet's 4x4 pool (CPU and WebGL are right): this
 * formulation uses only ops whose gradients agree on every backend.
 * Non-overlapping windows that tile the input exactly (MesoNet's case).
 * @param {tf.Tensor4D} x
 * @param {number} size
 */
function maxPoolTiled(x, size) {
  const [n, h, w, c] = x.shape;
  const pool = tf.customGrad((/** @type {any} */ input, /** @type {any} */ save) => {
    // windows [n, h/size, w/size, c, size*size], in row-major order inside each window
    const windows = tf.reshape(tf.transpose(tf.reshape(input, [n, h / size, size, w / size, size, c]),
      [0, 1, 3, 5, 2, 4]), [n, h / size, w / size, c, size * size]);
    const first = tf.oneHot(tf.argMax(windows, -1), size * size);
    save([first]);
    return {
      value: tf.max(windows, -1),
      gradFunc: (/** @type {tf.Tensor} */ dy, /** @type {tf.Tensor[]} */ [mask]) => {
        const spread = tf.mul(mask, tf.expandDims(dy, -1));
        return tf.reshape(tf.transpose(tf.reshape(spread, [n, h / size, w / size, c, size, size]),
          [0, 1, 4, 2, 5, 3]), [n, h, w, c]);
      },
    };
  });
  return /** @type {tf.Tensor4D} */ (pool(x));
}

/**
 * Apply one head layer to a concrete tensor, replacing max pooling by
 * maxPoolTiled where its windows tile the input, and convolving unfused.
 * @param {any} layer
 * @param {tf.Tensor} x
 * @returns {tf.Tensor}
 */
function applyLayer(layer, x) {
  if (layer.getClassName() === 'MaxPooling2D') {
    const [ph, pw] = layer.poolSize;
    const [sh, sw] = layer.strides;
    const [, h, w] = x.shape;
    if (ph === pw && sh === ph && sw === pw && h % ph === 0 && w % pw === 0) {
      return maxPoolTiled(/** @type {tf.Tensor4D} */ (x), ph);
    }
  }
  if (layer.getClassName() === 'Conv2D' && layer.dataFormat === 'channelsLast') {
    // Unfused: a fused convolution's gradient also computes its kernel's, with
    // a kernel (Conv2DBackpropFilter) the WASM backend lacks. The head holds
    // 1x1 convolutions: the exporter's batch norms (convert/inference_graph.py).
    const y = tf.conv2d(/** @type {tf.Tensor4D} */ (x), layer.kernel.read(), layer.strides, layer.padding,
      'NHWC', layer.dilationRate);
    return layer.activation.apply(layer.bias ? tf.add(y, layer.bias.read()) : y);
  }
  return /** @type {tf.Tensor} */ (layer.apply(x));
}

/**
 * The layer Grad-CAM reads: the one metadata.json names (the trained model's
 * last convolution; the exporter adds 1x1 convolutions after it, see
 * convert/inference_graph.py), else the last Conv2D (models exported before
 * the name was recorded, which have none).
 * @param {tf.LayersModel} model
 * @param {string} [name]
 */
function explainedIndex(model, name) {
  const layers = model.layers;
  if (name) {
    const index = layers.findIndex((layer) => layer.name === name);
    if (index < 0) throw new Error(`metadata.json names ${name} for Grad-CAM, but model.json has no such layer.`);
    return index;
  }
  let index = -1;
  layers.forEach((layer, i) => { if (layer.getClassName() === 'Conv2D') index = i; });
  if (index < 0) throw new Error('This model has no convolution to explain.');
  return index;
}

/**
 * @param {tf.LayersModel} model
 * @param {string} [name] the layer to explain
 * @returns {{ features: tf.LayersModel, head: any[], kernel: tf.Tensor, bias: tf.Tensor }}
 */
function split(model, name) {
  const layers = model.layers;
  const index = explainedIndex(model, name);
  const features = tf.model({ inputs: model.inputs, outputs: /** @type {any} */ (layers[index].output) });
  const [kernel, bias] = layers[layers.length - 1].getWeights();
  return { features, head: layers.slice(index + 1, -1), kernel, bias };
}

/** @type {WeakMap<tf.LayersModel, ReturnType<typeof split>>} */
const splits = new WeakMap();

/**
 * Raw (not normalised) Grad-CAM maps [N, h, w] for model inputs [N, S, S, 3].
 * The caller owns (and disposes) the returned tensor.
 * @param {import('./model.js').MesoNet} mesoNet
 * @param {tf.Tensor4D} inputs
 * @param {Target} [target]
 * @returns {tf.Tensor3D}
 */
export function gradCam(mesoNet, inputs, target = 'fake') {
  const model = mesoNet.layers;
  if (!splits.has(model)) splits.set(model, split(model, mesoNet.metadata.gradcam_layer));
  const { features, head, kernel, bias } = /** @type {ReturnType<typeof split>} */ (splits.get(model));
  const sign = target === 'fake' ? -1 : 1;
  return tf.tidy(() => {
    const activations = /** @type {tf.Tensor4D} */ (features.predict(inputs));
    const score = (/** @type {tf.Tensor4D} */ a) => {
      let x = /** @type {tf.Tensor} */ (a);
      for (const layer of head) x = applyLayer(layer, x);
      return tf.sum(tf.mul(tf.add(tf.matMul(/** @type {tf.Tensor2D} */ (x), /** @type {tf.Tensor2D} */ (kernel)), bias), sign));
    };
    // Summing over the batch keeps each input's gradient separate (no cross terms).
    const grads = tf.grad(score)(activations);
    const alpha = tf.mean(grads, [1, 2], true);
    return /** @type {tf.Tensor3D} */ (tf.relu(tf.sum(tf.mul(alpha, activations), -1)));
  });
}

/**
 * Each map divided by its maximum; an all-zero map stays zero.
 * @param {tf.Tensor3D} maps
 * @returns {tf.Tensor3D}
 */
export function normalise(maps) {
  return tf.tidy(() => {
    const peak = tf.max(maps, [1, 2], true);
    return /** @type {tf.Tensor3D} */ (tf.where(tf.greater(peak, 0), tf.div(maps, tf.maximum(peak, 1e-30)), tf.zerosLike(maps)));
  });
}
