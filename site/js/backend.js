// @ts-check
/**
 * Choosing and reporting the TF.js backend: WebGL on a real GPU, else WASM,
 * else CPU. WebGL drawn by a software rasteriser (SwiftShader, llvmpipe: no
 * GPU, or GPU access blocked) is skipped when choosing automatically: there
 * it is 10 to 30 times slower than WASM (the face detector takes seconds per
 * image). ?backend=webgl still forces it.
 */
import * as tf from '../vendor/tf.js';
import { BACKENDS } from './config.js';

/** A backend that has not started by then is treated as unavailable. */
const START_TIMEOUT_MS = 30_000;

/** Renderer names of software WebGL implementations. */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/**
 * @param {Promise<boolean>} starting
 * @returns {Promise<boolean>}
 */
function withTimeout(starting) {
  return Promise.race([starting, new Promise((resolve) => { setTimeout(() => resolve(false), START_TIMEOUT_MS); })]);
}

/**
 * The WebGL renderer's name, or null when WebGL is unavailable or hides it.
 * @returns {string|null}
 */
export function webglRenderer() {
  try {
    const gl = document.createElement('canvas').getContext('webgl');
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
      if (await withTimeout(tf.setBackend(name))) {
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
