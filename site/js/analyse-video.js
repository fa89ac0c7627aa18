// @ts-check
/**
 * One video through the pipeline: frames at the sample times (video-frames.js,
 * on the page's thread: it needs a <video>), each analysed by the engine
 * (faces found by the same detector and crop rule as in a photo, then the
 * model) while the next is being decoded. The video's verdict is made from
 * the frames by video-summary.js.
 */
import { videoFrames } from './video-frames.js';

/** Frames that fail in a row before the rest of the video is given up. */
export const MAX_FAILED_IN_A_ROW = 3;

/**
 * @typedef {object} FrameResult
 * @property {number} index
 * @property {number} time seconds
 * @property {import('./analyse.js').Analysis|null} analysis null when the frame could not be read
 * @property {(ImageBitmap|null)[]} thumbs per scored face, its crop (engine/core.js THUMB_SIDE;
 *   null beyond the THUMBS_PER_FRAME most suspicious); the caller's to close
 * @property {number} ms time spent on this frame, from its arrival to its scores
 * @property {number} waitMs time spent waiting for this frame to be decoded
 * @property {string|null} error
 *
 * @typedef {{ frames: FrameResult[], ending: 'done'|'cancelled'|'failed', failure: string|null }} VideoAnalysis
 *
 * @typedef {(bitmap: ImageBitmap) => Promise<{ analysis: import('./analyse.js').Analysis,
 *   crops: (ImageBitmap|null)[] }>} FrameAnalyser analyses one frame (takes the bitmap)
 */

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
      const { analysis, crops } = await analyseFrame(grabbed.bitmap);
      Object.assign(frame, { analysis, thumbs: crops });
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
