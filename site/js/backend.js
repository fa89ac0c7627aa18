// @ts-check
/**
 * Choosing and reporting the TF.js backend: WebGL on a real GPU, else WASM,
 * else CPU. WebGL drawn by a software rasteriser (SwiftShader, llvmpipe: no
 * GPU, or GPU access blocked) is skipped when choosing automatically: there
 * it is 10 to 30 times slower than WASM (the face detector takes seconds per
 * image). ?backend=webgl still forces it.
 */
import * as tf from '../vendor/tf.js';
import { BACKENDS, WASM_MAX_THREADS } from './config.js';

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
 * Activate the forced backend, or the first of BACKENDS that initialises
 * (WebGL only on hardware).
 * @param {string|null} forced
 * @returns {Promise<string>} the active backend's name
 */
export async function initBackend(forced) {
  tf.setWasmPaths(new URL('../vendor/', import.meta.url).href);
  let candidates = forced ? [forced] : BACKENDS;
  if (!forced && SOFTWARE_RENDERER.test(webglRenderer() || '')) {
    candidates = candidates.filter((name) => name !== 'webgl');
  }
  for (const name of candidates) {
    try {
      if (await withTimeout(name === 'wasm' ? startWasm() : tf.setBackend(name))) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // not available in this browser: try the next one
    }
  }
  throw new Error(forced
    ? `The ${forced} backend is not available in this browser.`
    : 'No TensorFlow.js backend could start in this browser.');
}
