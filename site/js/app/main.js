// @ts-check
/**
 * The page's entry point (index.html loads it): starts the engine
 * (engine/client.js: TF.js, the model, the face detector and Grad-CAM in a
 * worker), makes what the app's modules share (the page state, state.js; the
 * pipeline, domain/pipeline.js: the engine works on the next picture while
 * this one is drawn) and connects the modules that wire each part of the
 * page, each handed what it uses:
 *   report.js       the printed report's title block, the page version, print
 *   overview.js     each file's row, the counts, stale results
 *   heatmaps.js     the heatmap switch and slider, the legend, maps drawn later
 *   settings-panel.js  the faces switch, video sampling, reset
 *   models.js       the model picker, switching models, the own model
 *   entries.js      a card set analysing or failed, a file's sha256
 *   images.js, videos.js  a picture's or a video's job, and its card
 *   files.js        files onto the page (in order), again, and cleared
 *   export.js       the JSON and CSV downloads
 * and wires here what brings files in (the picker, drop, paste, "Try a
 * sample"), the reset button (settings, then model), the webcam and the
 * service worker. This thread only reads the first bytes of files, plays
 * videos to grab their frames, draws and handles events; everything TF.js
 * runs in the engine, and files' sha256 in a hashing worker of their own.
 *
 * Tests and embedders reach the engine through the exported `engine`:
 *   (await import('./js/app/main.js')).engine.then((e) => e.tensors())
 */
import { PIPELINE_WINDOW, SAMPLES, SAMPLE_ROOT, urlOptions } from '../domain/config.js';
import { createPipeline } from '../domain/pipeline.js';
import { startingSettings } from '../domain/settings.js';
import { createEngine } from '../engine/client.js';
import { setupWebcam } from '../sources/webcam.js';
import { createEntries } from './entries.js';
import { setupExport } from './export.js';
import { setupFiles } from './files.js';
import { setupHeatmaps } from './heatmaps.js';
import { createImageJob } from './images.js';
import { setupModels } from './models.js';
import { registerServiceWorker } from './offline.js';
import { setupOverview } from './overview.js';
import { $, announce, messageOf } from './page.js';
import { setupReport } from './report.js';
import { setupSettingsPanel } from './settings-panel.js';
import { createPageState } from './state.js';
import { createVideoJob } from './videos.js';

/** @typedef {import('../domain/engine-api.js').Engine} Engine */

/** The analysis engine, started as the page loads. @type {Promise<Engine>} */
export const engine = Promise.resolve().then(() => createEngine({ backend: urlOptions(location.search).backend }));

const state = createPageState();
const starting = startingSettings(state.remembered, location.search);
/** Analyses, model switches and maps, in the order asked for. */
const pipeline = createPipeline(PIPELINE_WINDOW);

const report = setupReport(state);
// Analysing a stale result again goes the way of a new file: files.js, made below.
const overview = setupOverview({ state, report, again: (entry) => files.reanalyse(entry) });
const heatmaps = setupHeatmaps({ engine, state, pipeline });
const settings = setupSettingsPanel({ state, heatmaps, starting });
const models = setupModels({ engine, state, pipeline, starting, onUse: overview.refreshStale });
const { ready } = models;
report.showVersion();
$('settings-reset').addEventListener('click', () => {
  settings.reset();
  models.useDefault();
});

const entries = createEntries({ state, ready, overview });
const imageJob = createImageJob({ engine, ready, state, pipeline, entries, overview, settings, heatmaps });
const videoJob = createVideoJob({ engine, ready, state, entries, overview, settings, heatmaps });
const files = setupFiles({ state, pipeline, entries, overview, imageJob, videoJob });
setupExport({ state, entries });

// ------------------------------------------------------------------ files in: picker, drop, paste, sample

const fileInput = /** @type {HTMLInputElement} */ ($('file-input'));
fileInput.addEventListener('change', () => {
  const chosen = Array.from(fileInput.files || []);
  fileInput.value = '';
  files.add(chosen);
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
  const dropped = Array.from(event.dataTransfer?.files || []);
  if (dropped.length === 0) return;
  event.preventDefault();
  files.add(dropped);
});

/** Pictures pasted so far: each one's name. */
let pasted = 0;
document.addEventListener('paste', (event) => {
  const given = Array.from(event.clipboardData?.files || []);
  if (given.length === 0) return;
  event.preventDefault();
  files.add(given.map((file) => {
    pasted += 1;
    const ext = (file.type.split('/')[1] || 'png').replace('jpeg', 'jpg');
    return new File([file], `pasted-${pasted}.${ext}`, { type: file.type });
  }));
});

const sampleButton = /** @type {HTMLButtonElement} */ ($('sample'));
sampleButton.addEventListener('click', async () => {
  sampleButton.disabled = true;
  try {
    files.add(await Promise.all(SAMPLES.map(async (name) => {
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

// ------------------------------------------------------------------ webcam, offline

setupWebcam({ ready, engine, thresholds: () => state.metadata?.thresholds, backend: () => state.backend });

registerServiceWorker();
