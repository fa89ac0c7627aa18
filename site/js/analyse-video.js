// @ts-check
/**
 * One video through the pipeline, no page DOM: frames at the sample times
 * (video-frames.js, on the page's thread: it needs a <video>) -> a frame
 * analyser (faces with the fast detector, the image crop rule and the model,
 * analyse.js), in the video worker when there is one. The video's verdict is
 * made from the frames by video-summary.js.
 */
import { analyseBitmap } from './analyse.js';
import {
  MIN_CONFIDENCE, TINY_TO_SSD, fastInputSize, iou, tinyToSsdBox, tinyToSsdCalibration,
} from './faces.js';
import { videoFrames } from './video-frames.js';

/**
 * Faces are found with the tiny detector (35-65 ms a frame) and cropped by
 * the image rule on SSD boxes (260-800 ms), because MesoNet's score depends
 * on the crop: on a fixture face, crops from raw-mapped tiny boxes gave
 * P(real) 0.45 where the still image's SSD crop gave 0.12. So SSD also runs
 * on "anchor" frames: the first, any where the number of faces changes or a
 * face's size changes by more than ANCHOR_SIZE_CHANGE since the last anchor,
 * and at least every ANCHOR_EVERY frames. Each video measures the tiny-to-SSD
 * box relation on its anchors (the last CALIBRATION_PAIRS pairs) and maps the
 * tiny boxes of the other frames with it.
 */
export const ANCHOR_EVERY = 16;
export const ANCHOR_SIZE_CHANGE = 0.2;
export const CALIBRATION_PAIRS = 8;
/** A tiny and an SSD box are the same face when they overlap this much (after mapping). */
const PAIR_MIN_IOU = 0.3;
/**
 * When the tiny detector finds nothing in a frame, SSD looks again (it finds
 * faces the tiny one misses in 1080p frames and tight crops). After this many
 * frames in a row where SSD found nothing either, it stops looking for the
 * rest of the video, so a video without faces is not 15 times slower.
 */
export const FALLBACK_GIVE_UP = 3;
/** Side of the face thumbnails kept for the timeline (pixels). */
export const THUMB_SIDE = 128;
/**
 * Thumbnails kept per frame: its most suspicious faces. Bounds memory for
 * crowds (256 frames x 4 x 64 KB = 67 MB at worst; one face a frame is 64 KB).
 */
export const THUMBS_PER_FRAME = 4;
/** Frames that fail in a row before the rest of the video is given up. */
export const MAX_FAILED_IN_A_ROW = 3;

/**
 * @typedef {object} FrameResult
 * @property {number} index
 * @property {number} time seconds
 * @property {import('./analyse.js').Analysis|null} analysis null when the frame could not be read
 * @property {(ImageBitmap|null)[]} thumbs per scored face, a THUMB_SIDE square (null beyond
 *   the THUMBS_PER_FRAME most suspicious); the caller's to close
 * @property {number} ms time spent on this frame, from its arrival to its scores
 * @property {number} waitMs time spent waiting for this frame to be decoded
 * @property {string|null} error
 *
 * @typedef {{ frames: FrameResult[], ending: 'done'|'cancelled'|'failed', failure: string|null }} VideoAnalysis
 *
 * @typedef {{ analysis: import('./analyse.js').Analysis, thumbs: (ImageBitmap|null)[] }} AnalysedFrame
 * @typedef {(bitmap: ImageBitmap) => Promise<AnalysedFrame>} FrameAnalyser
 *   analyses one frame of a video, in order; takes ownership of the bitmap
 */

/**
 * The analysis of one video's frames, in order, where the model is (this
 * thread, or the video worker).
 * @param {import('./model.js').MesoNet} model
 * @param {import('./faces.js').FaceDetector|null} detector null: score each whole frame
 * @returns {FrameAnalyser}
 */
export function createFrameAnalyser(model, detector) {
  const findFaces = detector && videoFaceFinder(detector);
  return async (bitmap) => {
    try {
      const analysis = await analyseBitmap(bitmap, model, findFaces);
      const { faces } = analysis;
      const kept = new Set([...faces.keys()].sort((a, b) => faces[a].pReal - faces[b].pReal).slice(0, THUMBS_PER_FRAME));
      const thumbs = await Promise.all(faces.map((face, i) => (kept.has(i) ? createImageBitmap(
        bitmap, face.box.x, face.box.y, face.box.w, face.box.h,
        { resizeWidth: THUMB_SIDE, resizeHeight: THUMB_SIDE, resizeQuality: 'medium' }) : null)));
      return { analysis, thumbs };
    } finally {
      bitmap.close();
    }
  };
}

/**
 * @param {string} url object URL of the video file
 * @param {number[]} times sample times, ascending
 * @param {FrameAnalyser} analyseFrame
 * @param {{ signal?: AbortSignal, onFrame?: (frame: FrameResult, done: number) => void }} [options]
 * @returns {Promise<VideoAnalysis>}
 */
export async function analyseVideo(url, times, analyseFrame, { signal, onFrame } = {}) {
  /** @type {FrameResult[]} */
  const frames = [];
  let failedInARow = 0;
  let waitFrom = performance.now();
  for await (const grabbed of videoFrames(url, times, signal)) {
    const started = performance.now();
    /** @type {FrameResult} */
    const frame = { index: grabbed.index, time: grabbed.time, analysis: null, thumbs: [], ms: 0,
      waitMs: started - waitFrom, error: null };
    if (grabbed.bitmap) {
      Object.assign(frame, await analyseFrame(grabbed.bitmap));
      failedInARow = 0;
    } else {
      frame.error = grabbed.error?.message ?? 'This frame could not be read.';
      failedInARow += 1;
    }
    frame.ms = performance.now() - started;
    frames.push(frame);
    onFrame?.(frame, frames.length);
    waitFrom = performance.now();
    if (failedInARow >= MAX_FAILED_IN_A_ROW) {
      const from = frames[frames.length - failedInARow].time;
      return { frames, ending: 'failed',
        failure: `The video could not be decoded from ${from.toFixed(1)} s on (${frame.error})` };
    }
  }
  return { frames, ending: frames.length < times.length ? 'cancelled' : 'done', failure: null };
}

/**
 * The face finder for one video's frames, in order (see ANCHOR_EVERY).
 * @param {import('./faces.js').FaceDetector} detector
 * @returns {(bitmap: ImageBitmap) => Promise<import('./faces.js').Detection[]>}
 */
function videoFaceFinder(detector) {
  let frame = -1;
  let lastAnchor = -Infinity;
  let anchorCount = -1;
  let anchorSide = 0;
  let fallbackMisses = 0;
  /** @type {{ tiny: import('./faces.js').Rect, ssd: import('./faces.js').Rect }[]} */
  const pairs = [];
  let calibration = TINY_TO_SSD;
  return async (bitmap) => {
    frame += 1;
    const tiny = await detector.detectTiny(bitmap, fastInputSize(bitmap.width, bitmap.height));
    const side = Math.max(0, ...tiny.map((d) => Math.max(d.width, d.height)));
    const anchor = frame - lastAnchor >= ANCHOR_EVERY || tiny.length !== anchorCount
      || Math.abs(side - anchorSide) > ANCHOR_SIZE_CHANGE * anchorSide;
    if (tiny.length > 0 && !anchor) return tiny.map((d) => tinyToSsdBox(d, calibration));
    lastAnchor = frame;
    anchorCount = tiny.length;
    anchorSide = side;
    if (tiny.length === 0 && fallbackMisses >= FALLBACK_GIVE_UP) return [];
    const ssd = await detector.detect(bitmap);
    const sure = ssd.filter((d) => d.score >= MIN_CONFIDENCE);
    fallbackMisses = tiny.length === 0 && sure.length === 0 ? fallbackMisses + 1 : 0;
    for (const s of sure) {
      const sBox = { x: s.x, y: s.y, w: s.width, h: s.height };
      let best = null;
      let bestOverlap = PAIR_MIN_IOU;
      for (const t of tiny) {
        const m = tinyToSsdBox(t, calibration);
        const overlap = iou(sBox, { x: m.x, y: m.y, w: m.width, h: m.height });
        if (overlap >= bestOverlap) { best = t; bestOverlap = overlap; }
      }
      if (best) pairs.push({ tiny: best, ssd: s });
    }
    pairs.splice(0, Math.max(0, pairs.length - CALIBRATION_PAIRS));
    if (pairs.length) calibration = tinyToSsdCalibration(pairs);
    return ssd;
  };
}
