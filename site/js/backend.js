// @ts-check
/** Choosing and reporting the TF.js backend: WebGL, else WASM, else CPU. */
import * as tf from '../vendor/tf.js';
import { BACKENDS } from './config.js';

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
      if (await tf.setBackend(name)) {
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
