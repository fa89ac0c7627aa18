// @ts-check
/**
 * The analysis engine, as the page (and any other page) uses it: a module
 * worker owning TF.js, the model, the face detector and Grad-CAM
 * (worker.js -> core.js), or the same core on the page's thread where the
 * browser cannot run it in a worker. Both answer the same calls, so the
 * caller does not know which it got (`where` and `why` say).
 *
 *   import { createEngine } from './js/engine/client.js';
 *   const engine = await createEngine();
 *   const metadata = await engine.setModel('model/meso4-df/');
 *   const { analysis } = await engine.analyseImage(file);   // a File or Blob
 *   // analysis.faces[i].pReal: P(real) of each face found; near 0 = manipulated
 *
 * This module loads no TF.js itself: only the worker (or, on the fallback,
 * the page) does.
 */
import { BACKEND_CHOICE_KEY } from '../domain/config.js';
import { InputError } from './errors.js';

/** Longest wait for the worker to start its backend and face detector. */
export const START_TIMEOUT_MS = 60_000;

/** @typedef {import('../domain/engine-api.js').Engine} Engine */

/**
 * @param {{ backend?: string|null, previous?: {backend: string, why: string}|null }} [options]
 *   backend: force one ('webgl', 'wasm', 'cpu'); null chooses (WASM, or WebGL where a short
 *   measurement finds it faster; backend.js). previous: a choice this visit made already
 *   ({backend, why} of an earlier engine), reused without measuring again; by default the one
 *   this tab remembers (sessionStorage), and a new choice is remembered there
 * @returns {Promise<Engine>}
 */
export async function createEngine({ backend = null, previous = rememberedChoice() } = {}) {
  const engine = await startEngine(backend, previous);
  if (!backend) remember({ backend: engine.backend, why: engine.backendWhy });
  return engine;
}

/** @returns {{ backend: string, why: string }|null} the choice this tab made earlier */
function rememberedChoice() {
  try {
    const choice = JSON.parse(globalThis.sessionStorage?.getItem(BACKEND_CHOICE_KEY) ?? 'null');
    return typeof choice?.backend === 'string' && typeof choice?.why === 'string' ? choice : null;
  } catch {
    return null; // no storage here, or damaged: choose again
  }
}

/** @param {{ backend: string, why: string }} choice */
function remember(choice) {
  try {
    globalThis.sessionStorage?.setItem(BACKEND_CHOICE_KEY, JSON.stringify(choice));
  } catch {
    // storage full or forbidden: the next engine measures again
  }
}

/**
 * @param {string|null} backend
 * @param {{ backend: string, why: string }|null} previous
 * @returns {Promise<Engine>}
 */
async function startEngine(backend, previous) {
  const why = workerMissing();
  if (why) return onPage({ backend, previous }, why);
  let worker;
  try {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch (error) {
    return onPage({ backend, previous }, `the worker could not be made (${messageOf(error)})`);
  }
  const call = connect(worker);
  let started;
  try {
    started = await Promise.race([
      call('start', [{ backend, previous }]),
      new Promise((_, reject) => { setTimeout(() => reject(new Error('it did not answer in time')), START_TIMEOUT_MS); }),
    ]);
  } catch (error) {
    worker.terminate();
    return onPage({ backend, previous }, `the worker did not start (${messageOf(error)})`);
  }
  /** @param {ImageBitmap} bitmap */
  const moved = (bitmap) => [bitmap];
  return {
    where: 'worker', why: null, backend: started.backend, backendWhy: started.backendWhy,
    threads: started.threads,
    setModel: (source) => call('setModel', [source]),
    analyseImage: (file, options = {}) => call('analyseImage', [file, options]),
    analyseFrame: (frame, options = {}) => call('analyseFrame', [frame, options], moved(frame)),
    liveFrame: (frame) => call('liveFrame', [frame], moved(frame)),
    explain: (input, boxes) => call('explain', [input, boxes], input instanceof ImageBitmap ? [input] : []),
    openVideo: (file) => call('openVideo', [file]),
    readVideo: (id, times) => call('readVideo', [id, times]),
    videoFrame: (id, options = {}) => call('videoFrame', [id, options]),
    closeVideo: (id) => call('closeVideo', [id]),
    tensors: () => call('tensors', []),
    dispose: () => worker.terminate(),
  };
}

/** Why this browser cannot run the engine in a worker, or null. */
function workerMissing() {
  if (typeof Worker === 'undefined') return 'this browser has no workers';
  if (typeof OffscreenCanvas === 'undefined') return 'this browser has no OffscreenCanvas';
  return null;
}

/**
 * The core on this thread, behind the same calls.
 * @param {{ backend: string|null, previous: {backend: string, why: string}|null }} choice
 * @param {string} why
 * @returns {Promise<Engine>}
 */
async function onPage(choice, why) {
  const { createCore } = await import('./core.js');
  const core = await createCore(choice);
  return {
    where: 'page', why, backend: core.backend, backendWhy: core.backendWhy, threads: core.threads,
    setModel: (source) => core.setModel(source),
    analyseImage: (file, options) => core.analyseImage(file, options),
    analyseFrame: (frame, options) => core.analyseFrame(frame, options),
    liveFrame: (frame) => core.liveFrame(frame),
    explain: (input, boxes) => core.explain(input, boxes),
    openVideo: (file) => core.openVideo(file),
    readVideo: async (id, times) => core.readVideo(id, times),
    videoFrame: (id, options) => core.videoFrame(id, options),
    closeVideo: async (id) => core.closeVideo(id),
    tensors: async () => core.tensors(),
    dispose: () => {},
  };
}

/**
 * Calls into a worker, each answered by its id.
 * @param {Worker} worker
 * @returns {(method: string, args: any[], transfer?: Transferable[]) => Promise<any>}
 */
function connect(worker) {
  /** @type {Map<number, { resolve: (value: any) => void, reject: (error: Error) => void }>} */
  const waiting = new Map();
  let next = 0;
  /** @type {Error|null} */
  let broken = null;
  worker.addEventListener('message', (event) => {
    const { id, result, error } = event.data;
    const pending = waiting.get(id);
    if (!pending) return;
    waiting.delete(id);
    if (error) pending.reject(error.input ? new InputError(error.message) : new Error(error.message));
    else pending.resolve(result);
  });
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    broken = new Error(`The analysis engine stopped: ${event.message || 'unknown error'}`);
    for (const pending of waiting.values()) pending.reject(broken);
    waiting.clear();
  });
  return (method, args, transfer = []) => new Promise((resolve, reject) => {
    if (broken) {
      reject(broken);
      return;
    }
    const id = next;
    next += 1;
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, method, args }, transfer);
  });
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
