// @ts-check
/**
 * Nearest-neighbour resizing, pure (no TF.js, no DOM): the indices TF's
 * resize reads, and a model input made from RGBA pixels with them
 * (preprocess.js; tests/js/nearest.test.js).
 */

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

/**
 * A model input [outHeight, outWidth, 3] (row-major, float32) from RGBA
 * pixels: each output pixel the nearest source pixel's R, G, B (alpha
 * dropped), divided by `scale`. The same numbers as TF.js's fromPixels ->
 * cast -> resizeNearestNeighbor -> div (nearest copies values; a float32
 * division of two float32 numbers rounds the same through a double), read
 * from only the pixels the resize reads.
 * @param {{ data: ArrayLike<number>, width: number, height: number }} rgba ImageData or alike
 * @param {number[]} size [outHeight, outWidth]
 * @param {boolean} halfPixelCenters
 * @param {number} scale
 * @returns {Float32Array}
 */
export function nearestInput({ data, width, height }, [outHeight, outWidth], halfPixelCenters, scale) {
  const rows = nearestIndices(height, outHeight, halfPixelCenters);
  const cols = nearestIndices(width, outWidth, halfPixelCenters).map((c) => 4 * c);
  const byValue = Float32Array.from({ length: 256 }, (_, v) => v / scale);
  const out = new Float32Array(outHeight * outWidth * 3);
  let k = 0;
  for (const r of rows) {
    const row = 4 * width * r;
    for (const c of cols) {
      out[k] = byValue[data[row + c]];
      out[k + 1] = byValue[data[row + c + 1]];
      out[k + 2] = byValue[data[row + c + 2]];
      k += 3;
    }
  }
  return out;
}
