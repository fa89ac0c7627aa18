// @ts-check
/**
 * One video through the pipeline, no page DOM: frames at the sample times
 * (video-frames.js, on the page's thread: it needs a <video>) -> a frame
 * analyser (faces found in every frame by the same detector and crop rule as
 * in a photo, then the model: analyse.js), in the video worker when there is
 * one. The video's verdict is made from the frames by video-summary.js.
 */
import { analyseBitmap } from './analyse.js';
import { videoFrames } from './video-frames.js';

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
 * @param {import('./face-detector.js').FaceDetector|null} detector null: score each whole frame
 * @returns {FrameAnalyser}
 */
export function createFrameAnalyser(model, detector) {
  const findFaces = detector && ((/** @type {ImageBitmap} */ bitmap) => detector.detect(bitmap));
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
