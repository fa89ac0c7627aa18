// @ts-check
/**
 * One video through the pipeline: frames at the sample times, each analysed
 * by the engine (faces found by the same detector and crop rule as in a
 * photo, then the model) while the next is being decoded, read by WebCodecs
 * in the engine or by a <video> on the page (video-reader.js chooses). The
 * video's verdict is made from the frames by video-summary.js.
 */

/** Frames that fail in a row before the rest of the video is given up. */
export const MAX_FAILED_IN_A_ROW = 3;

/**
 * @typedef {import('../domain/engine-api.js').FrameResult} FrameResult
 * @typedef {import('../domain/engine-api.js').VideoAnalysis} VideoAnalysis
 */

/**
 * @param {import('../sources/video-reader.js').Video} video
 * @param {number[]} times sample times, ascending
 * @param {{ faces?: boolean, signal?: AbortSignal, onFrame?: (frame: FrameResult, done: number) => void }} [options]
 * @returns {Promise<VideoAnalysis>}
 */
export async function analyseVideo(video, times, { faces = true, signal, onFrame } = {}) {
  /** @type {FrameResult[]} */
  const frames = [];
  /** @type {import('../domain/video-choice.js').Switch|null} */
  let switched = null;
  const reader = { reader: video.reader, readerWhy: video.why };
  let failedInARow = 0;
  const read = video.frames(times, { faces, signal, onSwitch: (change) => { switched = change; } });
  for await (const { crops, ...got } of read) {
    /** @type {FrameResult} */
    const frame = { ...got, thumbs: crops };
    failedInARow = frame.analysis ? 0 : failedInARow + 1;
    frames.push(frame);
    onFrame?.(frame, frames.length);
    if (failedInARow >= MAX_FAILED_IN_A_ROW) {
      const from = frames[frames.length - failedInARow].time;
      return { frames, ending: 'failed', ...reader, switched,
        failure: `The video could not be decoded from ${from.toFixed(1)} s on (${frame.error})` };
    }
  }
  return { frames, ending: frames.length < times.length ? 'cancelled' : 'done', failure: null, ...reader, switched };
}
