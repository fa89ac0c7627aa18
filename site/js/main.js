// @ts-check
/**
 * Page wiring: the engine (engine/client.js: TF.js, the model, the face
 * detector and Grad-CAM in a worker), files from the picker / drop / paste
 * to cards through the pipeline (pipeline.js: the engine works on the next
 * picture while this one is drawn), model choice, heatmaps, export, the
 * webcam. This thread only reads the first bytes of files, plays videos to
 * grab their frames, draws and handles events; everything TF.js runs in the
 * engine.
 *
 * Tests and embedders reach the engine through the exported `engine`:
 *   (await import('./js/main.js')).engine.then((e) => e.tensors())
 */
import { analyseVideo } from './analyse-video.js';
import { MODEL_ROOT, PIPELINE_WINDOW, fetchJson, modelNote, pickModel, urlOptions } from './config.js';
import { createEngine } from './engine/client.js';
import { InputError } from './engine/errors.js';
import { boxText } from './faces.js';
import { jpegLooksComplete, sniffFormat } from './formats.js';
import { registerServiceWorker } from './offline.js';
import { OWN_MODEL_ID, setupOwnModel } from './own-model.js';
import { createPipeline } from './pipeline.js';
import { VERDICT_LABELS } from './verdict.js';
import { VideoError, openVideo } from './video-reader.js';
import { clampSampling, sampleTimes, summariseVideo } from './video-summary.js';
import { setupWebcam } from './webcam.js';
import { createCard, setProgress, showAnalysis, showError, showHeatmaps } from './views/card.js';
import { heatPixels } from './views/heatmap.js';
import { download, toCsv, toJson } from './views/export.js';
import { showFrameHeatmaps, showVideo, showVideoProgress } from './views/video.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (
  document.querySelector(`[data-testid=${id}]`));

/**
 * @typedef {import('./views/export.js').FileResult} FileResult
 * @typedef {import('./engine/client.js').Engine} Engine
 * @typedef {import('./faces.js').Box} Box
 * @typedef {{ file: File, card: HTMLElement, result: FileResult }} Entry a file and its card
 */

/** The analysis engine, started as the page loads. */
export const engine = Promise.resolve().then(() => createEngine({ backend: urlOptions(location.search).backend }));

const state = {
  /** The current model's metadata.json. @type {any} */ metadata: null,
  modelId: '',
  backend: '',
  /** @type {FileResult[]} */ results: [],
  /** Image cards whose maps can be drawn later: the file, its width, its scored boxes, the model that scored them. */
  /** @type {Map<HTMLElement, { file: File, width: number, boxes: Box[], modelId: string }>} */
  explainable: new Map(),
  /** Video cards' files (video-reader.js: their URLs) and thumbnails, released when the results are cleared. */
  /** @type {Map<HTMLElement, { video: import('./video-reader.js').Video, thumbs: ImageBitmap[] }>} */
  videos: new Map(),
  /** Video frames shown in a card's detail panel whose maps can be drawn. */
  /** @type {Map<HTMLElement, { video: import('./video-reader.js').Video, frame: import('./analyse-video.js').FrameResult, modelId: string }>} */
  frameDetails: new Map(),
  /** Files being read, in the order added, before they join the pipeline. */
  adding: Promise.resolve(),
  /** Cards and frame panels whose maps have been asked of the engine and are not drawn yet. */
  /** @type {WeakSet<HTMLElement>} */ explaining: new WeakSet(),
  pasted: 0,
};
/** Analyses, model switches and maps, in the order asked for. */
const pipeline = createPipeline(PIPELINE_WINDOW);

/** @param {'loading'|'ready'|'error'} s @param {string} text */
function setStatus(s, text) {
  const status = $('status');
  status.dataset.state = s;
  status.textContent = text;
}

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** @param {string} text */
function announce(text) {
  if ($('status').dataset.state === 'ready') $('status').textContent = text;
}

// ------------------------------------------------------------------ start-up

const own = setupOwnModel({ select: /** @type {HTMLSelectElement} */ ($('model-select')),
  keep: /** @type {HTMLInputElement} */ ($('keep-model')), note: $('keep-note'),
  use: async (files) => (await engine).setModel(files) });
const ready = start();

async function start() {
  const options = urlOptions(location.search);
  /** @type {HTMLInputElement} */ ($('faces-switch')).checked = options.faces;
  const [e, index] = await Promise.all([engine, fetchJson(MODEL_ROOT + 'index.json')]);
  state.backend = e.backend;
  $('backend').textContent = e.backend;
  $('threads').dataset.threads = String(e.threads);
  $('threads').textContent = e.threads > 1 ? `(${e.threads} threads)` : '';
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
  const modelUrl = (/** @type {import('./config.js').ModelEntry} */ m) => new URL(MODEL_ROOT + m.path, location.href).href;
  useModel(await e.setModel(modelUrl(entry)), entry.id);
  select.disabled = false;
  select.addEventListener('change', () => {
    if (select.value === OWN_MODEL_ID) switchModel(own.load, OWN_MODEL_ID);
    else {
      const url = modelUrl(pickModel(index, select.value));
      switchModel(() => e.setModel(url), select.value);
    }
  });
  setStatus('ready', `Ready: add images to analyse (${e.backend}).`);
}

/**
 * @param {any} metadata the model's metadata.json, as the engine loaded it
 * @param {string} id
 */
function useModel(metadata, id) {
  state.metadata = metadata;
  state.modelId = id;
  $('model-name').textContent = metadata.name;
  const note = modelNote(metadata);
  $('model-note').textContent = note;
  $('model-note').hidden = !note;
  /** @type {HTMLSelectElement} */ ($('model-select')).value = id;
}

/**
 * A model switch: after every file added before it, before every file added after.
 * @param {() => Promise<any>} load resolves to the new model's metadata
 * @param {string} id
 */
function switchModel(load, id) {
  setStatus('loading', 'Loading the model…');
  return pipeline.add({
    alone: true,
    start: async () => { await ready; return load(); },
    finish: (outcome) => {
      if (outcome.ok) {
        useModel(outcome.value, id);
        setStatus('ready', `Ready: ${state.metadata.name} (${state.backend}).`);
      } else {
        // The previous model stays in use: say so rather than leave the page stuck.
        setStatus('ready', `That model could not be loaded (${messageOf(outcome.error)}); still using ${state.metadata?.name}.`);
        /** @type {HTMLSelectElement} */ ($('model-select')).value = state.modelId;
      }
    },
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
  /** @type {Entry[]} */
  const entries = files.map((file) => {
    const kind = file.type.startsWith('video/') ? 'video' : 'image';
    /** @type {FileResult} */
    const result = {
      file: file.name, kind, state: 'queued', verdict: null, p_real: null, mode: null,
      model: null, backend: null, detect_ms: null, faces: [], error: null,
    };
    state.results.push(result);
    return { file, card: createCard($('results'), file.name, kind), result };
  });
  updateActions();
  // What each file is, from its bytes, then each joins the pipeline in the order added.
  state.adding = state.adding.then(async () => {
    const kinds = await Promise.all(entries.map((entry) => readKind(entry.file)));
    entries.forEach((entry, i) => {
      const { sniffed, notes } = kinds[i];
      if (sniffed.kind === 'video') {
        entry.card.dataset.kind = 'video';
        entry.result.kind = 'video';
        pipeline.add(videoJob(entry));
      } else if (sniffed.kind === 'image') {
        pipeline.add(imageJob(entry, { format: sniffed.format, notes }));
      } else {
        fail(entry, sniffed.message || 'Unsupported file.');
      }
    });
  });
}

/**
 * What a file is (formats.js) and what to say about it.
 * @param {File} file
 */
async function readKind(file) {
  const sniffed = sniffFormat(new Uint8Array(await file.slice(0, 32).arrayBuffer()), file.type);
  /** @type {string[]} */
  const notes = [];
  if (sniffed.format === 'jpeg' && !jpegLooksComplete(new Uint8Array(await file.slice(-64).arrayBuffer()))) {
    notes.push('This JPEG looks truncated: part of the picture may be missing (grey), which can change the score.');
  }
  return { sniffed, notes };
}

/** @param {Entry} entry @param {string} message */
function fail({ card, result }, message) {
  showError(card, message);
  Object.assign(result, { state: 'error', error: message });
  announce(`${result.file}: ${message}`);
  updateActions();
}

/**
 * What to say when a file could not be analysed.
 * @param {unknown} error
 * @returns {Promise<string>}
 */
async function failure(error) {
  if (error instanceof InputError || error instanceof VideoError) return error.message;
  try {
    await ready;
  } catch (why) {
    return `The model did not load, so nothing can be analysed: ${messageOf(why)}`;
  }
  return `The analysis failed: ${messageOf(error)}`;
}

/** @param {HTMLElement} card */
function startCard(card) {
  card.dataset.state = 'analyzing';
  setProgress(card, 'Analysing…');
}

/**
 * A picture through the engine, then onto its card.
 * @param {Entry} entry
 * @param {{ format: string, notes: string[], whole?: boolean }} options
 *   whole: score the whole picture even with faces on
 * @returns {import('./pipeline.js').Job<{ outcome: import('./engine/client.js').Result, started: number }>}
 */
function imageJob(entry, { format, notes, whole = false }) {
  const faces = /** @type {HTMLInputElement} */ ($('faces-switch')).checked && !whole;
  return {
    async start() {
      const e = await engine;
      await ready;
      startCard(entry.card);
      entry.result.state = 'analyzing';
      const started = performance.now();
      return { outcome: await e.analyseImage(entry.file, { faces, explain: heatmapsOn(), format }), started };
    },
    async finish(done) {
      if (!done.ok) {
        fail(entry, await failure(done.error));
        return;
      }
      const { outcome, started } = done.value;
      try {
        showImage(entry, outcome, notes, format);
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
 * @param {import('./engine/client.js').Result} outcome
 * @param {string[]} notes
 * @param {string} format
 */
function showImage(entry, outcome, notes, format) {
  const { card, file, result } = entry;
  const { analysis } = outcome;
  const shown = showAnalysis(card, {
    picture: /** @type {ImageBitmap} */ (outcome.preview), width: outcome.width, height: outcome.height,
    analysis, notes, backend: state.backend, thresholds: state.metadata.thresholds,
    onScoreWhole: analysis.mode === 'no-face'
      ? () => { pipeline.add(imageJob(entry, { format, notes, whole: true })); }
      : null,
  });
  if (analysis.faces.length) {
    state.explainable.set(card, { file, width: outcome.width, boxes: analysis.faces.map((f) => f.box),
      modelId: state.modelId });
    if (outcome.maps) showHeatmaps(card, outcome.width, analysis.faces.map((f) => f.box), outcome.maps, outcome.crops);
  }
  Object.assign(result, {
    state: 'done', verdict: shown.verdict, p_real: shown.pReal, mode: analysis.mode,
    model: state.modelId, backend: state.backend,
    detect_ms: analysis.detectMs, total_ms: outcome.ms, error: null,
    width: outcome.width, height: outcome.height,
    faces: analysis.faces.map((f) => ({ box: boxText(f.box), face_box: f.face ? boxText(f.face) : null,
      p_real: f.pReal, confidence: f.confidence, ms: f.ms })),
  });
  // Timings for the benchmark (bench/image_pipeline.py) and the curious.
  card.dataset.detectMs = analysis.detectMs === null ? '' : analysis.detectMs.toFixed(2);
  card.dataset.classifyMs = analysis.faces.reduce((sum, f) => sum + f.ms, 0).toFixed(2);
  card.dataset.totalMs = outcome.ms.toFixed(2);
  if (analysis.faces.length) {
    const perFace = analysis.faces.reduce((sum, f) => sum + f.ms, 0) / analysis.faces.length;
    $('timing').textContent = `· ${perFace.toFixed(1)} ms per face`;
  }
  announce(`${file.name}: ${shown.pReal === null ? 'no face found'
    : `${VERDICT_LABELS[/** @type {'real'|'uncertain'|'fake'} */ (shown.verdict)]}, P(real) ${(shown.pReal * 100).toFixed(1)}%`}.`);
  updateActions();
}

// ------------------------------------------------------------------ videos

/** The sampling the user asked for (settings), clamped to the limits. */
function sampling() {
  const rate = Number(/** @type {HTMLInputElement} */ ($('video-rate')).value);
  const most = Number(/** @type {HTMLInputElement} */ ($('video-max-frames')).value);
  return clampSampling(rate, most);
}

/**
 * A video: its frames through the engine one after the other (alone in the
 * pipeline: a model switch cannot fall in the middle of it), then its card.
 * @param {Entry} entry
 */
function videoJob(entry) {
  const { file, card } = entry;
  const faces = /** @type {HTMLInputElement} */ ($('faces-switch')).checked;
  return {
    alone: true,
    async start() {
      const e = await engine;
      await ready;
      startCard(card);
      entry.result.state = 'analyzing';
      const video = await openVideo(file, e);
      /** @type {ImageBitmap[]} */
      const thumbs = [];
      // The card keeps the file's URL (its player) and thumbnails until cleared.
      state.videos.set(card, { video, thumbs });
      const times = sampleTimes(video.duration, sampling());
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
        fail(entry, await failure(done.error));
        return;
      }
      showVideoResult(entry, done.value);
    },
  };
}

/**
 * @param {Entry} entry
 * @param {{ video: import('./video-reader.js').Video, times: number[],
 *   analysis: import('./analyse-video.js').VideoAnalysis, totalMs: number, tensors: number }} v
 */
function showVideoResult({ file, card, result }, { video, times, analysis, totalMs, tensors }) {
  const { url, duration, width, height } = video;
  const frames = analysis.frames.map((f) => ({ time: f.time, faces: f.analysis?.faces ?? [] }));
  const summary = summariseVideo(frames, state.metadata.thresholds);
  // Before the card shows "done": tests and the benchmark read them as soon as it does.
  card.dataset.totalMs = totalMs.toFixed(2);
  card.dataset.workerTensors = String(tensors);
  card.dataset.reader = analysis.reader;
  const modelId = state.modelId;
  showVideo(card, {
    url, result: analysis, summary, total: times.length, duration, size: { width, height },
    thresholds: state.metadata.thresholds, backend: state.backend,
    onShowFrame: (frame, detail) => {
      if (frame.analysis?.faces.length) state.frameDetails.set(detail, { video, frame, modelId });
      if (heatmapsOn()) explainPending();
    },
  });
  Object.assign(result, {
    state: card.dataset.state, verdict: summary.verdict, p_real: summary.pReal,
    mode: card.dataset.mode, model: state.modelId, backend: state.backend, detect_ms: null,
    total_ms: totalMs, error: analysis.failure, width, height,
    duration, reader: analysis.reader, reader_why: analysis.readerWhy, reader_switched: analysis.switched,
    face_share: summary.faceShare, spread: summary.spread,
    frames: analysis.frames.map((f, i) => ({
      time: f.time, p_real: summary.frameScores[i], error: f.error, reader: f.reader,
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

// ------------------------------------------------------------------ heatmaps

const heatmapToggle = /** @type {HTMLInputElement} */ ($('heatmap-toggle'));
const heatmapOpacity = /** @type {HTMLInputElement} */ ($('heatmap-opacity'));
const heatmapsOn = () => heatmapToggle.checked;

/**
 * Maps of the faces on cards shown while heatmaps were off, and of a video
 * frame just selected: the picture is read again (the file, or the frame).
 * Cards scored by a model since replaced say their maps are unavailable.
 */
function explainPending() {
  /**
   * @param {HTMLElement} target the card or frame panel that shows them
   * @param {() => boolean} shown whether the target still shows these faces (a frame panel moves on)
   * @param {string} modelId the model that scored its faces
   * @param {() => Promise<Blob|ImageBitmap|import('./engine/core.js').VideoFrameRef>} picture
   * @param {Box[]} boxes
   * @param {(maps: any[], crops: ImageBitmap[]) => void} show
   * @param {string} what for a message
   */
  const explain = (target, shown, modelId, picture, boxes, show, what) => {
    if (state.explaining.has(target)) return;
    state.explaining.add(target);
    pipeline.add({
      async start() {
        if (!heatmapsOn() || !target.isConnected || !shown()) return null;
        if (modelId !== state.modelId) return 'unavailable';
        return (await engine).explain(await picture(), boxes);
      },
      finish(done) {
        state.explaining.delete(target);
        const drawn = done.ok && done.value !== null && done.value !== 'unavailable' ? done.value : null;
        try {
          if (!shown()) {
            // a frame panel that moved on to another frame: that one's maps, if still wanted
            if (heatmapsOn()) explainPending();
          } else if (!done.ok) {
            target.dataset.heatmaps = 'error';
            announce(`${what}: the heatmap could not be computed (${messageOf(done.error)}).`);
          } else if (done.value === 'unavailable') {
            target.dataset.heatmaps = 'unavailable';
          } else if (drawn) { // none: switched off again, drawn when next switched on
            show(drawn.maps, drawn.crops);
          }
        } finally {
          drawn?.crops.forEach((/** @type {ImageBitmap} */ c) => c.close());
        }
      },
    });
  };
  for (const [detail, { video, frame, modelId }] of state.frameDetails) {
    if (!detail.isConnected) state.frameDetails.delete(detail);
    const shown = () => detail.isConnected && Number(detail.dataset.time) === frame.time;
    if (!shown() || detail.dataset.heatmaps) continue;
    const faces = frame.analysis?.faces ?? [];
    explain(detail, shown, modelId, () => video.picture(frame), faces.map((f) => f.box),
      (maps, crops) => showFrameHeatmaps(detail, maps, crops), `The frame at ${frame.time.toFixed(1)} s`);
  }
  for (const [card, { file, width, boxes, modelId }] of state.explainable) {
    if (card.dataset.heatmaps || !card.isConnected) continue;
    explain(card, () => card.isConnected, modelId, async () => file, boxes,
      (maps, crops) => showHeatmaps(card, width, boxes, maps, crops), file.name);
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
  ready.then(() => switchModel(() => own.pick(files), OWN_MODEL_ID), () => {});
});

// ------------------------------------------------------------------ export

function about() {
  return { page: 'mesonet-web', model: state.modelId, model_name: state.metadata?.name ?? null,
    backend: state.backend, thresholds: state.metadata?.thresholds ?? null };
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
  pipeline.add({
    alone: true,
    start: () => {},
    finish: () => {
      $('results').replaceChildren();
      state.results = [];
      state.explainable.clear();
      state.frameDetails.clear();
      for (const { video, thumbs } of state.videos.values()) {
        video.close();
        thumbs.forEach((t) => t.close());
      }
      state.videos.clear();
      updateActions();
    },
  });
});

// ------------------------------------------------------------------ webcam

setupWebcam({ ready, engine, thresholds: () => state.metadata?.thresholds, backend: () => state.backend });

registerServiceWorker();
