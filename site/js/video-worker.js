// @ts-check
/**
 * The video worker: analyses video frames off the page's thread, so the page
 * stays responsive while a long video runs. It holds its own copy of the
 * model and of the face detector on the page's backend. Frames arrive as ImageBitmaps (moved, not
 * copied) and their results go back with the face thumbnails. Protocol, one
 * message at a time, answered in order:
 *   { type: 'start', backend, model }  -> { type: 'ready' } | { type: 'error', message }
 *   { type: 'model', model }           -> { type: 'ready' } | { type: 'error', message }
 *   { type: 'video', faces }           -> { type: 'ready' }  (a new video; faces: find them or not)
 *   { type: 'frame', bitmap }          -> { type: 'frame', analysis, thumbs } | { type: 'error', message }
 *   { type: 'memory' }                 -> { type: 'memory', tensors }
 * `model` is a model folder URL, or the user's files (File[]).
 */
import * as tf from '../vendor/tf.js';
import { createFrameAnalyser } from './analyse-video.js';
import { backendThreads, initBackend } from './backend.js';
import { loadFaceDetector } from './face-detector.js';
import { fileSource } from './model-files.js';
import { loadMesoNet } from './model.js';

/** @type {import('./model.js').MesoNet|null} */
let model = null;
/** @type {import('./face-detector.js').FaceDetector|null} */
let detector = null;
/** @type {import('./analyse-video.js').FrameAnalyser|null} */
let analyseFrame = null;

/** @param {string|File[]} source */
async function useModel(source) {
  const next = await loadMesoNet(typeof source === 'string' ? source : fileSource(source));
  model?.dispose();
  model = next;
}

/** @param {any} data */
async function handle(data) {
  switch (data.type) {
    case 'start':
      await initBackend(data.backend);
      [, detector] = await Promise.all([useModel(data.model), loadFaceDetector()]);
      return [{ type: 'ready', threads: backendThreads() }];
    case 'model':
      await useModel(data.model);
      return [{ type: 'ready' }];
    case 'video':
      analyseFrame = createFrameAnalyser(/** @type {any} */ (model), data.faces ? detector : null);
      return [{ type: 'ready' }];
    case 'frame': {
      if (!analyseFrame) throw new Error('No video started in the worker.');
      const { analysis, thumbs } = await analyseFrame(data.bitmap);
      return [{ type: 'frame', analysis, thumbs }, thumbs.filter((t) => t !== null)];
    }
    case 'memory':
      return [{ type: 'memory', tensors: tf.memory().numTensors }];
    default:
      throw new Error(`Unknown message ${data.type}`);
  }
}

let queue = Promise.resolve();
self.addEventListener('message', (event) => {
  queue = queue.then(async () => {
    try {
      const [reply, transfer = []] = await handle(event.data);
      self.postMessage(reply, { transfer });
    } catch (error) {
      self.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
});
