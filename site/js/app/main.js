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
import { analyseVideo } from './analyse-video.js';
import { PIPELINE_WINDOW, SAMPLES, SAMPLE_ROOT, urlOptions } from '../domain/config.js';
import { createEngine } from '../engine/client.js';
import { InputError } from '../engine/errors.js';
import { HEAD_BYTES, jpegLooksComplete, sniffFormat } from '../domain/formats.js';
import { createHasher } from '../sources/hashes.js';
import { registerServiceWorker } from './offline.js';
import { $, READY_TEXT, announce, messageOf, setStatus } from './page.js';
import { createPageState } from './state.js';
import { setupHeatmaps } from './heatmaps.js';
import { setupSettingsPanel } from './settings-panel.js';
import { setupOverview } from './overview.js';
import { setupReport } from './report.js';
import { setupModels } from './models.js';
import { createPipeline } from '../domain/pipeline.js';
import { imageFields, modelFields, toCsv, toJson, videoFields } from '../domain/records.js';
import { startingSettings } from '../domain/settings.js';
import { VERDICT_LABELS, aggregateFaces, formatPercent } from '../domain/verdict.js';
import { grabVideoFrame } from '../sources/video-frames.js';
import { VideoError, openVideo } from '../sources/video-reader.js';
import { sampleTimes, summariseVideo } from '../domain/video-summary.js';
import { setupWebcam } from '../sources/webcam.js';
import {
  createCard, markModel, resetCard, setFileFacts, setProgress, showAnalysis, showError, showHeatmaps,
} from '../views/card.js';
import { download } from '../views/export.js';
import { showVideo, showVideoProgress } from '../views/video.js';

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
/** Files added so far: each card's number. */
let added = 0;
/** Pictures pasted so far: each one's name. */
let pasted = 0;
const starting = startingSettings(state.remembered, location.search);
/** Analyses, model switches and maps, in the order asked for. */
const pipeline = createPipeline(PIPELINE_WINDOW);
const hasher = createHasher();
const report = setupReport(state);
const overview = setupOverview({ state, report, again: (entry) => reanalyse(entry) });

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

/** @param {File[]} files */
function addFiles(files) {
  /** @type {Entry[]} */
  const entries = files.map((file) => {
    added += 1;
    const id = `result-${added}`;
    const kind = file.type.startsWith('video/') ? 'video' : 'image';
    const card = createCard($('results'), file.name, kind, id);
    /** @type {Entry} */
    const entry = { id, order: added, file, card, result: freshResult(file, kind), row: /** @type {any} */ (null),
      facts: { size: file.size, label: file.type || 'file', type: file.type || null, sha256: null },
      kind: null, model: null, hashing: null, removed: false };
    setFileFacts(card, entry.facts);
    state.entries.push(entry);
    overview.touch(entry);
    return entry;
  });
  // What each file is, from its bytes, then each joins the pipeline in the order added.
  state.adding = state.adding.then(async () => {
    const kinds = await Promise.all(entries.map((entry) => readKind(entry.file)));
    entries.forEach((entry, i) => enqueue(entry, kinds[i]));
  });
}

/**
 * @param {File} file
 * @param {'image'|'video'} kind
 * @returns {FileResult}
 */
function freshResult(file, kind) {
  return {
    file: file.name, kind, state: 'queued', verdict: null, p_real: null, mode: null,
    model: null, backend: null, detect_ms: null, faces: [], error: null,
    sha256: null, size: file.size, type: file.type || null,
  };
}

/**
 * A file whose kind is known joins the pipeline (or gets its error card).
 * @param {Entry} entry
 * @param {{ sniffed: Sniffed, notes: string[] }} kind
 */
function enqueue(entry, kind) {
  if (entry.removed) return;
  entry.kind = kind;
  const { sniffed, notes } = kind;
  if (sniffed.type) {
    Object.assign(entry.facts, { type: sniffed.type, label: sniffed.label ?? sniffed.type });
    entry.result.type = sniffed.type;
    setFileFacts(entry.card, entry.facts);
  }
  if (sniffed.kind === 'video' || sniffed.kind === 'image') {
    // What the bytes are, whatever the name says (a JPEG named .mp4 is a picture).
    entry.card.dataset.kind = sniffed.kind;
    entry.result.kind = sniffed.kind;
  }
  if (sniffed.kind === 'video') pipeline.add(videoJob(entry));
  else if (sniffed.kind === 'image') pipeline.add(imageJob(entry, { sniffed, notes }));
  else fail(entry, sniffed.message || 'Unsupported file.');
}

/**
 * What a file is (formats.js) and what to say about it.
 * @param {File} file
 */
async function readKind(file) {
  const sniffed = sniffFormat(new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer()), file.type);
  /** @type {string[]} */
  const notes = [];
  if (sniffed.format === 'jpeg' && !jpegLooksComplete(new Uint8Array(await file.slice(-64).arrayBuffer()))) {
    notes.push('This JPEG looks truncated: part of the picture may be missing (grey), which can change the score.');
  }
  return { sniffed, notes };
}

/** @param {Entry} entry @param {string} message */
function fail(entry, message) {
  if (entry.removed) return;
  const { card, result } = entry;
  showError(card, message);
  Object.assign(result, { state: 'error', error: message });
  if (state.model) {
    entry.model = state.model;
    markModel(card, state.model);
    Object.assign(result, modelFields(state.model));
  }
  overview.touch(entry);
  ensureHash(entry);
  announce(`${result.file}: ${message}`);
}

/**
 * What to say when a file could not be analysed.
 * @param {unknown} error
 * @param {Sniffed} [sniffed]
 * @returns {Promise<string>}
 */
async function failure(error, sniffed) {
  // A picture this browser cannot decode whose kind has its own advice (HEIC).
  if (error instanceof InputError && sniffed?.undecodable) return sniffed.undecodable;
  if (error instanceof InputError || error instanceof VideoError) return error.message;
  try {
    await ready;
  } catch (why) {
    return `The model did not load, so nothing can be analysed: ${messageOf(why)}`;
  }
  return `The analysis failed: ${messageOf(error)}`;
}

/** @param {Entry} entry */
function startCard(entry) {
  entry.card.dataset.state = 'analyzing';
  entry.result.state = 'analyzing';
  setProgress(entry.card, 'Analysing…');
  overview.touch(entry);
}

/**
 * The file's sha256, computed once (after its verdict, or when exporting).
 * @param {Entry} entry
 */
function ensureHash(entry) {
  if (entry.hashing) return entry.hashing;
  entry.hashing = hasher.hash(entry.file).then((sha256) => {
    entry.facts.sha256 = sha256;
    entry.result.sha256 = sha256;
  }, (error) => {
    entry.facts.hashError = messageOf(error);
  }).then(() => {
    if (!entry.removed) setFileFacts(entry.card, entry.facts);
  });
  return entry.hashing;
}

/**
 * A picture through the engine, then onto its card.
 * @param {Entry} entry
 * @param {{ sniffed: Sniffed, notes: string[], whole?: boolean }} options
 *   whole: score the whole picture even with faces on
 * @returns {import('../domain/pipeline.js').Job<{ outcome: import('../domain/engine-api.js').Result, started: number }|null>}
 */
function imageJob(entry, { sniffed, notes, whole = false }) {
  const faces = settings.faces() && !whole;
  return {
    async start() {
      if (entry.removed) return null;
      const e = await engine;
      await ready;
      startCard(entry);
      const started = performance.now();
      return { outcome: await e.analyseImage(entry.file, { faces, explain: heatmaps.on(), format: sniffed.format }), started };
    },
    async finish(done) {
      if (!done.ok) {
        fail(entry, await failure(done.error, sniffed));
        return;
      }
      if (!done.value) return;
      const { outcome, started } = done.value;
      try {
        if (entry.removed) return;
        showImage(entry, outcome, notes, sniffed);
        // From the request to the verdict on the card: reading, decoding, faces, scores, drawing.
        entry.card.dataset.fileMs = (performance.now() - started).toFixed(2);
      } finally {
        outcome.preview?.close();
        outcome.crops.forEach((c) => c?.close());
      }
    },
  };
}

/**
 * @param {Entry} entry
 * @param {import('../domain/engine-api.js').Result} outcome
 * @param {string[]} notes
 * @param {Sniffed} sniffed
 */
function showImage(entry, outcome, notes, sniffed) {
  const { card, file, result } = entry;
  const { analysis } = outcome;
  const model = /** @type {ModelRecord} */ (state.model);
  const shown = aggregateFaces(analysis.faces, model.thresholds);
  showAnalysis(card, {
    picture: /** @type {ImageBitmap} */ (outcome.preview), width: outcome.width, height: outcome.height,
    analysis, verdict: shown, notes, backend: state.backend, thresholds: model.thresholds,
    onScoreWhole: analysis.mode === 'no-face'
      ? () => { pipeline.add(imageJob(entry, { sniffed, notes, whole: true })); }
      : null,
  });
  entry.model = model;
  state.models.set(model.key, model);
  markModel(card, model);
  if (analysis.faces.length) {
    state.explainable.set(card, { file, width: outcome.width, boxes: analysis.faces.map((f) => f.box),
      modelKey: model.key });
    if (outcome.maps) showHeatmaps(card, outcome.width, analysis.faces.map((f) => f.box), outcome.maps, outcome.crops);
  }
  Object.assign(result, { state: 'done', backend: state.backend, ...modelFields(model), error: null,
    ...imageFields(outcome, shown) });
  // Timings for the benchmark (bench/image_pipeline.py) and the curious.
  card.dataset.detectMs = analysis.detectMs === null ? '' : analysis.detectMs.toFixed(2);
  card.dataset.classifyMs = analysis.faces.reduce((sum, f) => sum + f.ms, 0).toFixed(2);
  card.dataset.totalMs = outcome.ms.toFixed(2);
  if (analysis.faces.length) {
    const perFace = analysis.faces.reduce((sum, f) => sum + f.ms, 0) / analysis.faces.length;
    $('timing').textContent = `· ${perFace.toFixed(1)} ms per face`;
  }
  overview.touch(entry);
  ensureHash(entry);
  announce(`${file.name}: ${shown.pReal === null ? 'no face found'
    : `${VERDICT_LABELS[/** @type {'real'|'uncertain'|'fake'} */ (shown.verdict)]}, P(real) ${formatPercent(shown.pReal)}`}.`);
}

// ------------------------------------------------------------------ videos

/**
 * A video: its frames through the engine one after the other (alone in the
 * pipeline: a model switch cannot fall in the middle of it), then its card.
 * @param {Entry} entry
 */
function videoJob(entry) {
  const { file, card } = entry;
  const faces = settings.faces();
  return {
    alone: true,
    async start() {
      if (entry.removed) return null;
      const e = await engine;
      await ready;
      startCard(entry);
      const video = await openVideo(file, e);
      /** @type {ImageBitmap[]} */
      const thumbs = [];
      // The card keeps the file's URL (its player) and thumbnails until cleared.
      state.videos.set(card, { video, thumbs });
      const times = sampleTimes(video.duration, settings.sampling());
      const controller = new AbortController();
      const progress = showVideoProgress(card, times.length, () => controller.abort());
      const started = performance.now();
      card.dataset.engine = e.where;
      card.dataset.engineThreads = String(e.threads);
      if (e.why) card.dataset.engineWhy = e.why;
      const analysis = await analyseVideo(video, times, {
        faces,
        signal: controller.signal,
        onFrame: (frame, done) => {
          for (const t of frame.thumbs) if (t) thumbs.push(t);
          progress(done);
        },
      });
      const totalMs = performance.now() - started;
      return { video, times, analysis, totalMs, tensors: await e.tensors() };
    },
    async finish(/** @type {any} */ done) {
      if (!done.ok) {
        fail(entry, await failure(done.error, entry.kind?.sniffed));
        return;
      }
      if (!done.value || entry.removed) return;
      showVideoResult(entry, done.value);
    },
  };
}

/**
 * @param {Entry} entry
 * @param {{ video: import('../sources/video-reader.js').Video, times: number[],
 *   analysis: import('../domain/engine-api.js').VideoAnalysis, totalMs: number, tensors: number }} v
 */
function showVideoResult(entry, { video, times, analysis, totalMs, tensors }) {
  const { file, card, result } = entry;
  const { url, duration, width, height } = video;
  const model = /** @type {ModelRecord} */ (state.model);
  const frames = analysis.frames.map((f) => ({ time: f.time, faces: f.analysis?.faces ?? [], error: f.error }));
  const summaryOf = summariseVideo(frames, model.thresholds);
  // Before the card shows "done": tests and the benchmark read them as soon as it does.
  card.dataset.totalMs = totalMs.toFixed(2);
  card.dataset.workerTensors = String(tensors);
  card.dataset.reader = analysis.reader;
  showVideo(card, {
    url, result: analysis, summary: summaryOf, total: times.length, duration, size: { width, height },
    thresholds: model.thresholds, backend: state.backend,
    framePicture: (time) => grabVideoFrame(url, time),
    onShowFrame: (frame, detail) => {
      if (frame.analysis?.faces.length) state.frameDetails.set(detail, { video, frame, modelKey: model.key });
      if (heatmaps.on()) heatmaps.explainPending();
    },
  });
  entry.model = model;
  state.models.set(model.key, model);
  markModel(card, model);
  Object.assign(result, { state: card.dataset.state, mode: card.dataset.mode, backend: state.backend,
    ...modelFields(model), total_ms: totalMs, width, height, duration, ...videoFields(analysis, summaryOf) });
  $('timing').textContent = `· ${(totalMs / Math.max(1, analysis.frames.length)).toFixed(0)} ms per video frame`;
  overview.touch(entry);
  ensureHash(entry);
  announce(`${file.name}: ${summaryOf.pReal === null ? 'no face found'
    : `${VERDICT_LABELS[/** @type {'real'|'uncertain'|'fake'} */ (summaryOf.verdict)]}, P(real) ${formatPercent(summaryOf.pReal)}`}`
    + ` over ${analysis.frames.length} frames.`);
}

// ------------------------------------------------------------------ again, release

/**
 * The same file again, through the pipeline with the model in use, into the same card.
 * @param {Entry} entry
 */
function reanalyse(entry) {
  if (entry.removed) return;
  release(entry.card);
  resetCard(entry.card);
  const hashed = entry.result.sha256;
  entry.result = freshResult(entry.file, entry.result.kind);
  Object.assign(entry.result, { sha256: hashed, type: entry.facts.type });
  entry.model = null;
  overview.touch(entry);
  state.adding = state.adding.then(async () => enqueue(entry, entry.kind ?? await readKind(entry.file)));
}

/** What a card holds on to (its video's URL and thumbnails, its maps' sources). @param {HTMLElement} card */
function release(card) {
  state.explainable.delete(card);
  for (const [detail] of state.frameDetails) if (card.contains(detail)) state.frameDetails.delete(detail);
  const video = state.videos.get(card);
  if (video) {
    video.video.close();
    video.thumbs.forEach((t) => t.close());
    state.videos.delete(card);
  }
}

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
  await Promise.all(state.entries.map(ensureHash));
  return state.entries.map((e) => e.result);
}

$('export-json').addEventListener('click', async () => download(toJson(await results(), about()),
  'mesonet-results.json', 'application/json'));
$('export-csv').addEventListener('click', async () => download(toCsv(await results()),
  'mesonet-results.csv', 'text/csv'));
$('clear').addEventListener('click', () => {
  // After the files still being read have joined the pipeline, and after every job before it.
  state.adding = state.adding.then(() => {
    pipeline.add({
      alone: true,
      start: () => {},
      finish: () => {
        for (const entry of state.entries) {
          entry.removed = true;
          release(entry.card);
        }
        $('results').replaceChildren();
        state.entries = [];
        state.frameDetails.clear();
        overview.clear();
        $('timing').textContent = '';
        if ($('status').dataset.state === 'ready') setStatus('ready', READY_TEXT);
      },
    });
  });
});

// ------------------------------------------------------------------ webcam

setupWebcam({ ready, engine, thresholds: () => state.metadata?.thresholds, backend: () => state.backend });

registerServiceWorker();
