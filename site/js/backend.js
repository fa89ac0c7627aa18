// @ts-check
/** Choosing and reporting the TF.js backend: WebGL, else WASM, else CPU. */
import * as tf from '../vendor/tf.js';
import { BACKENDS } from './config.js';

/** A backend that has not started by then is treated as unavailable. */
const START_TIMEOUT_MS = 30_000;

/**
 * @param {Promise<boolean>} starting
 * @returns {Promise<boolean>}
 */
function withTimeout(starting) {
  return Promise.race([starting, new Promise((resolve) => { setTimeout(() => resolve(false), START_TIMEOUT_MS); })]);
}

/**
 * Activate the forced backend, or the first of BACKENDS that initialises.
 * @param {string|null} forced
 * @returns {Promise<string>} the active backend's name
 */
export async function initBackend(forced) {
  tf.setWasmPaths(new URL('../vendor/', import.meta.url).href);
  const candidates = forced ? [forced] : BACKENDS;
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
