// @ts-check
/**
 * Pixels to the model's input tensor. Mirrors convert/preprocess.py exactly:
 * decode (EXIF orientation applied, no colour conversion) -> crop a pixel box
 * -> resize to metadata.input.size with metadata.input.resize -> / scale.
 *
 * Nearest-neighbour resizing (MesoNet's) reads one source pixel per input
 * pixel: on WASM and CPU those are picked from the crop's pixels in
 * JavaScript (nearest.js, TF's own index rule), the very same numbers as
 * TF.js's fromPixels -> resize -> divide; WebGL resizes on its texture.
 * Large crops (a face in a 10000x10000 photo, or a whole large image) are
 * never read whole: the rows and columns the resize reads are gathered with
 * exact 1:1 canvas copies first.
 */
import * as tf from '../../vendor/tf.js';
import { nearestIndices, nearestInput } from './nearest.js';

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
      // nearest resize of SxS to SxS: the identity
      return await toInput(gathered, spec, { x: 0, y: 0, w: outW, h: outH });
    } finally {
      gathered.close();
    }
  }
  return toInput(source, spec, box);
}

/** @type {OffscreenCanvasRenderingContext2D|null} */
let reader = null;

/**
 * A box of a picture's pixels, read through a 2D canvas kept in memory
 * (willReadFrequently): TF.js's own reader in a worker is an OffscreenCanvas
 * the browser may keep on the GPU, which costs a GPU round trip for every
 * read (with software GL, as here, tens of ms). The box is drawn 1:1, so
 * the very same values as TF.js's drawImage and getImageData of the whole.
 * @param {ImageBitmap} source
 * @param {{x: number, y: number, w: number, h: number}} box
 * @returns {ImageData}
 */
function readPixels(source, { x, y, w, h }) {
  reader ??= /** @type {OffscreenCanvasRenderingContext2D} */ (
    new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true }));
  const canvas = reader.canvas;
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  } else {
    reader.clearRect(0, 0, w, h);
  }
  reader.drawImage(source, x, y, w, h, 0, 0, w, h);
  return reader.getImageData(0, 0, w, h);
}

/**
 * Model input [S, S, 3] from a box of a picture (source pixels, inside it).
 * With a nearest resize on the WASM and CPU backends, the box's pixels are
 * read and only those the resize reads become the input (nearest.js); WebGL
 * uploads the box straight to a texture and resizes there.
 * @param {ImageBitmap} source
 * @param {InputSpec} spec
 * @param {{x: number, y: number, w: number, h: number}} box
 * @returns {Promise<tf.Tensor3D>}
 */
async function toInput(source, spec, box) {
  const { size, scale, resize } = spec;
  if (tf.getBackend() !== 'webgl' && resize.method === 'nearest') {
    const values = nearestInput(readPixels(source, box), size, resize.half_pixel_centers, scale);
    return tf.tensor3d(values, [size[0], size[1], 3]);
  }
  const whole = box.x === 0 && box.y === 0 && box.w === source.width && box.h === source.height;
  const piece = whole ? source : await createImageBitmap(source, box.x, box.y, box.w, box.h, {
    colorSpaceConversion: 'none', premultiplyAlpha: 'none',
  });
  try {
    // WebGL uploads the picture to a texture; the CPU and WASM backends read it in a 2D canvas
    const pixels = tf.getBackend() === 'webgl' ? piece : readPixels(piece, { x: 0, y: 0, w: box.w, h: box.h });
    return tf.tidy(() => resizeToInput(tf.browser.fromPixels(pixels, 3), spec));
  } finally {
    if (piece !== source) piece.close();
  }
}
