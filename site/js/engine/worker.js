// @ts-check
/**
 * The engine's worker: the core (core.js) off the page's thread, so the page
 * stays responsive however much it analyses. One request at a time, in the
 * order sent. Protocol (client.js is the other end):
 *   { id, method: 'start', args: [{ backend }] } -> { id, result: { backend, threads } }
 *   { id, method, args }   -> { id, result }  (method: a core method, see core.js)
 *                          -> { id, error: { message, input } }  input: an InputError
 * Pictures arrive moved (ImageBitmap transferred), and previews and face crops
 * go back moved. Video files arrive as File (a handle: nothing is copied) and
 * are decoded here (openVideo, readVideo, videoFrame, closeVideo).
 */
import { createCore } from './core.js';
import { InputError } from './errors.js';

/** @type {Awaited<ReturnType<typeof createCore>>|null} */
let core = null;

const METHODS = new Set(['setModel', 'analyseImage', 'analyseFrame', 'liveFrame', 'explain', 'tensors',
  'openVideo', 'readVideo', 'videoFrame', 'closeVideo']);

/** @param {string} method @param {any[]} args */
async function call(method, args) {
  if (method === 'start') {
    core = await createCore(args[0]);
    return { backend: core.backend, backendWhy: core.backendWhy, threads: core.threads };
  }
  if (!core) throw new Error('The engine has not started.');
  if (!METHODS.has(method)) throw new Error(`Unknown engine method ${method}`);
  return /** @type {any} */ (core)[method](...args);
}

/** Pictures in a result, to move rather than copy. @param {any} result */
function transferable(result) {
  if (!result || typeof result !== 'object') return [];
  return [result.preview, ...(result.crops || [])].filter((b) => b instanceof ImageBitmap);
}

let queue = Promise.resolve();
self.addEventListener('message', (event) => {
  const { id, method, args } = event.data;
  queue = queue.then(async () => {
    try {
      const result = await call(method, args);
      self.postMessage({ id, result }, { transfer: transferable(result) });
    } catch (error) {
      self.postMessage({ id, error: { message: error instanceof Error ? error.message : String(error),
        input: error instanceof InputError } });
    }
  });
});
