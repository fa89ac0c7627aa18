// @ts-check
/**
 * Frames out of a video file at chosen times, with the browser's own player
 * (<video> elements, so whatever the browser plays: MP4 H.264, WebM VP8/VP9,
 * MOV where supported): the reader for what WebCodecs cannot read
 * (video-reader.js chooses; video-decode.js is the WebCodecs one). It needs
 * the page's thread, but no page DOM: the elements are never attached to
 * the document. The URL is the service worker's where it controls the page
 * (video-url.js), else blob:.
 *
 * Seeking is slow (the decoder restarts at the previous key frame: 30-240 ms
 * a seek for the 640x480 FF++ clips). It runs in the browser's media
 * threads, so the next frame is sought while the page analyses this one.
 */

import { presentedFor } from '../domain/video-choice.js';

/**
 * Elements seeking ahead in parallel. One: on 2 cores a second decoder
 * competes with the page for the CPU, and face detection took 2.4 times as
 * long (248 against 106 ms a frame; the 30 s FF++ clip took 8.1 against 5.2 s).
 * With the frames analysed in the video worker, two gave 4.8 s against 4.7 s,
 * and 4.60 against 4.67 s once each grab waited for its frame's presentation.
 */
export const LOOKAHEAD = 1;
/** Longest wait for a video's header, and for one seek. */
export const OPEN_TIMEOUT_MS = 15000;
export const SEEK_TIMEOUT_MS = 10000;
/** Longest wait, after "seeked", for the sought frame to be presented (see watchPresentation()). */
export const PRESENT_TIMEOUT_MS = 2000;
/** Most reads of one frame that gave an empty picture (see grabFrame). */
export const MAX_READS = 3;

/** A video problem with a message for the user. */
export class VideoError extends Error {}

/** @param {MediaError|null} error */
function mediaMessage(error) {
  if (error?.code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED) {
    return 'This video cannot be played by this browser: the file is damaged, or its format or codec is not supported here (MP4 with H.264 and WebM with VP8 or VP9 work in all current browsers).';
  }
  if (error?.code === MediaError.MEDIA_ERR_DECODE) {
    return 'This video is damaged: the browser could not decode its pictures.';
  }
  return `This video could not be read${error?.message ? ` (${error.message})` : ''}.`;
}

/**
 * Wait for one of an element's events, an error, or a timeout.
 * @param {HTMLVideoElement} video
 * @param {string} event
 * @param {number} timeoutMs
 * @param {string} timeoutMessage
 * @param {() => void} [start] run after the listeners are in place
 */
function waitFor(video, event, timeoutMs, timeoutMessage, start) {
  return new Promise((resolve, reject) => {
    const done = (/** @type {Error|null} */ error) => {
      clearTimeout(timer);
      video.removeEventListener(event, ok);
      video.removeEventListener('error', bad);
      if (error) reject(error); else resolve(undefined);
    };
    const ok = () => done(null);
    const bad = () => done(new VideoError(mediaMessage(video.error)));
    const timer = setTimeout(() => done(new VideoError(timeoutMessage)), timeoutMs);
    video.addEventListener(event, ok);
    video.addEventListener('error', bad);
    start?.();
  });
}

/**
 * A detached, muted <video> for a URL, with its header read.
 * @param {string} url an object URL of the file
 * @returns {Promise<HTMLVideoElement>}
 */
async function openElement(url) {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  await waitFor(video, 'loadedmetadata', OPEN_TIMEOUT_MS,
    'This video could not be read: its header did not load (the file may be damaged or incomplete).',
    () => { video.src = url; });
  if (video.duration === Infinity) {
    // Recordings (MediaRecorder WebM) may not state their length: seeking far
    // past the end makes the browser find it.
    await waitFor(video, 'seeked', OPEN_TIMEOUT_MS, 'This video could not be read: its length is unknown.',
      () => { video.currentTime = Number.MAX_SAFE_INTEGER; });
  }
  fresh.add(video);
  return video;
}

/** @param {HTMLVideoElement} video */
function release(video) {
  video.removeAttribute('src');
  video.load();
}

/**
 * Open a video file and check that it has pictures and a length.
 * @param {string} url an object URL of the file
 * @returns {Promise<{ duration: number, width: number, height: number }>}
 * @throws {VideoError} with the reason, in words for the user
 */
export async function probeVideo(url) {
  const video = await openElement(url);
  try {
    if (video.videoWidth === 0 || video.videoHeight === 0) {
      throw new VideoError('This file has no picture this browser can show: it is audio only, or its video codec is not supported here.');
    }
    if (!Number.isFinite(video.duration) || video.duration <= 0) {
      throw new VideoError('This video is empty: it has no length, so there are no frames to analyse.');
    }
    return { duration: video.duration, width: video.videoWidth, height: video.videoHeight };
  } finally {
    release(video);
  }
}

/** Elements whose frames are known not to be reported by requestVideoFrameCallback. */
const unreported = new WeakSet();
/** Elements whose frames have been reported at least once. */
const reporting = new WeakSet();
/** Elements that have not grabbed a frame yet (see grabFrame). */
const fresh = new WeakSet();
/** Each element's last time sought for a grab. */
const sought = new WeakMap();

/**
 * @typedef {'presented'|'stale'|'none'|'unknown'} Presentation after a seek, within
 *   PRESENT_TIMEOUT_MS of "seeked": the frame for the time was presented; only other frames
 *   were; no frame was; or the browser does not say
 */

/**
 * Watches an element's frame presentations from before a seek. "seeked" can
 * come before the sought frame replaces the one shown: on a busy machine a
 * frame grabbed at "seeked" was once its neighbour (a 4 px shift, P(real)
 * 0.005 off), so the grab waits for the new frame to be presented. And the
 * first presentation reported may be the previous frame's, late: in
 * WebKitGTK, with the page busy while the next seek started, the callback
 * reported the previous sample's media time, and the picture then was that
 * frame 2 times in 10 (the DFDC clip); so a presentation counts only for
 * its own time (video-choice.js presentedFor). Where the browser does not
 * report frames of a detached element, the grabs stop waiting after
 * PRESENT_TIMEOUT_MS once and never again.
 * @param {HTMLVideoElement} video
 * @param {number} time seconds, the time about to be sought
 * @param {number|null} previous the element's time sought before, if any
 * @returns {{ after: () => Promise<Presentation> }} after: call at "seeked"
 */
function watchPresentation(video, time, previous) {
  if (!('requestVideoFrameCallback' in video) || unreported.has(video)) {
    return { after: async () => 'unknown' };
  }
  /** @type {Presentation} */
  let outcome = 'none';
  let settled = false;
  /** @type {(() => void)|null} */
  let wake = null;
  const watch = () => video.requestVideoFrameCallback((_, { mediaTime }) => {
    if (settled) return;
    reporting.add(video);
    if (presentedFor(mediaTime, time, previous)) {
      outcome = 'presented';
      settled = true;
      wake?.();
    } else {
      outcome = 'stale';
      watch();
    }
  });
  watch();
  return {
    after: () => (settled ? Promise.resolve(outcome) : new Promise((resolve) => {
      const timer = setTimeout(() => { settled = true; resolve(outcome); }, PRESENT_TIMEOUT_MS);
      wake = () => { clearTimeout(timer); resolve(outcome); };
    })),
  };
}

/**
 * Seek to a time (the "seeked" event).
 * @param {HTMLVideoElement} video
 * @param {number} time seconds
 */
function seek(video, time) {
  return waitFor(video, 'seeked', SEEK_TIMEOUT_MS, `The frame at ${time.toFixed(1)} s could not be reached (seeking timed out).`,
    () => { video.currentTime = time; });
}

/**
 * The picture shown.
 * @param {HTMLVideoElement} video
 * @param {number} time seconds, for the message
 * @returns {Promise<ImageBitmap>}
 */
async function shown(video, time) {
  try {
    return await createImageBitmap(video);
  } catch {
    throw new VideoError(`The frame at ${time.toFixed(1)} s could not be decoded.`);
  }
}

/**
 * Whether a picture is empty: every pixel transparent. A video frame is
 * opaque; WebKitGTK's <video> sometimes gives an empty picture for a frame
 * it has just reported presented (see grabFrame).
 * @param {ImageBitmap} bitmap
 */
function empty(bitmap) {
  const side = 16;
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(side, side)
    : Object.assign(document.createElement('canvas'), { width: side, height: side });
  const context = /** @type {OffscreenCanvasRenderingContext2D|CanvasRenderingContext2D} */ (
    canvas.getContext('2d', { willReadFrequently: true }));
  context.drawImage(bitmap, 0, 0, side, side);
  const pixels = context.getImageData(0, 0, side, side).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return false;
  return true;
}

/**
 * The picture at a time, once presented. In WebKitGTK the picture read
 * after "seeked" and the frame callback is sometimes empty (transparent):
 * the first frame of a fresh element (a VP8 WebM and the FF++ MP4 in fresh
 * sessions, from blob: and from the service worker alike), and 1 to 3
 * frames in 10 of the 1920x1080 DFDC clip with the page busy. The same
 * seek again shows the right picture (measured: 119 levels off OpenCV's
 * frame, then 2.2; the FF++ MP4 124, then 0.8; DFDC 33.8, then 2.4), so it
 * is read again, and after a presentation of another frame only (the
 * previous one, late); a picture still empty after MAX_READS reads is a
 * frame error. The repeated seek presents no new frame, so it is not waited
 * for.
 * @param {HTMLVideoElement} video
 * @param {number} time seconds
 * @returns {Promise<ImageBitmap>}
 */
async function grabFrame(video, time) {
  if (video.error) throw new VideoError(mediaMessage(video.error));
  const first = fresh.delete(video);
  const watch = watchPresentation(video, time, sought.get(video) ?? null);
  sought.set(video, time);
  await seek(video, time);
  const outcome = await watch.after();
  // a first seek's frame went unreported now and then in WebKitGTK, whose frames are reported
  if (outcome === 'none' && !first && !reporting.has(video)) unreported.add(video);
  let picture = await shown(video, time);
  for (let read = 1; (outcome === 'stale' && read === 1) || empty(picture); read += 1) {
    picture.close();
    if (read === MAX_READS) throw new VideoError(`The frame at ${time.toFixed(1)} s could not be read: the browser gave no picture.`);
    await seek(video, time);
    picture = await shown(video, time);
  }
  return picture;
}

/**
 * One frame of a video file, read on its own (e.g. again, for its heatmap).
 * @param {string} url an object URL of the file
 * @param {number} time seconds
 * @returns {Promise<ImageBitmap>}
 */
export async function grabVideoFrame(url, time) {
  const video = await openElement(url);
  try {
    return await grabFrame(video, time);
  } finally {
    release(video);
  }
}

/**
 * @typedef {{ index: number, time: number, bitmap: ImageBitmap|null, error: VideoError|null }} Grabbed
 *   bitmap: the caller's to close; null when that frame failed (error says why)
 */

/**
 * The frames at `times`, in order, each fetched while the one before is analysed.
 * @param {string} url an object URL of the file
 * @param {number[]} times seconds, ascending
 * @param {AbortSignal} [signal] stops before the next frame
 * @returns {AsyncGenerator<Grabbed>}
 */
export async function* videoFrames(url, times, signal) {
  const players = await Promise.all(Array.from({ length: Math.min(LOOKAHEAD, times.length) }, () => openElement(url)));
  /** @type {Map<number, Promise<ImageBitmap>>} */
  const pending = new Map();
  const request = (/** @type {number} */ i) => {
    if (i >= times.length) return;
    const grab = grabFrame(players[i % players.length], times[i]);
    grab.catch(() => {}); // observed when its turn comes
    pending.set(i, grab);
  };
  players.forEach((_, i) => request(i));
  try {
    for (let i = 0; i < times.length; i += 1) {
      if (signal?.aborted) return;
      const grab = /** @type {Promise<ImageBitmap>} */ (pending.get(i));
      pending.delete(i);
      /** @type {Grabbed} */
      let grabbed;
      try {
        grabbed = { index: i, time: times[i], bitmap: await grab, error: null };
      } catch (error) {
        grabbed = { index: i, time: times[i], bitmap: null,
          error: error instanceof VideoError ? error : new VideoError(String(error)) };
      }
      request(i + players.length); // this frame's element is free again
      yield grabbed;
    }
  } finally {
    for (const grab of pending.values()) grab.then((bitmap) => bitmap.close(), () => {});
    players.forEach(release);
  }
}
