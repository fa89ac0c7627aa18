// @ts-check
/**
 * A video file as the page analyses it: one front for the two frame readers
 * (video-choice.js says which and why).
 *   - WebCodecs: the engine opens the file (video-decode.js, in its worker),
 *     decodes each sample time's frame and analyses it there: only the
 *     scores and face crops come back to the page.
 *   - <video>: when WebCodecs cannot read the file, and for the rest of it
 *     when WebCodecs fails part-way; frames are sought on the page
 *     (video-frames.js) and moved to the engine to be analysed.
 * The file's URL (video-url.js: the service worker's, else blob:) serves the
 * <video> reader and the card's player.
 *
 *   const video = await openVideo(file, engine);  // throws VideoError: unreadable
 *   for await (const frame of video.frames(times, { signal })) ...
 *   video.close();
 */
import { ReaderFailure, VIDEO_ELEMENT, WEBCODECS, withFallback } from '../domain/video-choice.js';
import { VideoError, grabVideoFrame, probeVideo, videoFrames } from './video-frames.js';
import { fileUrl } from './video-url.js';

export { VideoError };

/**
 * @typedef {import('../domain/video-choice.js').ReaderName} ReaderName
 * @typedef {import('../domain/video-choice.js').Switch} Switch
 * @typedef {import('../domain/engine-api.js').Engine} Engine
 * @typedef {import('../domain/engine-api.js').VideoFrameRef} VideoFrameRef
 *
 * @typedef {object} AnalysedFrame one sample time's frame, analysed
 * @property {number} index
 * @property {number} time seconds
 * @property {ReaderName} reader
 * @property {import('../domain/engine-api.js').Analysis|null} analysis null when the frame could not be read
 * @property {(ImageBitmap|null)[]} crops per scored face (engine/core.js THUMBS_PER_FRAME); the caller's to close
 * @property {string|null} error why the frame could not be read
 * @property {number} ms time spent analysing it
 * @property {number} waitMs time spent waiting for it to be decoded
 *
 * @typedef {object} FramesOptions
 * @property {boolean} [faces] find faces (default true)
 * @property {AbortSignal} [signal] stops before the next frame
 * @property {(change: Switch) => void} [onSwitch] WebCodecs gave up: the rest is read by the <video>
 *
 * @typedef {object} Video
 * @property {string} url the file for the card's player (the service worker's URL, or blob:)
 * @property {number} duration seconds
 * @property {number} width
 * @property {number} height
 * @property {ReaderName} reader the reader chosen for it
 * @property {string|null} why why not WebCodecs
 * @property {(times: number[], options?: FramesOptions) => AsyncGenerator<AnalysedFrame>} frames
 *   the frames at `times` (ascending), each analysed by the engine, in order
 * @property {(frame: { time: number, reader: ReaderName }) => Promise<ImageBitmap|VideoFrameRef>} picture
 *   a frame again, by the reader that read it (same pixels), for the engine's explain()
 * @property {() => void} close frees the URL (the card's player stops working)
 */

/**
 * @param {File} file
 * @param {Engine} engine
 * @returns {Promise<Video>}
 * @throws {VideoError} when the file cannot be read, in words for the user
 */
export async function openVideo(file, engine) {
  const served = await fileUrl(file);
  try {
    // WebCodecs reading that cannot even start (its code did not load) leaves the file to the <video>.
    /** @type {{ id: number|null, why: string|null, duration?: number, width?: number, height?: number }} */
    const opened = await engine.openVideo(file).catch((/** @type {unknown} */ error) => ({
      id: null, why: `WebCodecs reading could not start (${error instanceof Error ? error.message : error})` }));
    const { id, why } = opened;
    const size = id === null ? await probeVideo(served.url)
      : { duration: Number(opened.duration), width: Number(opened.width), height: Number(opened.height) };

    /**
     * Frames through the <video> reader, each analysed by the engine.
     * @param {number[]} times
     * @param {number} offset index of the first
     * @param {FramesOptions} options
     * @returns {AsyncGenerator<AnalysedFrame>}
     */
    async function* element(times, offset, { faces = true, signal }) {
      let waitFrom = performance.now();
      for await (const grabbed of videoFrames(served.url, times, signal)) {
        const started = performance.now();
        /** @type {AnalysedFrame} */
        const frame = { index: offset + grabbed.index, time: grabbed.time, reader: VIDEO_ELEMENT, analysis: null,
          crops: [], error: null, ms: 0, waitMs: started - waitFrom };
        if (grabbed.bitmap) {
          const { analysis, crops } = await engine.analyseFrame(grabbed.bitmap, { faces });
          Object.assign(frame, { analysis, crops });
        } else {
          frame.error = grabbed.error?.message ?? 'This frame could not be read.';
        }
        frame.ms = performance.now() - started;
        yield frame;
        waitFrom = performance.now();
      }
    }

    /**
     * Frames decoded and analysed in the engine; a ReaderFailure when WebCodecs gives up.
     * @param {number} video the engine's id
     * @param {number[]} times
     * @param {FramesOptions} options
     * @returns {AsyncGenerator<AnalysedFrame>}
     */
    async function* webcodecs(video, times, { faces = true, signal }) {
      try {
        await engine.readVideo(video, times);
        let asked = performance.now();
        while (!signal?.aborted) {
          const answer = await engine.videoFrame(video, { faces });
          if (answer === null) return;
          if ('failed' in answer) throw new ReaderFailure(answer.failed);
          const ms = answer.ms ?? 0;
          yield { index: answer.index, time: answer.time, reader: WEBCODECS, analysis: answer.analysis ?? null,
            crops: answer.crops ?? [], error: answer.error, ms, waitMs: Math.max(0, performance.now() - asked - ms) };
          asked = performance.now();
        }
      } finally {
        engine.closeVideo(video).catch(() => {});
      }
    }

    return {
      url: served.url, ...size, reader: id === null ? VIDEO_ELEMENT : WEBCODECS, why,
      frames(times, options = {}) {
        if (id === null) return element(times, 0, options);
        return withFallback(times, (all) => webcodecs(id, all, options),
          (rest, offset) => element(rest, offset, options), options.onSwitch);
      },
      async picture({ time, reader }) {
        return reader === WEBCODECS ? { file, time } : grabVideoFrame(served.url, time);
      },
      close() {
        served.release();
        if (id !== null) engine.closeVideo(id).catch(() => {});
      },
    };
  } catch (error) {
    served.release();
    throw error;
  }
}
