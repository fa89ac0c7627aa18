// @ts-check
/** Nearest-neighbour resize indices (pure, no TF.js): see preprocess.js. */

/**
 * The source index each output index reads in a nearest-neighbour resize,
 * as tf.image.resize(method="nearest") (half-pixel centres) and TF.js
 * resizeNearestNeighbor(x, size, false, true) compute it.
 * @param {number} inSize
 * @param {number} outSize
 * @param {boolean} halfPixelCenters
 * @returns {number[]}
 */
export function nearestIndices(inSize, outSize, halfPixelCenters) {
  const ratio = inSize / outSize;
  const indices = [];
  for (let i = 0; i < outSize; i += 1) {
    const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    indices.push(Math.max(0, Math.min(inSize - 1, Math.floor(frac))));
  }
  return indices;
}
