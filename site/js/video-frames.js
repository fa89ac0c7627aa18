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
/** Longest wait for a sought frame to be presented (see presentation()). */
export const PRESENT_TIMEOUT_MS = 2000;

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
/** Elements that have not grabbed a frame yet (see grabFrame). */
const fresh = new WeakSet();

/**
 * The next presentation of a frame by this element. "seeked" can come before
 * the sought frame replaces the one shown: on a busy machine a frame grabbed
 * at "seeked" was once its neighbour (a 4 px shift, P(real) 0.005 off), so
 * the grab waits for the new frame to be presented. Where the browser does
 * not report frames of a detached element, it stops waiting after
 * PRESENT_TIMEOUT_MS once and never again.
 * @param {HTMLVideoElement} video
 * @param {boolean} [learn] a timeout means the element's frames are not reported
 * @returns {Promise<void>}
 */
function presentation(video, learn = true) {
  if (!('requestVideoFrameCallback' in video) || unreported.has(video)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { if (learn) unreported.add(video); resolve(); }, PRESENT_TIMEOUT_MS);
    video.requestVideoFrameCallback(() => { clearTimeout(timer); resolve(); });
  });
}

/**
 * Seek, and wait for the sought frame to be presented (when `presented`).
 * @param {HTMLVideoElement} video
 * @param {number} time seconds
 * @param {Promise<void>} presented
 */
async function seek(video, time, presented) {
  await waitFor(video, 'seeked', SEEK_TIMEOUT_MS, `The frame at ${time.toFixed(1)} s could not be reached (seeking timed out).`,
    () => { video.currentTime = time; });
  await presented;
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
 * The picture at a time. An element's first frame is read twice: in
 * WebKitGTK the first frame a fresh element shows after a seek is stale
 * (blank; or the frame shown before) although "seeked" has fired and the
 * frame callback reports the right time, and the same seek again shows the
 * right one (measured: the first of 3 frames of a VP8 WebM 119 levels off
 * OpenCV's, then 2.2; the FF++ MP4 124, then 0.8; from blob: and from the
 * service worker alike). The second seek presents no new frame, so it is
 * not waited for. Every engine pays the one seek more per element; the
 * first frame callback's timeout there says nothing of the element.
 * @param {HTMLVideoElement} video
 * @param {number} time seconds
 * @returns {Promise<ImageBitmap>}
 */
async function grabFrame(video, time) {
  if (video.error) throw new VideoError(mediaMessage(video.error));
  if (fresh.has(video)) {
    fresh.delete(video);
    await seek(video, time, presentation(video, false));
    (await shown(video, time)).close();
    await seek(video, time, Promise.resolve());
    return shown(video, time);
  }
  await seek(video, time, presentation(video));
  return shown(video, time);
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
