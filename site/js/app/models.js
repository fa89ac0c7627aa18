// @ts-check
/**
 * The model choice: the published models (model/index.json) in the picker,
 * the one the page starts with (remembered, or asked for in the address),
 * switching models through the pipeline (after every file added before the
 * switch, before every file added after it), the user's own model
 * (own-model.js) chosen in the settings or kept on this device, and the model
 * in use (its name, note and weight hashes: what each result names). Also
 * shows the engine's backend and threads, and says so when nothing loads.
 */
import { MODEL_ROOT, modelNote, pickModel, weightHashes } from '../domain/config.js';
import { fetchJson } from '../engine/model-files.js';
import { OWN_MODEL_ID, ownModelProblem, setupOwnModel } from './own-model.js';
import { $, READY_TEXT, announce, messageOf, setStatus } from './page.js';
import { remember } from './state.js';

/**
 * @typedef {import('../domain/config.js').ModelIndex} ModelIndex
 * @typedef {import('./state.js').ModelRecord} ModelRecord
 *
 * @typedef {object} Models
 * @property {Promise<ModelIndex>} ready resolves once the engine has the starting model, to the models' index
 * @property {() => void} useDefault back to the index's default model, if another is in use
 */

/**
 * @param {{ engine: import('./state.js').EnginePromise, state: import('./state.js').PageState,
 *   pipeline: import('./state.js').Pipeline, starting: { model: string|null, modelFromAddress: boolean },
 *   onUse: () => void }} parts starting: the model the page starts with; onUse: a model is now in use
 * @returns {Models}
 */
export function setupModels({ engine, state, pipeline, starting, onUse }) {
  const select = /** @type {HTMLSelectElement} */ ($('model-select'));
  const own = setupOwnModel({ select,
    keep: /** @type {HTMLInputElement} */ ($('keep-model')), note: $('keep-note'),
    use: async (files) => (await engine).setModel(files) });
  const modelUrl = (/** @type {import('../domain/config.js').ModelEntry} */ m) => new URL(MODEL_ROOT + m.path, location.href).href;

  /** @returns {Promise<ModelIndex>} */
  async function start() {
    const [e, index] = await Promise.all([engine, fetchJson(MODEL_ROOT + 'index.json')]);
    state.backend = e.backend;
    state.threads = e.threads;
    $('backend').textContent = e.backend;
    $('backend-why').textContent = `(${e.backendWhy})`;
    $('threads').dataset.threads = String(e.threads);
    $('threads').textContent = e.threads > 1 ? `(${e.threads} threads)` : '';
    // A remembered model the site no longer has is forgotten; one asked for in the address must exist.
    const known = index.models?.some((/** @type {any} */ m) => m.id === starting.model);
    const entry = pickModel(index, starting.modelFromAddress || known ? starting.model : null);
    for (const m of index.models) {
      const option = document.createElement('option');
      option.value = m.id;
      option.textContent = m.name;
      select.append(option);
    }
    await own.restore();
    select.value = entry.id;
    useModel(await e.setModel(modelUrl(entry)), entry.id);
    select.disabled = false;
    select.addEventListener('change', () => {
      if (select.value === OWN_MODEL_ID) {
        switchModel(own.load, OWN_MODEL_ID, 'your own model');
      } else {
        const chosen = pickModel(index, select.value);
        remember(state, { model: chosen.id });
        switchModel(() => e.setModel(modelUrl(chosen)), chosen.id, chosen.name);
      }
    });
    setStatus('ready', READY_TEXT);
    return index;
  }

  /**
   * @param {any} metadata the model's metadata.json, as the engine loaded it
   * @param {string} id the picker's value
   */
  function useModel(metadata, id) {
    const weights = weightHashes(metadata);
    /** @type {ModelRecord} */
    const model = { key: `${id}@${weights.map((w) => w.sha256).join(',')}`, id, name: metadata.name, weights,
      thresholds: metadata.thresholds };
    state.model = state.models.get(model.key) ?? model;
    state.metadata = metadata;
    $('model-name').textContent = metadata.name;
    const note = modelNote(metadata);
    $('model-note').textContent = note;
    $('model-note').hidden = !note;
    select.value = id;
    showModelError('');
    onUse();
  }

  /** The own model's problems, where the user chose its files (and in the status line). @param {string} text */
  function showModelError(text) {
    $('model-error').textContent = text;
    $('model-error').hidden = !text;
    if (text) /** @type {HTMLDetailsElement} */ ($('settings')).open = true;
  }

  /**
   * A model switch: after every file added before it, before every file added after.
   * @param {() => Promise<import('../domain/config.js').ModelMetadata>} load resolves to the new model's metadata
   * @param {string} id
   * @param {string} name what to call it while it loads
   */
  function switchModel(load, id, name) {
    setStatus('loading', `Loading ${name}…`);
    return pipeline.add({
      alone: true,
      start: async () => { await ready; return load(); },
      finish: (outcome) => {
        if (outcome.ok) {
          useModel(outcome.value, id);
          setStatus('ready', `Ready: ${state.model?.name}.`);
        } else {
          // The previous model stays in use: say so rather than leave the page stuck.
          const text = `That model could not be loaded (${messageOf(outcome.error)}); still using ${state.model?.name}.`;
          setStatus('ready', text);
          showModelError(text);
          select.value = state.model?.id ?? '';
        }
      },
    });
  }

  const ready = start();
  ready.catch((error) => {
    setStatus('error', messageOf(error));
    // Nothing can be analysed: say so on the picker too (queued files get error cards).
    /** @type {HTMLInputElement} */ ($('file-input')).disabled = true;
  });

  const ownModel = /** @type {HTMLInputElement} */ ($('own-model-input'));
  ownModel.addEventListener('change', () => {
    const files = Array.from(ownModel.files || []);
    ownModel.value = '';
    if (files.length === 0) return;
    const problem = ownModelProblem(files.map((f) => f.name));
    if (problem) {
      showModelError(problem);
      announce(problem);
      return;
    }
    showModelError('');
    ready.then(() => switchModel(() => own.pick(files), OWN_MODEL_ID, 'your own model'), () => {});
  });

  return {
    ready,
    useDefault() {
      ready.then((index) => {
        const entry = pickModel(index, null);
        if (state.model?.id !== entry.id) {
          select.value = entry.id;
          switchModel(() => engine.then((e) => e.setModel(modelUrl(entry))), entry.id, entry.name);
        }
      }, () => {});
    },
  };
}
