// @ts-check
/**
 * Pixels to the model's input tensor. Mirrors convert/preprocess.py exactly:
 * decode (EXIF orientation applied, no colour conversion) -> crop a pixel box
 * -> resize to metadata.input.size with metadata.input.resize -> / scale.
 */
import * as tf from '../vendor/tf.js';

/**
 * Decode an image file the way the Python reference does.
 * @param {Blob} blob
 * @returns {Promise<ImageBitmap>}
 */
export async function decodeImage(blob) {
  return createImageBitmap(blob, {
    imageOrientation: 'from-image',
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
}

/**
 * @typedef {{ size: number[], scale: number,
 *   resize: { method: string, half_pixel_centers: boolean } }} InputSpec
 */

/**
 * Resize an RGB tensor [H, W, 3] (any numeric dtype) into a model input [S, S, 3].
 * @param {tf.Tensor3D} rgb
 * @param {InputSpec} spec
 * @returns {tf.Tensor3D}
 */
export function resizeToInput(rgb, spec) {
  return tf.tidy(() => {
    const size = /** @type {[number, number]} */ (spec.size);
    const pixels = tf.cast(rgb, 'float32');
    const { method, half_pixel_centers: halfPixel } = spec.resize;
    let resized;
    if (method === 'nearest') resized = tf.image.resizeNearestNeighbor(pixels, size, false, halfPixel);
    else if (method === 'bilinear') resized = tf.image.resizeBilinear(pixels, size, false, halfPixel);
    else throw new Error(`Unsupported resize method "${method}" in metadata.json`);
    return tf.div(resized, spec.scale);
  });
}

/**
 * Model input [S, S, 3] from an image, optionally cropped to a box in source pixels.
 * @param {ImageBitmap|HTMLCanvasElement|HTMLVideoElement|ImageData} source
 * @param {InputSpec} spec
 * @param {{x: number, y: number, w: number, h: number}|null} [box]
 * @returns {tf.Tensor3D}
 */
export function toInput(source, spec, box = null) {
  return tf.tidy(() => {
    let rgb = tf.browser.fromPixels(source, 3);
    if (box) rgb = tf.slice(rgb, [box.y, box.x, 0], [box.h, box.w, 3]);
    return resizeToInput(rgb, spec);
  });
}
