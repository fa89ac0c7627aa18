// @ts-check
/**
 * Pixels to the model's input tensor. Mirrors convert/preprocess.py exactly:
 * decode (EXIF orientation applied, no colour conversion) -> crop a pixel box
 * -> resize to metadata.input.size with metadata.input.resize -> / scale.
 *
 * Large crops (a face in a 10000x10000 photo, or a whole large image) never
 * become a full-size tensor: nearest-neighbour resizing reads only one source
 * pixel per output pixel, so those rows and columns are gathered with exact
 * 1:1 canvas copies first (nearestIndices is TF's own index rule), giving the
 * very same input.
 */
import * as tf from '../../vendor/tf.js';
import { nearestIndices } from './nearest.js';

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

/** Crops with more pixels than this are gathered (nearest) instead of read whole. */
export const GATHER_ABOVE = 2048 * 2048;

/**
 * Model input from a box of an image, without ever holding more than the
 * box (or, for large boxes, only the pixels a nearest resize reads).
 * @param {ImageBitmap} source
 * @param {InputSpec} spec
 * @param {{x: number, y: number, w: number, h: number}} box integer source pixels, inside the image
 * @returns {Promise<tf.Tensor3D>}
 */
export async function cropToInput(source, spec, box) {
  const whole = box.x === 0 && box.y === 0 && box.w === source.width && box.h === source.height;
  if (box.w * box.h > GATHER_ABOVE && spec.resize.method === 'nearest') {
    const [outH, outW] = spec.size;
    const rows = nearestIndices(box.h, outH, spec.resize.half_pixel_centers);
    const cols = nearestIndices(box.w, outW, spec.resize.half_pixel_centers);
    const strip = new OffscreenCanvas(box.w, outH);
    const sctx = /** @type {OffscreenCanvasRenderingContext2D} */ (strip.getContext('2d'));
    sctx.imageSmoothingEnabled = false;
    rows.forEach((r, i) => sctx.drawImage(source, box.x, box.y + r, box.w, 1, 0, i, box.w, 1));
    const grid = new OffscreenCanvas(outW, outH);
    const gctx = /** @type {OffscreenCanvasRenderingContext2D} */ (grid.getContext('2d'));
    gctx.imageSmoothingEnabled = false;
    cols.forEach((c, j) => gctx.drawImage(strip, c, 0, 1, outH, j, 0, 1, outH));
    const gathered = grid.transferToImageBitmap();
    try {
      return toInput(gathered, spec); // nearest resize of SxS to SxS: the identity
    } finally {
      gathered.close();
    }
  }
  if (whole) return toInput(source, spec);
  const piece = await createImageBitmap(source, box.x, box.y, box.w, box.h, {
    colorSpaceConversion: 'none', premultiplyAlpha: 'none',
  });
  try {
    return toInput(piece, spec);
  } finally {
    piece.close();
  }
}

/** @type {OffscreenCanvasRenderingContext2D|null} */
let reader = null;

/**
 * A picture's pixels, read through a 2D canvas kept in memory
 * (willReadFrequently): TF.js's own reader in a worker is an OffscreenCanvas
 * the browser may keep on the GPU, which costs a GPU round trip for every
 * read (with software GL, as here, tens of ms). The same drawImage and
 * getImageData as TF.js's, so the very same values.
 * @param {ImageBitmap|HTMLCanvasElement|HTMLVideoElement} source
 * @returns {ImageData}
 */
function readPixels(source) {
  const width = 'videoWidth' in source ? source.videoWidth : source.width;
  const height = 'videoHeight' in source ? source.videoHeight : source.height;
  reader ??= /** @type {OffscreenCanvasRenderingContext2D} */ (
    new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true }));
  const canvas = reader.canvas;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  } else {
    reader.clearRect(0, 0, width, height);
  }
  reader.drawImage(source, 0, 0, width, height);
  return reader.getImageData(0, 0, width, height);
}

/**
 * Model input [S, S, 3] from an image, optionally cropped to a box in source pixels.
 * @param {ImageBitmap|HTMLCanvasElement|HTMLVideoElement|ImageData} source
 * @param {InputSpec} spec
 * @param {{x: number, y: number, w: number, h: number}|null} [box]
 * @returns {tf.Tensor3D}
 */
export function toInput(source, spec, box = null) {
  // WebGL uploads a picture straight to a texture; the others read its pixels
  const pixels = source instanceof ImageData || tf.getBackend() === 'webgl' ? source : readPixels(source);
  return tf.tidy(() => {
    let rgb = tf.browser.fromPixels(pixels, 3);
    if (box) rgb = tf.slice(rgb, [box.y, box.x, 0], [box.h, box.w, 3]);
    return resizeToInput(rgb, spec);
  });
}
