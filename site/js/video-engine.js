// @ts-check
/**
 * Where video frames are analysed: in the video worker (video-worker.js)
 * when the browser can run it (module workers, OffscreenCanvas), else on the
 * page's thread with the page's own model. Both give the same frame analyser
 * (analyse-video.js), so the rest of the page does not know which it got.
 */
import { createFrameAnalyser } from './analyse-video.js';

/** Longest wait for the worker to load its model and face detector. */
export const WORKER_START_TIMEOUT_MS = 60_000;

/**
 * A worker and the requests waiting for its answers (it answers in order).
 * @param {Worker} worker
 */
function connect(worker) {
  /** @type {{ resolve: (data: any) => void, reject: (error: Error) => void }[]} */
  const waiting = [];
  const failAll = (/** @type {Error} */ error) => { for (const w of waiting.splice(0)) w.reject(error); };
  worker.addEventListener('message', (event) => {
    const next = waiting.shift();
    if (!next) return;
    if (event.data.type === 'error') next.reject(new Error(event.data.message));
    else next.resolve(event.data);
  });
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    failAll(new Error(`The video worker stopped: ${event.message || 'unknown error'}`));
  });
  /**
   * @param {any} message
   * @param {Transferable[]} [transfer]
   * @returns {Promise<any>}
   */
  return (message, transfer = []) => new Promise((resolve, reject) => {
    waiting.push({ resolve, reject });
    worker.postMessage(message, transfer);
  });
}

/**
 * @typedef {object} VideoEngine
 * @property {'worker'|'page'} where
 * @property {string} [why] on the page: why not in the worker
 * @property {number} [threads] in the worker: its backend's threads (backendThreads)
 * @property {(faces: boolean) => Promise<import('./analyse-video.js').FrameAnalyser>} startVideo
 * @property {() => Promise<number|null>} tensors the worker's tensor count (null on the page's thread)
 */

/**
 * @param {{ backend: string, model: () => import('./model.js').MesoNet,
 *   source: () => string|File[], detector: () => import('./face-detector.js').FaceDetector|null }} page
 *   the page's backend, and getters for its current model, that model's source and its detector
 * @returns {Promise<VideoEngine>}
 */
export async function createVideoEngine(page) {
  /** @type {VideoEngine} */
  const onPage = {
    where: 'page',
    startVideo: async (faces) => createFrameAnalyser(page.model(), faces ? page.detector() : null),
    tensors: async () => null,
  };
  if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') {
    return { ...onPage, why: 'this browser has no module workers with OffscreenCanvas' };
  }
  let worker;
  try {
    worker = new Worker(new URL('./video-worker.js', import.meta.url), { type: 'module' });
  } catch (error) {
    return { ...onPage, why: `the worker could not be made (${error instanceof Error ? error.message : error})` };
  }
  const call = connect(worker);
  let source = page.source();
  let started;
  try {
    started = await Promise.race([
      call({ type: 'start', backend: page.backend, model: source }),
      new Promise((_, reject) => { setTimeout(() => reject(new Error('timeout')), WORKER_START_TIMEOUT_MS); }),
    ]);
  } catch (error) {
    worker.terminate();
    // e.g. a backend the worker cannot start: analyse on the page instead
    return { ...onPage, why: `the worker did not start (${error instanceof Error ? error.message : error})` };
  }
  return {
    where: 'worker',
    threads: started.threads,
    async startVideo(faces) {
      if (page.source() !== source) {
        source = page.source();
        await call({ type: 'model', model: source });
      }
      await call({ type: 'video', faces });
      return async (bitmap) => {
        const reply = await call({ type: 'frame', bitmap }, [bitmap]);
        return { analysis: reply.analysis, thumbs: reply.thumbs };
      };
    },
    tensors: async () => (await call({ type: 'memory' })).tensors,
  };
}
