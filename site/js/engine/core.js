// @ts-check
/**
 * The analysis engine's core: TF.js, the backend, one MesoNet, the face
 * detector and Grad-CAM, and nothing of the page (no DOM: OffscreenCanvas
 * and ImageBitmap only). It runs in the engine's worker (worker.js), or on
 * the page's thread where a worker cannot (client.js chooses). Every tensor
 * made here is disposed here.
 *
 * Inputs are image files (Blob: decoded here, off the page's thread),
 * pictures (ImageBitmap: video frames, camera frames; closed here), or video
 * files read here with WebCodecs (video-decode.js: openVideo, then each frame
 * decoded and analysed here, so the frames never cross to the page).
 */
import * as tf from '../../vendor/tf.js';
import { analyseBitmap, explainFaces, scorePlanned } from './analyse.js';
import { backendThreads, initBackend } from './backend.js';
import { loadFaceDetector } from './face-detector.js';
import { planCrops } from '../domain/faces.js';
import { fileSource } from './model-files.js';
import { loadMesoNet } from './model.js';
import { decodeImage } from './preprocess.js';
import { InputError } from './errors.js';

/** Pixels above which a picture is refused (browsers cannot decode more reliably). */
export const MAX_PIXELS = 16384 * 16384;
/** Longest side of the picture a result carries back for its card. */
export const PREVIEW_MAX_SIDE = 640;
/** Side of the face crops a result carries back (heatmap backgrounds, timelines). */
export const THUMB_SIDE = 128;
/**
 * Most face crops a video frame carries back: its most suspicious faces
 * (bounds memory for crowds: 256 frames x 4 x 64 KB = 67 MB at worst).
 */
export const THUMBS_PER_FRAME = 4;

/**
 * @typedef {import('../domain/engine-api.js').Analysis} Analysis
 * @typedef {import('../domain/engine-api.js').Box} Box
 * @typedef {import('../domain/engine-api.js').HeatMap} HeatMap
 * @typedef {import('../domain/engine-api.js').AnalyseOptions} AnalyseOptions
 * @typedef {import('../domain/engine-api.js').VideoFrameRef} VideoFrameRef
 * @typedef {import('../domain/engine-api.js').OpenedVideo} OpenedVideo
 * @typedef {import('../domain/engine-api.js').VideoFrameResult} VideoFrameResult
 * @typedef {import('../domain/engine-api.js').VideoFailure} VideoFailure
 * @typedef {import('../domain/engine-api.js').Result} Result
 */

/**
 * @param {{ backend: string|null, previous?: import('./backend.js').Choice|null }} options a
 *   forced backend, or null to choose; previous: the choice made earlier in this visit, kept
 */
export async function createCore({ backend, previous = null }) {
  const choice = await initBackend(backend, previous);
  const detecting = loadFaceDetector();
  /** @type {import('./model.js').MesoNet|null} */
  let model = null;

  /**
   * Videos open for WebCodecs reading, by id: the decoder, its frames and
   * the next one, decoded while this one is analysed.
   * @type {Map<number, { decoder: import('./video-decode.js').Decoder,
   *   frames: AsyncGenerator<import('./video-decode.js').Decoded>|null,
   *   next: Promise<IteratorResult<import('./video-decode.js').Decoded>>|null }>}
   */
  const videos = new Map();
  let lastVideo = 0;
  /** @param {number} id */
  function video(id) {
    const open = videos.get(id);
    if (!open) throw new Error(`No open video ${id}.`);
    return open;
  }
  /** @param {number} id */
  function closeVideo(id) {
    const open = videos.get(id);
    if (!open) return;
    videos.delete(id);
    open.next?.then((step) => step.value?.bitmap?.close(), () => {});
    open.decoder.close();
  }

  /** @param {Blob|ImageBitmap|VideoFrameRef} input @param {string} [format] */
  async function picture(input, format = 'image') {
    if (!(input instanceof Blob)) {
      if (!('file' in input)) return input;
      const { decodeFrame } = await import('./video-decode.js');
      return decodeFrame(input.file, input.time);
    }
    let bitmap;
    try {
      bitmap = await decodeImage(input);
    } catch {
      throw new InputError(`This file could not be read as an image: the ${format.toUpperCase()} data is damaged or incomplete.`);
    }
    if (bitmap.width * bitmap.height > MAX_PIXELS) {
      bitmap.close();
      throw new InputError(`This picture is too large (${bitmap.width}×${bitmap.height} pixels).`);
    }
    return bitmap;
  }

  function current() {
    if (!model) throw new Error('No model is loaded.');
    return model;
  }

  /**
   * @param {Blob|ImageBitmap} input
   * @param {AnalyseOptions} [options]
   * @returns {Promise<Result>}
   */
  async function analyse(input, { faces = true, explain = false, preview = false, crops = 0, format } = {}) {
    const started = performance.now();
    const bitmap = await picture(input, format);
    // a picture small enough is its own preview (moved, not copied)
    const ownPreview = preview && Math.max(bitmap.width, bitmap.height) <= PREVIEW_MAX_SIDE;
    let returned = false;
    try {
      const mesoNet = current();
      const detector = faces ? await detecting : null;
      const analysis = await analyseBitmap(bitmap, mesoNet, detector && ((b) => detector.detect(b)));
      const ms = performance.now() - started;
      const result = {
        analysis, width: bitmap.width, height: bitmap.height, ms,
        maps: explain && analysis.faces.length ? await explainFaces(bitmap, mesoNet, analysis.faces) : null,
        crops: crops ? await faceCrops(bitmap, analysis.faces, crops) : [],
        preview: ownPreview ? bitmap : preview ? await scaled(bitmap, PREVIEW_MAX_SIDE) : null,
      };
      returned = true;
      return result;
    } finally {
      if (!(returned && ownPreview)) bitmap.close();
    }
  }

  return {
    backend: choice.backend,
    /** why this backend (backend.js Choice) */
    backendWhy: choice.why,
    threads: backendThreads(),
    /**
     * Use this model from now on (a folder URL ending in /, or the user's files).
     * @param {string|File[]} source
     * @returns {Promise<import('../domain/config.js').ModelMetadata>} its metadata.json
     */
    async setModel(source) {
      // the detector loads meanwhile (started with the core): ready once both are
      const [next, detector] = await Promise.all([
        loadMesoNet(typeof source === 'string' ? source : fileSource(source)), detecting]);
      await warmUp(next, detector);
      model?.dispose();
      model = next;
      return next.metadata;
    },
    /** A photo: decoded here; its preview comes back, and with its maps every face's crop. */
    analyseImage: (/** @type {Blob} */ file, /** @type {AnalyseOptions} */ options = {}) =>
      analyse(file, { preview: true, crops: options.explain ? Infinity : 0, ...options }),
    /** A video frame: its most suspicious faces' crops come back, for the timeline. */
    analyseFrame: (/** @type {ImageBitmap} */ bitmap, /** @type {AnalyseOptions} */ options = {}) =>
      analyse(bitmap, { crops: THUMBS_PER_FRAME, ...options }),
    /**
     * A camera frame: faces found and scored, nothing else.
     * @param {ImageBitmap} bitmap
     */
    async liveFrame(bitmap) {
      try {
        const mesoNet = current();
        const detector = await detecting;
        const started = performance.now();
        const detections = await detector.detect(bitmap);
        const detectMs = performance.now() - started;
        const faces = await scorePlanned(bitmap, mesoNet, planCrops(detections, bitmap.width, bitmap.height).faces);
        return { faces, detectMs, width: bitmap.width, height: bitmap.height };
      } finally {
        bitmap.close();
      }
    },
    /**
     * A video file for WebCodecs reading (mediabunny loaded on first use), or why it is not.
     * @param {Blob} file
     * @returns {Promise<OpenedVideo>}
     */
    async openVideo(file) {
      const { openDecoder } = await import('./video-decode.js');
      const { decoder, why } = await openDecoder(file);
      if (!decoder) return { id: null, why };
      lastVideo += 1;
      videos.set(lastVideo, { decoder, frames: null, next: null });
      const { duration, width, height, codec } = decoder;
      return { id: lastVideo, why: null, duration, width, height, codec };
    },
    /**
     * Start decoding an open video's frames at these times (ascending).
     * @param {number} id
     * @param {number[]} times
     */
    readVideo(id, times) {
      const open = video(id);
      open.frames = open.decoder.frames(times);
      open.next = open.frames.next();
      open.next.catch(() => {}); // observed by videoFrame
    },
    /**
     * The next frame of a video being read, analysed as a video frame
     * (analyseFrame); the one after it is decoded meanwhile. null after the
     * last; a VideoFailure when WebCodecs gives up (the video is then closed).
     * @param {number} id
     * @param {AnalyseOptions} [options]
     * @returns {Promise<VideoFrameResult|VideoFailure|null>}
     */
    async videoFrame(id, options = {}) {
      const open = video(id);
      if (!open.frames || !open.next) throw new Error(`Video ${id} is not being read.`);
      let step;
      try {
        step = await open.next;
      } catch (error) {
        closeVideo(id);
        return { failed: error instanceof Error ? error.message : String(error) };
      }
      if (step.done) return null;
      open.next = open.frames.next();
      open.next.catch(() => {});
      const { index, time, bitmap, error } = step.value;
      if (!bitmap) return { index, time, error };
      return { index, time, error: null, ...await analyse(bitmap, { crops: THUMBS_PER_FRAME, ...options }) };
    },
    /** Stop reading a video and free its decoder (nothing happens for one already closed). */
    closeVideo: (/** @type {number} */ id) => closeVideo(id),
    /**
     * Grad-CAM maps of faces already scored, on the same picture, with the
     * faces' crops to lay them over.
     * @param {Blob|ImageBitmap|VideoFrameRef} input
     * @param {Box[]} boxes the scored crops
     * @returns {Promise<{ maps: HeatMap[], crops: ImageBitmap[] }>}
     */
    async explain(input, boxes) {
      const bitmap = await picture(input);
      try {
        const faces = boxes.map((box) => ({ box, pReal: 0 }));
        return { maps: await explainFaces(bitmap, current(), faces),
          crops: /** @type {ImageBitmap[]} */ (await faceCrops(bitmap, faces, Infinity)) };
      } finally {
        bitmap.close();
      }
    },
    /** Tensors alive in this engine (flat between analyses when nothing leaks). */
    tensors: () => tf.memory().numTensors,
  };
}

/** Side of the picture a new model is warmed up with. */
const WARM_UP_SIDE = 96;

/**
 * One picture through the whole path before the model is ready: a JPEG
 * decoded, the faces searched (the detector's retry included), a crop read
 * and scored. Each first use compiles or allocates something (the image
 * decoder, the 2D canvas that reads pixels, WASM's kernels at these shapes):
 * without it, the user's first photo took 4 to 5 times as long as the next.
 * @param {import('./model.js').MesoNet} mesoNet
 * @param {Awaited<ReturnType<typeof loadFaceDetector>>} detector
 */
async function warmUp(mesoNet, detector) {
  const canvas = new OffscreenCanvas(WARM_UP_SIDE, WARM_UP_SIDE);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const gradient = ctx.createLinearGradient(0, 0, WARM_UP_SIDE, WARM_UP_SIDE);
  gradient.addColorStop(0, '#2a3f5f');
  gradient.addColorStop(1, '#e8c39e');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, WARM_UP_SIDE, WARM_UP_SIDE);
  const bitmap = await decodeImage(await canvas.convertToBlob({ type: 'image/jpeg' }));
  try {
    await analyseBitmap(bitmap, mesoNet, (b) => detector.detect(b));
    await analyseBitmap(bitmap, mesoNet, null);
  } finally {
    bitmap.close();
  }
}

/**
 * A copy at most `side` on its longer side (never larger).
 * @param {ImageBitmap} bitmap
 * @param {number} side
 */
function scaled(bitmap, side) {
  const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  return createImageBitmap(bitmap, {
    resizeWidth: Math.max(1, Math.round(bitmap.width * scale)),
    resizeHeight: Math.max(1, Math.round(bitmap.height * scale)),
    resizeQuality: 'medium',
  });
}

/**
 * THUMB_SIDE squares of the `count` most suspicious faces' crops.
 * @param {ImageBitmap} bitmap
 * @param {{ box: Box, pReal: number }[]} faces
 * @param {number} count
 * @returns {Promise<(ImageBitmap|null)[]>}
 */
function faceCrops(bitmap, faces, count) {
  const kept = new Set([...faces.keys()].sort((a, b) => faces[a].pReal - faces[b].pReal).slice(0, count));
  return Promise.all(faces.map((face, i) => (kept.has(i) ? createImageBitmap(
    bitmap, face.box.x, face.box.y, face.box.w, face.box.h,
    { resizeWidth: THUMB_SIDE, resizeHeight: THUMB_SIDE, resizeQuality: 'medium' }) : null)));
}
