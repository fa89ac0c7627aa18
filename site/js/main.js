// @ts-check
/**
 * Page wiring: start-up (backend, model, face detector), files from the
 * picker / drop / paste to a queue, each file to its card, model choice,
 * export. The pipeline itself: formats.js -> preprocess.decodeImage ->
 * face-detector.js -> faces.js -> analyse.js -> verdict.js -> views/.
 */
import { analyseBitmap, explainFaces } from './analyse.js';
import { analyseVideo } from './analyse-video.js';
import { createVideoEngine } from './video-engine.js';
import { backendThreads, initBackend } from './backend.js';
import { MODEL_ROOT, fetchJson, modelNote, pickModel, urlOptions } from './config.js';
import { loadFaceDetector } from './face-detector.js';
import { boxText } from './faces.js';
import { jpegLooksComplete, sniffFormat } from './formats.js';
import { loadMesoNet } from './model.js';
import { registerServiceWorker } from './offline.js';
import { OWN_MODEL_ID, setupOwnModel } from './own-model.js';
import { decodeImage } from './preprocess.js';
import { VERDICT_LABELS } from './verdict.js';
import { VideoError, grabVideoFrame, probeVideo } from './video-frames.js';
import { clampSampling, sampleTimes, summariseVideo } from './video-summary.js';
import { setupWebcam } from './webcam.js';
import { createCard, setProgress, showAnalysis, showError, showHeatmaps } from './views/card.js';
import { heatPixels } from './views/heatmap.js';
import { download, toCsv, toJson } from './views/export.js';
import { showFrameHeatmaps, showVideo, showVideoProgress } from './views/video.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (
  document.querySelector(`[data-testid=${id}]`));

/** Pixels above which a picture is refused (the browser cannot decode more reliably). */
const MAX_PIXELS = 16384 * 16384;

/** @typedef {import('./views/export.js').FileResult} FileResult */

const state = {
  /** @type {import('./model.js').MesoNet|null} */ model: null,
  /** @type {import('./face-detector.js').FaceDetector|null} */ detector: null,
  backend: '',
  modelId: '',
  /** Where the current model came from (a folder URL, or the user's files), for the video worker. */
  /** @type {string|File[]} */ modelSource: '',
  /** The video engine (worker or page), started with the first video. */
  /** @type {Promise<import('./video-engine.js').VideoEngine>|null} */ videoEngine: null,
  /** @type {FileResult[]} */ results: [],
  /** Cards whose maps can still be drawn: the file and its analysis, by card. */
  /** @type {Map<HTMLElement, { file: File, analysis: import('./analyse.js').Analysis, model: import('./model.js').MesoNet }>} */
  explainable: new Map(),
  /** Video cards' object URLs and thumbnails, released when the results are cleared. */
  /** @type {Map<HTMLElement, { url: string, thumbs: ImageBitmap[] }>} */
  videos: new Map(),
  /** Video frames shown in a card's detail panel whose maps can be drawn. */
  /** @type {Map<HTMLElement, { url: string, frame: import('./analyse-video.js').FrameResult, model: import('./model.js').MesoNet }>} */
  frameDetails: new Map(),
  /** Jobs run one at a time, in order: analyses and model switches. */
  queue: Promise.resolve(),
  pasted: 0,
};

/** @param {'loading'|'ready'|'error'} s @param {string} text */
function setStatus(s, text) {
  const status = $('status');
  status.dataset.state = s;
  status.textContent = text;
}

/** @param {() => Promise<void>} job */
function enqueue(job) {
  const run = state.queue.then(job);
  state.queue = run.catch(() => {});
  return run;
}

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

// ------------------------------------------------------------------ start-up

const own = setupOwnModel({ select: /** @type {HTMLSelectElement} */ ($('model-select')),
  keep: /** @type {HTMLInputElement} */ ($('keep-model')), note: $('keep-note') });
const ready = start();

async function start() {
  const options = urlOptions(location.search);
  const facesSwitch = /** @type {HTMLInputElement} */ ($('faces-switch'));
  facesSwitch.checked = options.faces;
  state.backend = await initBackend(options.backend);
  $('backend').textContent = state.backend;
  const threads = backendThreads();
  $('threads').dataset.threads = String(threads);
  $('threads').textContent = threads > 1 ? `(${threads} threads)` : '';
  const index = await fetchJson(MODEL_ROOT + 'index.json');
  const entry = pickModel(index, options.model);
  const select = /** @type {HTMLSelectElement} */ ($('model-select'));
  for (const m of index.models) {
    const option = document.createElement('option');
    option.value = m.id;
    option.textContent = m.name;
    select.append(option);
  }
  await own.restore();
  select.value = entry.id;
  const modelUrl = (/** @type {import('./config.js').ModelEntry} */ e) => new URL(MODEL_ROOT + e.path, location.href).href;
  const [model, detector] = await Promise.all([loadMesoNet(modelUrl(entry)), loadFaceDetector()]);
  useModel(model, entry.id, modelUrl(entry));
  state.detector = detector;
  select.disabled = false;
  select.addEventListener('change', () => {
    if (select.value === OWN_MODEL_ID) {
      switchModel(own.load, OWN_MODEL_ID, own.files);
      return;
    }
    const url = modelUrl(pickModel(index, select.value));
    switchModel(() => loadMesoNet(url), select.value, url);
  });
  setStatus('ready', `Ready: add images to analyse (${state.backend}).`);
}

/**
 * @param {import('./model.js').MesoNet} model
 * @param {string} id
 * @param {string|File[]} source
 */
function useModel(model, id, source) {
  state.model?.dispose();
  state.model = model;
  state.modelId = id;
  state.modelSource = source;
  $('model-name').textContent = model.metadata.name;
  const note = modelNote(model.metadata);
  $('model-note').textContent = note;
  $('model-note').hidden = !note;
  /** @type {HTMLSelectElement} */ ($('model-select')).value = id;
}

/**
 * @param {() => Promise<import('./model.js').MesoNet>} load
 * @param {string} id
 * @param {string|File[]|(() => File[])} source the files' getter is called once loaded
 */
function switchModel(load, id, source) {
  setStatus('loading', 'Loading the model…');
  return enqueue(async () => {
    try {
      useModel(await load(), id, typeof source === 'function' ? source() : source);
      setStatus('ready', `Ready: ${state.model?.metadata.name} (${state.backend}).`);
    } catch (error) {
      // The previous model stays in use: say so rather than leave the page stuck.
      setStatus('ready', `That model could not be loaded (${messageOf(error)}); still using ${state.model?.metadata.name}.`);
      /** @type {HTMLSelectElement} */ ($('model-select')).value = state.modelId;
    }
  });
}

ready.catch((error) => {
  setStatus('error', messageOf(error));
  // Nothing can be analysed: say so on the picker too (queued files get error cards).
  /** @type {HTMLInputElement} */ ($('file-input')).disabled = true;
});

// ------------------------------------------------------------------ files

/** @param {File[]} files */
function addFiles(files) {
  // A video is coming: start the video worker now, while the queue runs.
  if (files.some((f) => f.type.startsWith('video/'))) ready.then(videoEngine, () => {});
  for (const file of files) {
    const kind = file.type.startsWith('video/') ? 'video' : 'image';
    const card = createCard($('results'), file.name, kind);
    /** @type {FileResult} */
    const result = {
      file: file.name, kind, state: 'queued', verdict: null, p_real: null, mode: null,
      model: null, backend: null, detect_ms: null, faces: [], error: null,
    };
    state.results.push(result);
    enqueue(async () => {
      try {
        await ready;
      } catch (error) {
        fail(card, result, `The model did not load, so nothing can be analysed: ${messageOf(error)}`);
        return;
      }
      await analyseFile(file, card, result);
    });
  }
  updateActions();
}

/**
 * @param {HTMLElement} card @param {FileResult} result @param {string} message
 */
function fail(card, result, message) {
  showError(card, message);
  Object.assign(result, { state: 'error', error: message });
  announce(`${result.file}: ${message}`);
  updateActions();
}

/** @param {string} text */
function announce(text) {
  if ($('status').dataset.state === 'ready') $('status').textContent = text;
}

/**
 * @param {File} file
 * @param {HTMLElement} card
 * @param {FileResult} result
 * @param {boolean} [wholeAnyway] score the whole image even with faces on
 */
async function analyseFile(file, card, result, wholeAnyway = false) {
  const fileStarted = performance.now();
  card.dataset.state = 'analyzing';
  result.state = 'analyzing';
  setProgress(card, 'Analysing…');
  const head = new Uint8Array(await file.slice(0, 32).arrayBuffer());
  const sniffed = sniffFormat(head, file.type);
  if (sniffed.kind === 'video') {
    card.dataset.kind = 'video';
    result.kind = 'video';
    await analyseVideoFile(file, card, result);
    return;
  }
  if (sniffed.kind !== 'image') {
    fail(card, result, sniffed.message || 'Unsupported file.');
    return;
  }
  const notes = [];
  if (sniffed.format === 'jpeg' && !jpegLooksComplete(new Uint8Array(await file.slice(-64).arrayBuffer()))) {
    notes.push('This JPEG looks truncated: part of the picture may be missing (grey), which can change the score.');
  }
  let bitmap;
  try {
    bitmap = await decodeImage(file);
  } catch {
    fail(card, result, `This file could not be read as an image: the ${sniffed.format.toUpperCase()} data is damaged or incomplete.`);
    return;
  }
  try {
    if (bitmap.width * bitmap.height > MAX_PIXELS) {
      fail(card, result, `This picture is too large (${bitmap.width}×${bitmap.height} pixels).`);
      return;
    }
    const model = /** @type {import('./model.js').MesoNet} */ (state.model);
    const useFaces = /** @type {HTMLInputElement} */ ($('faces-switch')).checked && !wholeAnyway;
    const started = performance.now();
    const detector = useFaces ? state.detector : null;
    const analysis = await analyseBitmap(bitmap, model, detector && ((b) => detector.detect(b)));
    const totalMs = performance.now() - started;
    const shown = showAnalysis(card, {
      bitmap, analysis, notes, backend: state.backend, thresholds: model.metadata.thresholds,
      onScoreWhole: analysis.mode === 'no-face'
        ? () => { enqueue(() => analyseFile(file, card, result, true)); }
        : null,
    });
    if (analysis.faces.length) {
      state.explainable.set(card, { file, analysis, model });
      if (heatmapsOn()) await drawHeatmaps(card, bitmap, analysis, model);
    }
    Object.assign(result, {
      state: 'done', verdict: shown.verdict, p_real: shown.pReal, mode: analysis.mode,
      model: state.modelId, backend: state.backend,
      detect_ms: analysis.detectMs, total_ms: totalMs, error: null,
      width: bitmap.width, height: bitmap.height,
      faces: analysis.faces.map((f) => ({ box: boxText(f.box), face_box: f.face ? boxText(f.face) : null,
        p_real: f.pReal, confidence: f.confidence, ms: f.ms })),
    });
    // Timings for the benchmark (bench/image_pipeline.py) and the curious.
    card.dataset.detectMs = analysis.detectMs === null ? '' : analysis.detectMs.toFixed(2);
    card.dataset.classifyMs = analysis.faces.reduce((sum, f) => sum + f.ms, 0).toFixed(2);
    card.dataset.totalMs = totalMs.toFixed(2);
    // From the file's turn to its verdict on the card: reading, decoding, faces, scores, drawing.
    card.dataset.fileMs = (performance.now() - fileStarted).toFixed(2);
    if (analysis.faces.length) {
      const perFace = analysis.faces.reduce((sum, f) => sum + f.ms, 0) / analysis.faces.length;
      $('timing').textContent = `· ${perFace.toFixed(1)} ms per face`;
    }
    announce(`${file.name}: ${shown.pReal === null ? 'no face found'
      : `${VERDICT_LABELS[/** @type {'real'|'uncertain'|'fake'} */ (shown.verdict)]}, P(real) ${(shown.pReal * 100).toFixed(1)}%`}.`);
    updateActions();
  } catch (error) {
    fail(card, result, `The analysis failed: ${messageOf(error)}`);
  } finally {
    bitmap.close();
  }
}

// ------------------------------------------------------------------ videos

/** The sampling the user asked for (settings), clamped to the limits. */
function sampling() {
  const rate = Number(/** @type {HTMLInputElement} */ ($('video-rate')).value);
  const most = Number(/** @type {HTMLInputElement} */ ($('video-max-frames')).value);
  return clampSampling(rate, most);
}

/** The video engine, started once (with the first video added). */
function videoEngine() {
  state.videoEngine ??= createVideoEngine({ backend: state.backend,
    model: () => /** @type {import('./model.js').MesoNet} */ (state.model),
    source: () => state.modelSource, detector: () => state.detector });
  return state.videoEngine;
}

/**
 * @param {File} file
 * @param {HTMLElement} card
 * @param {FileResult} result
 */
async function analyseVideoFile(file, card, result) {
  const url = URL.createObjectURL(file);
  /** @type {ImageBitmap[]} */
  const thumbs = [];
  // The card keeps the file's URL (its player) and thumbnails until cleared.
  state.videos.set(card, { url, thumbs });
  let probed;
  try {
    probed = await probeVideo(url);
  } catch (error) {
    fail(card, result, error instanceof VideoError ? error.message : `This video could not be read: ${messageOf(error)}`);
    return;
  }
  const times = sampleTimes(probed.duration, sampling());
  const model = /** @type {import('./model.js').MesoNet} */ (state.model);
  const useFaces = /** @type {HTMLInputElement} */ ($('faces-switch')).checked;
  const controller = new AbortController();
  const progress = showVideoProgress(card, times.length, () => controller.abort());
  const started = performance.now();
  let analysis;
  let engine;
  try {
    engine = await videoEngine();
    card.dataset.engine = engine.where;
    if (engine.threads) card.dataset.engineThreads = String(engine.threads);
    if (engine.why) card.dataset.engineWhy = engine.why;
    analysis = await analyseVideo(url, times, await engine.startVideo(useFaces), {
      signal: controller.signal,
      onFrame: (frame, done) => {
        for (const t of frame.thumbs) if (t) thumbs.push(t);
        progress(done);
      },
    });
  } catch (error) {
    fail(card, result, error instanceof VideoError ? error.message : `The analysis failed: ${messageOf(error)}`);
    return;
  }
  const totalMs = performance.now() - started;
  const frames = analysis.frames.map((f) => ({ time: f.time, faces: f.analysis?.faces ?? [] }));
  const summary = summariseVideo(frames, model.metadata.thresholds);
  // Before the card shows "done": tests and the benchmark read them as soon as it does.
  card.dataset.totalMs = totalMs.toFixed(2);
  const workerTensors = await engine.tensors();
  if (workerTensors !== null) card.dataset.workerTensors = String(workerTensors);
  showVideo(card, {
    url, result: analysis, summary, total: times.length, duration: probed.duration, size: probed,
    thresholds: model.metadata.thresholds, backend: state.backend,
    onShowFrame: (frame, detail) => {
      if (frame.analysis?.faces.length) state.frameDetails.set(detail, { url, frame, model });
      if (heatmapsOn()) explainPending();
    },
  });
  Object.assign(result, {
    state: card.dataset.state, verdict: summary.verdict, p_real: summary.pReal,
    mode: card.dataset.mode, model: state.modelId, backend: state.backend, detect_ms: null,
    total_ms: totalMs, error: analysis.failure, width: probed.width, height: probed.height,
    duration: probed.duration, face_share: summary.faceShare, spread: summary.spread,
    frames: analysis.frames.map((f, i) => ({
      time: f.time, p_real: summary.frameScores[i], error: f.error,
      faces: (f.analysis?.faces ?? []).map((face, k) => ({ box: boxText(face.box),
        face_box: face.face ? boxText(face.face) : null, p_real: face.pReal, confidence: face.confidence,
        person: summary.ids[i][k] + 1 })),
    })),
  });
  $('timing').textContent = `· ${(totalMs / Math.max(1, analysis.frames.length)).toFixed(0)} ms per video frame`;
  announce(`${file.name}: ${summary.pReal === null ? 'no face found'
    : `${VERDICT_LABELS[/** @type {'real'|'uncertain'|'fake'} */ (summary.verdict)]}, P(real) ${(summary.pReal * 100).toFixed(1)}%`}`
    + ` over ${analysis.frames.length} frames.`);
  updateActions();
}

/**
 * Heatmaps of a video frame's faces: the frame is read again from the file.
 * @param {HTMLElement} detail
 * @param {{ url: string, frame: import('./analyse-video.js').FrameResult,
 *   model: import('./model.js').MesoNet }} job
 */
async function explainFrame(detail, { url, frame, model }) {
  const faces = frame.analysis?.faces ?? [];
  const bitmap = await grabVideoFrame(url, frame.time);
  try {
    showFrameHeatmaps(detail, bitmap, faces, await explainFaces(bitmap, model, faces));
  } finally {
    bitmap.close();
  }
}

// ------------------------------------------------------------------ heatmaps

const heatmapToggle = /** @type {HTMLInputElement} */ ($('heatmap-toggle'));
const heatmapOpacity = /** @type {HTMLInputElement} */ ($('heatmap-opacity'));
const heatmapsOn = () => heatmapToggle.checked;

/**
 * @param {HTMLElement} card
 * @param {ImageBitmap} bitmap
 * @param {import('./analyse.js').Analysis} analysis
 * @param {import('./model.js').MesoNet} model the model that scored this card
 */
async function drawHeatmaps(card, bitmap, analysis, model) {
  showHeatmaps(card, bitmap, analysis, await explainFaces(bitmap, model, analysis.faces));
}

/** Maps for cards analysed while heatmaps were off: decode the file again. */
function explainPending() {
  for (const [detail, job] of state.frameDetails) {
    if (!detail.isConnected) state.frameDetails.delete(detail);
    if (!detail.isConnected || detail.dataset.heatmaps || Number(detail.dataset.time) !== job.frame.time) continue;
    enqueue(async () => {
      if (!heatmapsOn() || !detail.isConnected || detail.dataset.heatmaps
        || Number(detail.dataset.time) !== job.frame.time) return;
      if (job.model !== state.model) {
        detail.dataset.heatmaps = 'unavailable';
        return;
      }
      try {
        await explainFrame(detail, job);
      } catch (error) {
        detail.dataset.heatmaps = 'error';
        announce(`The heatmap of the frame at ${job.frame.time.toFixed(1)} s could not be computed (${messageOf(error)}).`);
      }
    });
  }
  for (const [card, { file, analysis, model }] of state.explainable) {
    if (card.dataset.heatmaps === 'done' || !card.isConnected) continue;
    enqueue(async () => {
      if (!heatmapsOn() || card.dataset.heatmaps === 'done' || !card.isConnected) return;
      if (model !== state.model) {
        card.dataset.heatmaps = 'unavailable'; // scored by a model since replaced
        return;
      }
      const bitmap = await decodeImage(file);
      try {
        await drawHeatmaps(card, bitmap, analysis, model);
      } catch (error) {
        card.dataset.heatmaps = 'error';
        announce(`${file.name}: the heatmap could not be computed (${messageOf(error)}).`);
      } finally {
        bitmap.close();
      }
    });
  }
}

heatmapToggle.addEventListener('change', () => {
  document.body.classList.toggle('heatmaps-on', heatmapsOn());
  heatmapOpacity.disabled = !heatmapsOn();
  if (heatmapsOn()) explainPending();
});
heatmapOpacity.addEventListener('input', () => {
  document.documentElement.style.setProperty('--heatmap-opacity', String(Number(heatmapOpacity.value) / 100));
});
{
  // The legend's colour bar, drawn from the same scale as the maps.
  const bar = /** @type {HTMLCanvasElement} */ ($('heatmap-scale'));
  const values = Array.from({ length: bar.width }, (_, i) => i / (bar.width - 1));
  const pixels = heatPixels(values).map((v, i) => (i % 4 === 3 ? 255 : v));
  const row = new ImageData(new Uint8ClampedArray(pixels), bar.width, 1);
  const ctx = bar.getContext('2d');
  for (let y = 0; y < bar.height; y += 1) ctx?.putImageData(row, 0, y);
}

// ------------------------------------------------------------------ inputs

const fileInput = /** @type {HTMLInputElement} */ ($('file-input'));
fileInput.addEventListener('change', () => {
  const files = Array.from(fileInput.files || []);
  fileInput.value = '';
  addFiles(files);
});

const dropZone = document.body;
dropZone.addEventListener('dragover', (event) => {
  if (!event.dataTransfer?.types.includes('Files')) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
  $('drop-zone').classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => $('drop-zone').classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
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
    state.pasted += 1;
    const ext = (file.type.split('/')[1] || 'png').replace('jpeg', 'jpg');
    return new File([file], `pasted-${state.pasted}.${ext}`, { type: file.type });
  }));
});

const ownModel = /** @type {HTMLInputElement} */ ($('own-model-input'));
ownModel.addEventListener('change', () => {
  const files = Array.from(ownModel.files || []);
  ownModel.value = '';
  if (files.length === 0) return;
  ready.then(() => switchModel(() => own.pick(files), OWN_MODEL_ID, own.files), () => {});
});

// ------------------------------------------------------------------ export

function about() {
  return { page: 'mesonet-web', model: state.modelId, model_name: state.model?.metadata.name ?? null,
    backend: state.backend, thresholds: state.model?.metadata.thresholds ?? null };
}

function updateActions() {
  const any = state.results.length > 0;
  for (const id of ['export-json', 'export-csv', 'print', 'clear']) {
    /** @type {HTMLButtonElement} */ ($(id)).disabled = !any;
  }
}

$('export-json').addEventListener('click', () => download(toJson(state.results, about()),
  'mesonet-results.json', 'application/json'));
$('export-csv').addEventListener('click', () => download(toCsv(state.results),
  'mesonet-results.csv', 'text/csv'));
$('print').addEventListener('click', () => window.print());
$('clear').addEventListener('click', () => {
  enqueue(async () => {
    $('results').replaceChildren();
    state.results = [];
    state.explainable.clear();
    state.frameDetails.clear();
    for (const { url, thumbs } of state.videos.values()) {
      URL.revokeObjectURL(url);
      thumbs.forEach((t) => t.close());
    }
    state.videos.clear();
    updateActions();
  });
});

// ------------------------------------------------------------------ webcam

setupWebcam({ ready, getModel: () => state.model, getDetector: () => state.detector,
  getBackend: () => state.backend });

registerServiceWorker();
