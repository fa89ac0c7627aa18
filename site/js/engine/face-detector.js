// @ts-check
/**
 * The face detector: BlazeFace (blazeface.js decodes its output) as a TF.js
 * graph model on the page's TF.js engine and backend, weights served from
 * vendor/face-models/ (same origin). No DOM: it draws with OffscreenCanvas,
 * so it runs on the page's thread and in the video worker alike.
 *
 *   const detector = await loadFaceDetector();
 *   const faces = await detector.detect(bitmap);   // Detection[], source pixels
 *
 * Every tensor made here is disposed here.
 */
import * as tf from '../../vendor/tf.js';
import {
  MODELS, ROW_LENGTH, anchors, anyInputSize, atSize, cutByTile, decode, inputValues, letterbox, suppress,
  tilesFor, toSource,
} from './blazeface.js';
import { MIN_CONFIDENCE, nearlySquare, planCrops } from '../domain/faces.js';

/**
 * @typedef {{ x: number, y: number, width: number, height: number, score: number,
 *   keypoints: [number, number][] }} Detection a face in source pixels: its box (square,
 *   eyebrows to chin), the detector's score in [0, 1] and six keypoints (eyes, nose tip,
 *   mouth, ears)
 * @typedef {{ detect: (source: ImageBitmap) => Promise<Detection[]>, inputSize: number,
 *   readonly lastPasses: number[] }} FaceDetector lastPasses: the input size of each pass the
 *   last detect() ran, in order (for tests and benchmarks)
 */

/** Candidates below this score are dropped before suppression (planCrops decides later). */
export const MIN_SCORE = 0.3;
/** Overlap above which two boxes are the same face (MediaPipe's value for BlazeFace). */
export const NMS_THRESHOLD = 0.3;
/** At most this many faces are returned, strongest first. */
export const MAX_DETECTIONS = 20;
/**
 * Small faces in large pictures (see blazeface.tilesFor): a picture whose
 * longer side is above 1280 px is also looked at in overlapping square tiles
 * (a 1080p frame: two tiles of 1080x1080, at 1.8 times the whole picture's
 * scale), each detected on separately; faces cut by a tile's inner edge are
 * left to its neighbour and to the whole-picture pass. Measured by
 * bench/face_detector.py on 1080p DFDC frames with fixture faces pasted in
 * (face box side; found at score >= 0.5): whole picture only, 0 of 30 faces of
 * 54 px, 4 of 30 of 70 px, 5 of 30 pictures with three 70 px faces; with the
 * tiles 21, 30 and 30 of 30, for about 3.5 times the time. Skipping the tiles
 * when the whole picture had a large face (skip: 1/16) saved that time but
 * found 3, 12 and 16 of 30: those frames already show a person. So the tiles
 * always run (skip: Infinity); `skip` stays for bench/face_detector.py.
 * @type {import('./blazeface.js').Tiling & { skip: number }}
 */
export const TILING = Object.freeze({ above: 1280, side: 0.5625, overlap: 0.125, skip: Infinity });
export const SKIP_TILES_SCORE = 0.5;
/**
 * Faces that fill the picture (face crops) are found more often with room
 * around them: when a nearly square picture (as face crops are) gives no
 * detection scoring RETRY.below, it is looked at again shrunk into the
 * middle of the input, padded by RETRY.padding of its side on every edge.
 */
export const RETRY = Object.freeze({ below: 0.5, padding: 0.25, maxAspect: 1.25 });
/**
 * A photo of a face (a face crop, a portrait selfie) is answered by one pass
 * at a quarter of the pixels: a nearly square picture is first looked at
 * whole at QUICK.inputSize px (the same model, see blazeface.anyInputSize),
 * and when that finds a face sure enough (faces.MIN_CONFIDENCE) that fills
 * the picture (planCrops says "tight": the whole picture is scored, whatever
 * else is found), those boxes are the answer. Anything else (no face, a weak
 * one, a face that does not fill the picture) goes through the full-size
 * pass, the tiles and the retry as before. Measured by bench/face_detector.py
 * (see docs/performance.md).
 */
export const QUICK = Object.freeze({ inputSize: 128 });

/**
 * The model's output rows, [1, anchors, 17], from its output tensors: either
 * that already, or (the full-range BlazeFace) scores [1, n, 1] and boxes [1, n, 16] for
 * each anchor layer, the layer with more anchors first.
 * @param {tf.Tensor|tf.Tensor[]} out
 * @returns {tf.Tensor}
 */
function rowsOf(out) {
  const list = Array.isArray(out) ? out : [out];
  if (list.length === 1) return tf.reshape(list[0], [-1, ROW_LENGTH]);
  const layers = [...new Set(list.map((t) => t.shape[1]))].sort((a, b) => /** @type {number} */ (b) - /** @type {number} */ (a));
  return tf.concat(layers.map((n) => {
    const scores = list.find((t) => t.shape[1] === n && t.shape[2] === 1);
    const boxes = list.find((t) => t.shape[1] === n && t.shape[2] === ROW_LENGTH - 1);
    if (!scores || !boxes) throw new Error('BlazeFace: unexpected outputs');
    return tf.reshape(tf.concat([scores, boxes], 2), [-1, ROW_LENGTH]);
  }));
}

/**
 * Load the detector.
 * @param {{ model?: typeof MODELS.back, base?: string, tiling?: typeof TILING,
 *   retry?: typeof RETRY|null, quick?: typeof QUICK|null }} [options] which model, the
 *   folder URL of its files (default: vendor/face-models/ beside this site), the tiling,
 *   the retry and the quick pass (defaults TILING, RETRY and QUICK; bench/face_detector.py
 *   tries others)
 * @returns {Promise<FaceDetector>}
 */
export async function loadFaceDetector({
  model: spec = MODELS.back, base, tiling = TILING, retry = RETRY, quick = QUICK,
} = {}) {
  const folder = base ?? new URL('../../vendor/face-models/', import.meta.url).href;
  const files = tf.io.http(folder + spec.file);
  const model = await tf.loadGraphModel({ load: async () => anyInputSize(await /** @type {any} */ (files).load()) });
  const { inputSize } = spec;
  /** @type {Map<number, Float32Array>} anchor centres by input size */
  const centres = new Map([inputSize, quick?.inputSize ?? inputSize].map((size) => [size, anchors(atSize(spec, size))]));
  const canvas = new OffscreenCanvas(inputSize, inputSize);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));
  ctx.imageSmoothingQuality = 'medium';
  /** @type {number[]} the input size of each pass of the current detect() */
  let passes = [];

  /**
   * One view: the region letterboxed into the input, run, decoded, in source pixels.
   * @param {ImageBitmap} source
   * @param {import('./blazeface.js').Region} region
   * @param {number} [size] input pixels (the model's own size, or the quick pass's)
   */
  async function run(source, region, size = inputSize) {
    passes.push(size);
    const view = letterbox(region, size);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(source, region.x, region.y, region.width, region.height,
      view.offsetX, view.offsetY, view.drawWidth, view.drawHeight);
    const pixels = ctx.getImageData(0, 0, size, size);
    const rows = tf.tidy(() => {
      const input = tf.tensor4d(inputValues(pixels.data), [1, size, size, 3]);
      return rowsOf(/** @type {tf.Tensor|tf.Tensor[]} */ (model.execute(input)));
    });
    try {
      const values = /** @type {Float32Array} */ (await rows.data());
      return decode(values, /** @type {Float32Array} */ (centres.get(size)), MIN_SCORE).map((c) => toSource(c, view));
    } finally {
      rows.dispose();
    }
  }

  /**
   * Boxes found, as the detector gives them: one per face, in the picture, strongest first.
   * @param {import('./blazeface.js').Candidate[]} found
   * @param {number} width
   * @param {number} height
   */
  function answer(found, width, height) {
    return suppress(found, { threshold: NMS_THRESHOLD }).filter((d) => inside(d, width, height))
      .slice(0, MAX_DETECTIONS);
  }

  /** @param {ImageBitmap} source */
  async function detect(source) {
    passes = [];
    const { width, height } = source;
    const whole = { x: 0, y: 0, width, height };
    if (quick && nearlySquare(width, height)) {
      const first = answer(await run(source, whole, quick.inputSize), width, height);
      if (first.length && first[0].score >= MIN_CONFIDENCE && planCrops(first, width, height).mode === 'tight') {
        return first;
      }
    }
    let found = await run(source, whole);
    const large = tiling.skip * Math.max(width, height);
    if (!found.some((d) => d.score >= SKIP_TILES_SCORE && Math.max(d.width, d.height) >= large)) {
      for (const tile of tilesFor(width, height, tiling)) {
        const more = await run(source, tile);
        found = found.concat(more.filter((d) => !cutByTile(d, tile, width, height)));
      }
    }
    if (retry && nearlySquare(width, height, retry.maxAspect)
      && !found.some((d) => d.score >= retry.below)) {
      const pad = retry.padding * Math.max(width, height);
      found = found.concat(await run(source, { x: -pad, y: -pad, width: width + 2 * pad, height: height + 2 * pad }));
    }
    return answer(found, width, height);
  }

  // Warm-up, so the first real picture is not slowed by set-up.
  const blank = await createImageBitmap(new ImageData(8, 8));
  for (const size of centres.keys()) await run(blank, { x: 0, y: 0, width: 8, height: 8 }, size);
  blank.close();
  return {
    detect: /** @type {(s: ImageBitmap) => Promise<Detection[]>} */ (detect),
    inputSize,
    get lastPasses() { return [...passes]; },
  };
}

/**
 * Whether a box has its centre in the picture. Boxes are not clipped: a face
 * cut by the picture's edge keeps its whole (square) box, which the crop
 * rule (faces.js) measures.
 * @param {Detection} d
 * @param {number} width
 * @param {number} height
 */
function inside(d, width, height) {
  const cx = d.x + d.width / 2;
  const cy = d.y + d.height / 2;
  return cx >= 0 && cy >= 0 && cx <= width && cy <= height;
}
