// @ts-check
/**
 * One video through the pipeline, no page DOM: frames at the sample times
 * (video-frames.js) -> faces with the fast detector -> the image crop rule
 * and the model (analyse.js), frame by frame. The video's verdict is made
 * from the frames by video-summary.js.
 */
import { analyseBitmap } from './analyse.js';
import { videoFrames } from './video-frames.js';

/**
 * When the tiny detector finds nothing in a frame, SSD looks again (it finds
 * faces the tiny one misses in 1080p frames and tight crops, at 5-15 times
 * the cost). After this many frames in a row where SSD found nothing either,
 * it stops looking for the rest of the video, so a video without faces is
 * not 15 times slower to analyse.
 */
export const FALLBACK_GIVE_UP = 3;
/** Side of the face thumbnails kept for the timeline (pixels). */
export const THUMB_SIDE = 128;
/** Frames that fail in a row before the rest of the video is given up. */
export const MAX_FAILED_IN_A_ROW = 3;

/**
 * @typedef {object} FrameResult
 * @property {number} index
 * @property {number} time seconds
 * @property {import('./analyse.js').Analysis|null} analysis null when the frame could not be read
 * @property {ImageBitmap[]} thumbs one per scored face (THUMB_SIDE square), the caller's to close
 * @property {number} ms time spent on this frame, from its arrival to its scores
 * @property {number} waitMs time spent waiting for this frame to be decoded
 * @property {string|null} error
 *
 * @typedef {{ frames: FrameResult[], ending: 'done'|'cancelled'|'failed', failure: string|null }} VideoAnalysis
 */

/**
 * @param {string} url object URL of the video file
 * @param {number[]} times sample times, ascending
 * @param {import('./model.js').MesoNet} model
 * @param {import('./faces.js').FaceDetector|null} detector null: score each whole frame
 * @param {{ signal?: AbortSignal, onFrame?: (frame: FrameResult, done: number) => void }} [options]
 * @returns {Promise<VideoAnalysis>}
 */
export async function analyseVideo(url, times, model, detector, { signal, onFrame } = {}) {
  /** @type {FrameResult[]} */
  const frames = [];
  let fallbackMisses = 0;
  let failedInARow = 0;
  const findFaces = detector && (async (/** @type {ImageBitmap} */ bitmap) => {
    const found = await detector.detectFast(bitmap, { fallback: false });
    if (found.length > 0 || fallbackMisses >= FALLBACK_GIVE_UP) return found;
    const again = await detector.detect(bitmap);
    fallbackMisses = again.length > 0 ? 0 : fallbackMisses + 1;
    return again;
  });
  let waitFrom = performance.now();
  for await (const grabbed of videoFrames(url, times, signal)) {
    const started = performance.now();
    /** @type {FrameResult} */
    const frame = { index: grabbed.index, time: grabbed.time, analysis: null, thumbs: [], ms: 0,
      waitMs: started - waitFrom, error: null };
    if (grabbed.bitmap) {
      try {
        frame.analysis = await analyseBitmap(grabbed.bitmap, model, findFaces);
        frame.thumbs = await Promise.all(frame.analysis.faces.map((face) => createImageBitmap(
          /** @type {ImageBitmap} */ (grabbed.bitmap), face.box.x, face.box.y, face.box.w, face.box.h,
          { resizeWidth: THUMB_SIDE, resizeHeight: THUMB_SIDE, resizeQuality: 'medium' })));
      } finally {
        grabbed.bitmap.close();
      }
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
