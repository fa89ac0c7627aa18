// @ts-check
/**
 * Page wiring: the engine (engine/client.js: TF.js, the model, the face
 * detector and Grad-CAM in a worker), files from the drop zone / picker /
 * paste / "Try a sample" to cards through the pipeline (pipeline.js: the
 * engine works on the next picture while this one is drawn), the model
 * choice and which model made each result, the overview, the report, the
 * settings remembered on this device, heatmaps, export, the webcam. This
 * thread only reads the first bytes of files, plays videos to grab their
 * frames, draws and handles events; everything TF.js runs in the engine,
 * and files' sha256 in a hashing worker of their own.
 *
 * Tests and embedders reach the engine through the exported `engine`:
 *   (await import('./js/app/main.js')).engine.then((e) => e.tensors())
 */
import { PIPELINE_WINDOW, SAMPLES, SAMPLE_ROOT, urlOptions } from '../domain/config.js';
import { createEngine } from '../engine/client.js';
import { registerServiceWorker } from './offline.js';
import { $, announce, messageOf } from './page.js';
import { createPageState } from './state.js';
import { setupHeatmaps } from './heatmaps.js';
import { setupSettingsPanel } from './settings-panel.js';
import { setupOverview } from './overview.js';
import { setupReport } from './report.js';
import { setupModels } from './models.js';
import { createEntries } from './entries.js';
import { createImageJob } from './images.js';
import { createVideoJob } from './videos.js';
import { setupFiles } from './files.js';
import { createPipeline } from '../domain/pipeline.js';
import { toCsv, toJson } from '../domain/records.js';
import { startingSettings } from '../domain/settings.js';
import { setupWebcam } from '../sources/webcam.js';
import { download } from '../views/export.js';

/**
 * @typedef {import('../domain/records.js').FileResult} FileResult
 * @typedef {import('../domain/engine-api.js').Engine} Engine
 * @typedef {import('../domain/faces.js').Box} Box
 * @typedef {import('../domain/formats.js').Sniffed} Sniffed
 * @typedef {import('./state.js').ModelRecord} ModelRecord
 * @typedef {import('./state.js').Entry} Entry
 */

/** The analysis engine, started as the page loads. */
export const engine = Promise.resolve().then(() => createEngine({ backend: urlOptions(location.search).backend }));

const state = createPageState();
/** Pictures pasted so far: each one's name. */
let pasted = 0;
const starting = startingSettings(state.remembered, location.search);
/** Analyses, model switches and maps, in the order asked for. */
const pipeline = createPipeline(PIPELINE_WINDOW);
const report = setupReport(state);
const overview = setupOverview({ state, report, again: (entry) => files.reanalyse(entry) });

// ------------------------------------------------------------------ settings

const heatmaps = setupHeatmaps({ engine, state, pipeline });
const settings = setupSettingsPanel({ state, heatmaps, starting });
const models = setupModels({ engine, state, pipeline, starting, onUse: overview.refreshStale });
const { ready } = models;
report.showVersion();
/** Reset to defaults: the settings, then the model. */
$('settings-reset').addEventListener('click', () => {
  settings.reset();
  models.useDefault();
});

// ------------------------------------------------------------------ files

const entries = createEntries({ state, ready, overview });
const imageJob = createImageJob({ engine, ready, state, pipeline, entries, overview, settings, heatmaps });
const videoJob = createVideoJob({ engine, ready, state, entries, overview, settings, heatmaps });
const files = setupFiles({ state, pipeline, entries, overview, imageJob, videoJob });
const addFiles = files.add;

// ------------------------------------------------------------------ inputs

const fileInput = /** @type {HTMLInputElement} */ ($('file-input'));
fileInput.addEventListener('change', () => {
  const files = Array.from(fileInput.files || []);
  fileInput.value = '';
  addFiles(files);
});

document.body.addEventListener('dragover', (event) => {
  if (!event.dataTransfer?.types.includes('Files')) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
  $('drop-zone').classList.add('dragging');
});
document.body.addEventListener('dragleave', (event) => {
  if (!event.relatedTarget) $('drop-zone').classList.remove('dragging');
});
document.body.addEventListener('drop', (event) => {
  $('drop-zone').classList.remove('dragging');
  const files = Array.from(event.dataTransfer?.files || []);
  if (files.length === 0) return;
  event.preventDefault();
  addFiles(files);
});

document.addEventListener('paste', (event) => {
  const files = Array.from(event.clipboardData?.files || []);
  if (files.length === 0) return;
  event.preventDefault();
  addFiles(files.map((file) => {
    pasted += 1;
    const ext = (file.type.split('/')[1] || 'png').replace('jpeg', 'jpg');
    return new File([file], `pasted-${pasted}.${ext}`, { type: file.type });
  }));
});

const sampleButton = /** @type {HTMLButtonElement} */ ($('sample'));
sampleButton.addEventListener('click', async () => {
  sampleButton.disabled = true;
  try {
    addFiles(await Promise.all(SAMPLES.map(async (name) => {
      const response = await fetch(SAMPLE_ROOT + name);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new File([await response.blob()], name, { type: 'image/jpeg' });
    })));
  } catch (error) {
    announce(`The sample pictures could not be loaded (${messageOf(error)}).`);
  } finally {
    sampleButton.disabled = false;
  }
});

// ------------------------------------------------------------------ export, clear

function about() {
  const m = state.model;
  return { page: 'mesonet-web', page_version: state.version?.version ?? null, page_commit: state.version?.commit ?? null,
    model: m?.id ?? null, model_name: m?.name ?? null, model_sha256: m?.weights.map((w) => w.sha256) ?? [],
    backend: state.backend, thresholds: m?.thresholds ?? null };
}

/** Every file's result, with its sha256 (computed now for those still waiting). */
async function results() {
  await Promise.all(state.entries.map(entries.ensureHash));
  return state.entries.map((e) => e.result);
}

$('export-json').addEventListener('click', async () => download(toJson(await results(), about()),
  'mesonet-results.json', 'application/json'));
$('export-csv').addEventListener('click', async () => download(toCsv(await results()),
  'mesonet-results.csv', 'text/csv'));
// ------------------------------------------------------------------ webcam

setupWebcam({ ready, engine, thresholds: () => state.metadata?.thresholds, backend: () => state.backend });

registerServiceWorker();
