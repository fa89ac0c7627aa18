// @ts-check
/**
 * Page wiring: status, model and backend start-up, files to result cards.
 * The pipeline: file -> decode -> preprocess -> classify -> verdict -> card.
 */
import * as tf from '../vendor/tf.js';
import { initBackend } from './backend.js';
import { MODEL_ROOT, fetchJson, pickModel, urlOptions } from './config.js';
import { loadMesoNet } from './model.js';
import { registerServiceWorker } from './offline.js';
import { decodeImage, toInput } from './preprocess.js';
import { VERDICT_LABELS, verdictFor } from './verdict.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (
  document.querySelector(`[data-testid=${id}]`));

/** @param {'loading'|'ready'|'error'} state @param {string} text */
function setStatus(state, text) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

/** @param {File} file */
function newCard(file) {
  const card = document.createElement('article');
  card.className = 'card';
  card.dataset.testid = 'result';
  card.dataset.file = file.name;
  card.dataset.kind = file.type.startsWith('video/') ? 'video' : 'image';
  card.dataset.state = 'queued';
  const title = document.createElement('h2');
  title.textContent = file.name; // text, never HTML
  card.append(title);
  $('results').append(card);
  return card;
}

/**
 * @param {import('./model.js').MesoNet} model
 * @param {File} file
 * @param {HTMLElement} card
 */
async function analyse(model, file, card) {
  card.dataset.state = 'analyzing';
  let bitmap;
  try {
    bitmap = await decodeImage(file);
  } catch {
    throw new Error('This file could not be read as an image.');
  }
  const input = toInput(bitmap, model.metadata.input);
  const batch = tf.expandDims(input, 0);
  const started = performance.now();
  const [pReal] = await model.predict(/** @type {any} */ (batch));
  const ms = performance.now() - started;
  tf.dispose([input, batch]);
  const verdict = verdictFor(pReal, model.metadata.thresholds);

  const preview = document.createElement('canvas');
  preview.width = bitmap.width;
  preview.height = bitmap.height;
  preview.getContext('2d')?.drawImage(bitmap, 0, 0);
  preview.style.maxWidth = '100%';
  bitmap.close();
  const line = document.createElement('p');
  line.className = 'verdict';
  line.textContent = `${VERDICT_LABELS[verdict]}: P(real) ${(pReal * 100).toFixed(1)}%`;
  const timing = document.createElement('p');
  timing.textContent = `Classified in ${ms.toFixed(1)} ms (whole image, ${model.metadata.input.size.join('×')}).`;
  card.append(preview, line, timing);
  card.dataset.pReal = String(pReal);
  card.dataset.verdict = verdict;
  card.dataset.state = 'done';
}

/** @param {HTMLElement} card @param {unknown} error */
function showError(card, error) {
  const message = document.createElement('p');
  message.dataset.testid = 'error';
  message.textContent = error instanceof Error ? error.message : String(error);
  card.append(message);
  card.dataset.state = 'error';
}

async function start() {
  try {
    const options = urlOptions(location.search);
    const backend = await initBackend(options.backend);
    $('backend').textContent = backend;
    const index = await fetchJson(MODEL_ROOT + 'index.json');
    const entry = pickModel(index, options.model);
    const model = await loadMesoNet(new URL(MODEL_ROOT + entry.path, location.href).href);
    $('model-name').textContent = model.metadata.name;
    const input = /** @type {HTMLInputElement} */ ($('file-input'));
    input.addEventListener('change', async () => {
      const files = Array.from(input.files || []);
      input.value = '';
      const cards = files.map((file) => ({ file, card: newCard(file) }));
      for (const { file, card } of cards) {
        try {
          await analyse(model, file, card);
        } catch (error) {
          showError(card, error);
        }
      }
    });
    input.disabled = false;
    setStatus('ready', `Ready: choose images to analyse (${backend}).`);
  } catch (error) {
    setStatus('error', error instanceof Error ? error.message : String(error));
  }
}

start();
registerServiceWorker();
