// @ts-check
/**
 * One image through the pipeline, no DOM: find faces -> plan the crops ->
 * preprocess each -> classify. Every tensor made here is disposed here.
 */
import * as tf from '../../vendor/tf.js';
import { gradCam, normalise } from './explain.js';
import { planCrops } from '../domain/faces.js';
import { cropToInput } from './preprocess.js';

/**
 * @typedef {import('../domain/engine-api.js').Box} Box
 * @typedef {import('../domain/engine-api.js').ScoredFace} ScoredFace
 * @typedef {import('../domain/engine-api.js').Analysis} Analysis
 */

/**
 * @param {ImageBitmap} bitmap
 * @param {import('./model.js').MesoNet} model
 * @param {((bitmap: ImageBitmap) => Promise<import('./face-detector.js').Detection[]>)|null} findFaces
 *   the face detector to use; null: score the whole image
 * @returns {Promise<Analysis>}
 */
export async function analyseBitmap(bitmap, model, findFaces) {
  if (!findFaces) {
    const whole = { x: 0, y: 0, w: bitmap.width, h: bitmap.height };
    return { mode: 'whole', detectMs: null, faces: [await scoreBox(bitmap, model, whole, null, null)] };
  }
  const started = performance.now();
  const detections = await findFaces(bitmap);
  const detectMs = performance.now() - started;
  const plan = planCrops(detections, bitmap.width, bitmap.height);
  return { mode: plan.mode, detectMs, faces: await scorePlanned(bitmap, model, plan.faces) };
}

/**
 * Score the faces planCrops chose, one after the other (also used by the
 * live mode, webcam.js).
 * @param {ImageBitmap} bitmap
 * @param {import('./model.js').MesoNet} model
 * @param {{ box: Box, face: Box, confidence: number }[]} planned
 * @returns {Promise<ScoredFace[]>}
 */
export async function scorePlanned(bitmap, model, planned) {
  const faces = [];
  for (const p of planned) faces.push(await scoreBox(bitmap, model, p.box, p.face, p.confidence));
  return faces;
}

/**
 * @param {ImageBitmap} bitmap
 * @param {import('./model.js').MesoNet} model
 * @param {Box} box
 * @param {Box|null} face
 * @param {number|null} confidence
 * @returns {Promise<ScoredFace>}
 */
async function scoreBox(bitmap, model, box, face, confidence) {
  const input = await cropToInput(bitmap, model.metadata.input, box);
  const batch = tf.expandDims(input, 0);
  try {
    const started = performance.now();
    const [pReal] = await model.predict(/** @type {any} */ (batch));
    return { box, face, confidence, pReal, ms: performance.now() - started };
  } finally {
    tf.dispose([input, batch]);
  }
}

/**
 * Grad-CAM map of each scored face (what pushed it towards "manipulated"),
 * normalised to [0, 1]. Scores are not touched; every tensor is disposed.
 * @param {ImageBitmap} bitmap
 * @param {import('./model.js').MesoNet} model
 * @param {{ box: Box }[]} faces
 * @returns {Promise<{ values: Float32Array, size: number[] }[]>}
 */
export async function explainFaces(bitmap, model, faces) {
  const maps = [];
  for (const face of faces) {
    const input = await cropToInput(bitmap, model.metadata.input, face.box);
    const map = tf.tidy(() => normalise(gradCam(model, /** @type {tf.Tensor4D} */ (tf.expandDims(input, 0)))));
    try {
      maps.push({ values: /** @type {Float32Array} */ (await map.data()), size: map.shape.slice(1) });
    } finally {
      tf.dispose([input, map]);
    }
  }
  return maps;
}
