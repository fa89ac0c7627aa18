// @ts-check
/**
 * Choosing and reporting the TF.js backend. WASM runs everywhere and is fast
 * on CPUs; WebGL is faster on a real GPU, and 10 to 50 times slower where it
 * is drawn by software (SwiftShader, llvmpipe: no GPU, or GPU access
 * blocked). A renderer's name cannot be trusted to say which (WebKitGTK's
 * software WebGL calls itself "Apple GPU"), so when WebGL is not known to be
 * software the engine times the same small convolution on WASM and on WebGL
 * and keeps the faster (chooseBackend), and says why. ?backend= forces one.
 */
import * as tf from '../../vendor/tf.js';
import { BACKENDS, WASM_MAX_THREADS } from '../domain/config.js';

/** A backend that has not started by then is treated as unavailable. */
const START_TIMEOUT_MS = 30_000;

/**
 * Threaded WASM that has not started by then is started again with one
 * thread: it waits forever, rather than failing, when its workers cannot
 * start (a Content-Security-Policy without blob: workers, say).
 */
const THREADED_START_TIMEOUT_MS = 10_000;

/** Renderer names of software WebGL implementations. */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/**
 * @param {Promise<boolean>} starting
 * @param {number} [ms]
 * @returns {Promise<boolean>}
 */
function withTimeout(starting, ms = START_TIMEOUT_MS) {
  return Promise.race([starting, new Promise((resolve) => { setTimeout(() => resolve(false), ms); })]);
}

/**
 * The WebGL renderer's name, or null when WebGL is unavailable or hides it.
 * @returns {string|null}
 */
export function webglRenderer() {
  try {
    // a worker has no document: OffscreenCanvas (null where it cannot do WebGL)
    const canvas = typeof document === 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
    const gl = /** @type {WebGLRenderingContext|null} */ (canvas.getContext('webgl'));
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return null;
  }
}

/**
 * Threads the WASM backend should use here: more than one needs
 * SharedArrayBuffer, so cross-origin isolation (sw.js adds the headers from
 * the second load on, since static hosts like GitHub Pages cannot send them).
 * @returns {number}
 */
export function wasmThreads() {
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, WASM_MAX_THREADS));
}

/**
 * Start the WASM backend with wasmThreads() threads, or with one if they do
 * not start. TF.js caps its pool at half of navigator.hardwareConcurrency (it
 * assumes two logical processors per core), read once as its module starts:
 * one thread on a 2-core machine whatever setThreadsCount asks. So the count
 * it reads is raised for that moment, then the browser's own is back.
 * @returns {Promise<boolean>}
 */
async function startWasm() {
  tf.setWasmPaths(new URL('../../vendor/', import.meta.url).href);
  const threads = wasmThreads();
  if (threads > 1) {
    tf.setThreadsCount(threads);
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
    try {
      if (await withTimeout(tf.setBackend('wasm'), THREADED_START_TIMEOUT_MS)) return true;
    } catch {
      // started again below
    } finally {
      delete (/** @type {any} */ (navigator)).hardwareConcurrency;
    }
    console.warn(`WASM with ${threads} threads did not start; using one thread.`);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  tf.setThreadsCount(1);
  return tf.setBackend('wasm');
}

/**
 * Threads the active backend computes with (WASM's pool; 1 otherwise).
 * @returns {number}
 */
export function backendThreads() {
  return tf.getBackend() === 'wasm' ? tf.getThreadsCount() : 1;
}

/**
 * @typedef {{ backend: string, why: string }} Choice the backend in use and why it was chosen
 */

/** The probe's input: a quarter of MesoNet's input through its first convolution. */
const PROBE_SHAPE = /** @type {[number, number, number, number]} */ ([1, 128, 128, 3]);
/** Runs of the probe timed (after two to warm up); the median counts. */
const PROBE_RUNS = 5;

/**
 * Median ms of one small convolution (MesoNet's first block on a quarter of
 * its input) on the active backend, read back to the CPU as every score is.
 * @returns {Promise<number>}
 */
async function probeMs() {
  const input = tf.randomUniform(PROBE_SHAPE);
  const kernel = tf.randomNormal([3, 3, 3, 8]);
  const run = async () => {
    const out = tf.tidy(() => tf.maxPool(tf.relu(tf.conv2d(/** @type {tf.Tensor4D} */ (input),
      /** @type {tf.Tensor4D} */ (kernel), 1, 'same')), 2, 2, 'same'));
    const started = performance.now();
    await out.data();
    out.dispose();
    return performance.now() - started;
  };
  try {
    await run();
    await run();
    const times = [];
    for (let i = 0; i < PROBE_RUNS; i += 1) times.push(await run());
    return times.sort((a, b) => a - b)[PROBE_RUNS >> 1];
  } finally {
    tf.dispose([input, kernel]);
  }
}

/**
 * Start one backend (WASM with its threads); false where it cannot.
 * @param {string} name
 */
async function start(name) {
  try {
    if (await withTimeout(name === 'wasm' ? startWasm() : tf.setBackend(name))) {
      await tf.ready();
      return tf.getBackend() === name;
    }
  } catch {
    // not available in this browser
  }
  return false;
}

/**
 * The backend to use when none is forced: WASM, or WebGL where it measures
 * faster; the CPU only where neither starts.
 * @param {string|null} [renderer] WebGL's renderer here (null: no WebGL); a test may name another
 * @returns {Promise<Choice>}
 */
export async function chooseBackend(renderer = webglRenderer()) {
  const wasm = await start('wasm');
  if (renderer === null || SOFTWARE_RENDERER.test(renderer)) {
    if (wasm) {
      const where = typeof document === 'undefined' ? 'to the engine\'s worker in this browser' : 'here';
      return { backend: 'wasm', why: renderer === null ? `WebGL is not available ${where}`
        : `WebGL is drawn by software here (${renderer}), far slower than WASM` };
    }
  } else {
    const wasmMs = wasm ? await probeMs() : Infinity;
    if (await start('webgl')) {
      const webglMs = await probeMs();
      const times = `WebGL ${webglMs.toFixed(1)} ms, WASM ${wasm ? `${wasmMs.toFixed(1)} ms` : 'unavailable'}`;
      if (webglMs < wasmMs) return { backend: 'webgl', why: `measured faster (${times}; ${renderer})` };
      await start('wasm');
      tf.removeBackend('webgl');
      return { backend: 'wasm', why: `measured faster (${times}; ${renderer})` };
    }
    if (wasm) {
      await start('wasm');
      return { backend: 'wasm', why: 'WebGL did not start here' };
    }
  }
  if (await start('cpu')) return { backend: 'cpu', why: 'neither WASM nor WebGL could start here' };
  throw new Error('No TensorFlow.js backend could start in this browser.');
}

/**
 * Activate a backend: the one forced, the one chosen earlier in this visit
 * (`previous`: the measurement is not repeated), or the one chooseBackend picks.
 * @param {string|null} forced
 * @param {Choice|null} [previous]
 * @returns {Promise<Choice>}
 */
export async function initBackend(forced, previous = null) {
  if (forced) {
    if (await start(forced)) return { backend: forced, why: 'asked for in the address (?backend=)' };
    throw new Error(`The ${forced} backend is not available in this browser.`);
  }
  if (previous && BACKENDS.includes(previous.backend) && await start(previous.backend)) return previous;
  return chooseBackend();
}
