// @ts-check
/**
 * One result card per file. Owns the card's DOM and its test hooks:
 * [data-testid=result] with data-file, data-kind, data-state, data-verdict,
 * data-p-real, data-model, data-stale, data-sha256; [data-testid=picture]
 * and its [data-testid=picture-heatmap]; [data-testid=face] per face with
 * data-p-real and data-box; [data-testid=error]; [data-testid=stale-note]
 * with [data-testid=reanalyse]; [data-testid=details] with
 * [data-testid=sha256]. File names are always text, never HTML.
 *
 * A card is its title, a body (what the analysis found: replaced whenever
 * the file is analysed again) and the file's details (size, type, sha256:
 * they stay, whatever the analysis). The developer's detail of each face
 * (crop, detector box, timings) is in the details disclosure, not in the body.
 */
import { boxText } from '../domain/faces.js';
import { sizeText } from '../domain/formats.js';
import { VERDICT_LABELS, explainScore, formatPercent, verdictFor } from '../domain/verdict.js';
import { createGauge } from './gauge.js';
import { faceHeatmap, pictureHeatmap } from './heatmap.js';

/** Where the page links for "what the score means" (the built docs). */
export const MODEL_CARD_URL = 'docs/model-card/';
/**
 * A band's colour for boxes drawn into a picture: the page's CSS sets them
 * (--real, --uncertain, --fake: Okabe-Ito, the same in both themes), the one
 * place colours are set.
 * @param {import('../domain/verdict.js').Verdict} verdict
 */
function bandColour(verdict) {
  return getComputedStyle(document.documentElement).getPropertyValue(`--${verdict}`).trim() || '#000';
}

/**
 * @typedef {{ id: string, name: string, weights: { file: string, sha256: string }[] }} ModelInfo
 * @typedef {{ size: number, label: string, type: string|null, sha256: string|null, hashError?: string|null }} FileFacts
 */

/**
 * @param {HTMLElement} container
 * @param {string} name
 * @param {'image'|'video'} kind
 * @param {string} id the card's element id (the overview links to it)
 * @returns {HTMLElement}
 */
export function createCard(container, name, kind, id) {
  const card = document.createElement('article');
  card.className = 'card';
  card.id = id;
  card.tabIndex = -1; // the overview's links move the focus here
  card.dataset.testid = 'result';
  card.dataset.file = name;
  card.dataset.kind = kind;
  card.dataset.state = 'queued';
  const title = document.createElement('h2');
  title.textContent = name;
  card.setAttribute('aria-labelledby', `${id}-title`);
  title.id = `${id}-title`;
  // For the printed report: the file's size, type and sha256 (on screen they are in the details).
  const facts = document.createElement('p');
  facts.className = 'file-facts print-only';
  const body = document.createElement('div');
  body.className = 'card-body';
  const details = document.createElement('details');
  details.className = 'card-details';
  details.dataset.testid = 'details';
  const summary = document.createElement('summary');
  summary.textContent = 'Details';
  const file = document.createElement('div');
  file.className = 'details-file';
  const analysis = document.createElement('div');
  analysis.className = 'details-analysis';
  details.append(summary, file, analysis);
  card.append(title, facts, body, details);
  container.append(card);
  setProgress(card, 'Waiting…');
  return card;
}

/** The part of a card that shows the analysis. @param {HTMLElement} card */
export function bodyOf(card) {
  return /** @type {HTMLElement} */ (card.querySelector(':scope > .card-body'));
}

/** The analysis' technical detail, inside the details disclosure. @param {HTMLElement} card */
export function technicalOf(card) {
  return /** @type {HTMLElement} */ (card.querySelector(':scope > .card-details > .details-analysis'));
}

/** @param {HTMLElement} card @param {string} text */
export function setProgress(card, text) {
  let note = bodyOf(card).querySelector('.progress');
  if (!note) {
    note = document.createElement('p');
    note.className = 'progress';
    bodyOf(card).append(note);
  }
  note.textContent = text;
}

/**
 * Back to "queued" for another analysis: the body, the verdict's attributes
 * and the maps go; the title and the file's details stay.
 * @param {HTMLElement} card
 */
export function resetCard(card) {
  clearBody(card);
  for (const key of ['verdict', 'pReal', 'mode', 'heatmaps', 'frames', 'framesDone', 'faceShare', 'detectMs',
    'classifyMs', 'totalMs', 'fileMs', 'workerTensors', 'engine', 'engineWhy', 'engineThreads', 'model',
    'modelSha256', 'stale']) {
    delete card.dataset[key];
  }
  card.querySelector(':scope > .stale-note')?.remove();
  card.dataset.state = 'queued';
  setProgress(card, 'Waiting…');
}

/** @param {HTMLElement} card @param {string} message */
export function showError(card, message) {
  clearBody(card);
  const text = document.createElement('p');
  text.dataset.testid = 'error';
  text.className = 'error';
  text.textContent = message;
  bodyOf(card).append(text);
  card.dataset.state = 'error';
}

/**
 * The file's size, type and sha256: in the details, and on the printed report.
 * @param {HTMLElement} card
 * @param {FileFacts} facts
 */
export function setFileFacts(card, facts) {
  const hash = facts.sha256 ?? (facts.hashError ? `not computed (${facts.hashError})` : 'computing…');
  if (facts.sha256) card.dataset.sha256 = facts.sha256;
  const list = document.createElement('dl');
  const rows = [['Size', `${sizeText(facts.size)} (${facts.size.toLocaleString('en')} bytes)`],
    ['Type', facts.type ? `${facts.label} (${facts.type})` : facts.label]];
  for (const [term, value] of rows) list.append(...pair(term, value));
  const [term, value] = pair('sha256', hash);
  value.dataset.testid = 'sha256';
  value.className = 'hash';
  list.append(term, value);
  const file = /** @type {HTMLElement} */ (card.querySelector(':scope > .card-details > .details-file'));
  file.replaceChildren(list);
  const print = /** @type {HTMLElement} */ (card.querySelector(':scope > .file-facts'));
  print.textContent = `${sizeText(facts.size)} · ${facts.label} · sha256 ${hash}`;
}

/** @param {string} term @param {string} text */
function pair(term, text) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = text;
  return [dt, dd];
}

/**
 * Which model produced this result: data-model (its id), data-model-sha256
 * (its weights), a line in the body and the model in the details.
 * @param {HTMLElement} card
 * @param {ModelInfo} model
 */
export function markModel(card, model) {
  card.dataset.model = model.id;
  card.dataset.modelSha256 = model.weights.map((w) => w.sha256).join(' ');
  if (card.dataset.state !== 'error') {
    const line = document.createElement('p');
    line.className = 'card-model';
    line.textContent = `Model: ${model.name}`;
    bodyOf(card).append(line);
  }
  const technical = technicalOf(card);
  const list = document.createElement('dl');
  list.className = 'details-model';
  list.append(...pair('Model', `${model.name} (${model.id})`));
  for (const w of model.weights) {
    const [term, value] = pair('Weights', `${w.file}, sha256 ${w.sha256}`);
    value.className = 'hash';
    list.append(term, value);
  }
  technical.querySelector('.details-model')?.remove();
  technical.append(list);
}

/**
 * Marks a card as made by another model than the one now in use, with a
 * button to analyse it again; `null` takes the mark away.
 * @param {HTMLElement} card
 * @param {{ was: string, now: string }|null} models the names of the card's model and of the one in use
 * @param {() => void} [onReanalyse]
 */
export function setStale(card, models, onReanalyse) {
  card.querySelector(':scope > .stale-note')?.remove();
  if (!models) {
    delete card.dataset.stale;
    return;
  }
  card.dataset.stale = 'true';
  const note = document.createElement('div');
  note.className = 'stale-note';
  note.dataset.testid = 'stale-note';
  const text = document.createElement('p');
  text.textContent = `Made with an earlier model (${models.was}); the model in use is now ${models.now}.`;
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.testid = 'reanalyse';
  button.textContent = `Analyse again with ${models.now}`;
  button.addEventListener('click', () => { button.disabled = true; onReanalyse?.(); });
  note.append(text, button);
  card.querySelector(':scope > .file-facts')?.after(note);
}

/**
 * @typedef {object} Rendered
 * @property {ImageBitmap} picture the picture as the card shows it (the engine's preview)
 * @property {number} width the picture's own width (pixels of the boxes)
 * @property {number} height
 * @property {import('../domain/engine-api.js').Analysis} analysis
 * @property {import('../domain/verdict.js').ImageVerdict} verdict the picture's verdict (aggregateFaces)
 * @property {import('../domain/verdict.js').Thresholds} thresholds
 * @property {string} backend
 * @property {string[]} notes extra lines (e.g. a truncated file)
 * @property {(() => void)|null} onScoreWhole offered when no face was found
 */

/**
 * Fill a card with an analysis and its verdict: preview with boxes, gauge,
 * explanation, faces.
 * @param {HTMLElement} card
 * @param {Rendered} r
 */
export function showAnalysis(card, r) {
  clearBody(card);
  const body = bodyOf(card);
  const { analysis, thresholds, verdict: summary } = r;
  const frame = document.createElement('div');
  frame.className = 'preview-frame';
  frame.append(preview(r.picture, r.width, analysis, thresholds));
  body.append(frame);

  if (summary.pReal === null) {
    const text = document.createElement('p');
    text.className = 'verdict';
    text.textContent = 'No face found';
    const why = document.createElement('p');
    why.textContent = 'The face detector found no face in this picture, so there is nothing the model was trained to judge. '
      + 'You can score the whole picture anyway, but the model was trained on face crops: a score for a whole picture is outside what it knows.';
    body.append(text, why);
    if (r.onScoreWhole) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'score-whole';
      button.textContent = 'Score the whole image anyway';
      button.addEventListener('click', () => { button.disabled = true; r.onScoreWhole?.(); });
      body.append(button);
    }
  } else {
    body.append(...verdictBlock(summary.pReal, thresholds));
    if (analysis.mode === 'whole') {
      const warn = document.createElement('p');
      warn.className = 'warning';
      warn.textContent = 'Whole image scored without a face search: outside what the model was trained for (face crops). Treat this score with extra caution.';
      body.append(warn);
    }
    if (analysis.faces.length > 1) {
      const which = document.createElement('p');
      which.textContent = `${analysis.faces.length} faces; the verdict rests on the most suspicious one (face ${summary.index + 1}).`;
      body.append(which);
    }
  }

  const list = document.createElement('ol');
  list.className = 'faces';
  const technical = document.createElement('ul');
  technical.className = 'details-faces';
  analysis.faces.forEach((face, i) => {
    if (analysis.mode === 'whole') return; // no face was found: nothing to list
    const item = document.createElement('li');
    item.dataset.testid = 'face';
    item.dataset.pReal = String(face.pReal);
    item.dataset.box = boxText(face.box);
    if (face.face) item.dataset.faceBox = boxText(face.face);
    const band = VERDICT_LABELS[verdictFor(face.pReal, thresholds)].toLowerCase();
    const text = document.createElement('p');
    text.textContent = `Face ${i + 1}: ${formatPercent(face.pReal)} P(real), ${band}.`;
    item.append(text);
    list.append(item);
    const line = document.createElement('li');
    const where = analysis.mode === 'tight' ? 'the whole picture (it is already a face crop)'
      : `crop ${face.box.w}×${face.box.h} at ${face.box.x},${face.box.y}`;
    const found = face.face ? `; the detector's box ${face.face.w}×${face.face.h} at ${face.face.x},${face.face.y}` : '';
    const confidence = face.confidence === null || face.confidence === undefined ? ''
      : `, detector confidence ${(face.confidence * 100).toFixed(0)}%`;
    line.textContent = `Face ${i + 1}: ${where}${found}${confidence}; P(real) ${face.pReal.toFixed(4)}, scored in ${face.ms.toFixed(1)} ms on ${r.backend}.`;
    technical.append(line);
  });
  if (list.childElementCount) body.append(list);
  for (const line of r.notes) {
    const p = document.createElement('p');
    p.className = 'warning';
    p.textContent = line;
    body.append(p);
  }

  const timing = document.createElement('p');
  timing.className = 'timing';
  const detect = analysis.detectMs === null ? 'no face search' : `faces searched for in ${analysis.detectMs.toFixed(0)} ms (BlazeFace)`;
  timing.textContent = `Picture ${r.width}×${r.height} px; ${detect}; backend ${r.backend}.`;
  technicalOf(card).replaceChildren(timing, technical);

  card.dataset.verdict = summary.verdict;
  if (summary.pReal === null) delete card.dataset.pReal;
  else card.dataset.pReal = String(summary.pReal);
  card.dataset.mode = analysis.mode;
  card.dataset.state = 'done';
}

/**
 * Lay each face's Grad-CAM map over its crop (inside its [data-testid=face])
 * and over the picture; replaces maps drawn before. Shown or hidden by CSS
 * (the heatmap switch), so toggling never recomputes.
 * @param {HTMLElement} card
 * @param {number} width the picture's own width (pixels of the boxes)
 * @param {import('../domain/faces.js').Box[]} boxes the scored crops, one per face
 * @param {{ values: Float32Array, size: number[] }[]} maps one per face
 * @param {(ImageBitmap|null)[]} crops one per face
 */
export function showHeatmaps(card, width, boxes, maps, crops) {
  card.querySelectorAll('.heatmap, .face-heatmap').forEach((el) => el.remove());
  const canvas = /** @type {HTMLCanvasElement|null} */ (card.querySelector('.preview-frame canvas.preview'));
  if (canvas && maps.length) canvas.after(pictureHeatmap(canvas, canvas.width / width, boxes, maps));
  card.querySelectorAll('[data-testid=face]').forEach((item, i) => {
    if (maps[i]) item.append(faceHeatmap(crops[i] ?? null, maps[i]));
  });
  card.dataset.heatmaps = 'done';
}

/**
 * A picture as a canvas with each face's crop box and score drawn on it.
 * @param {ImageBitmap} picture already scaled for showing (at most 640 px)
 * @param {number} width the picture's own width (the boxes' pixels)
 * @param {{ box: import('../domain/faces.js').Box, pReal: number }[]} faces
 * @param {import('../domain/verdict.js').Thresholds} thresholds
 * @param {string} [testid]
 * @returns {HTMLCanvasElement}
 */
export function pictureWithBoxes(picture, width, faces, thresholds, testid = 'picture') {
  const scale = picture.width / width;
  const canvas = document.createElement('canvas');
  canvas.width = picture.width;
  canvas.height = picture.height;
  canvas.className = 'preview';
  canvas.dataset.testid = testid;
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  ctx.drawImage(picture, 0, 0);
  const labels = [];
  faces.forEach((face, i) => {
    const verdict = verdictFor(face.pReal, thresholds);
    const colour = bandColour(verdict);
    const b = face.box;
    ctx.lineWidth = Math.max(2, canvas.width / 160);
    ctx.strokeStyle = colour;
    ctx.setLineDash(verdict === 'fake' ? [] : verdict === 'uncertain' ? [8, 4] : [2, 3]);
    ctx.strokeRect(b.x * scale, b.y * scale, b.w * scale, b.h * scale);
    const text = `${i + 1}: ${formatPercent(face.pReal)}`;
    ctx.font = `bold ${Math.max(12, Math.round(canvas.width / 30))}px system-ui, sans-serif`;
    const tw = ctx.measureText(text).width + 8;
    const th = Math.max(16, Math.round(canvas.width / 22));
    const ty = b.y * scale > th ? b.y * scale - th : b.y * scale;
    ctx.fillStyle = colour;
    ctx.fillRect(b.x * scale, ty, tw, th);
    ctx.fillStyle = '#000';
    ctx.fillText(text, b.x * scale + 4, ty + th * 0.8);
    labels.push(`face ${i + 1} ${formatPercent(face.pReal)} P(real)`);
  });
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', labels.length ? `The picture with ${labels.join(', ')}` : 'The picture');
  return canvas;
}

/**
 * The card's picture: boxes only where faces were found (not for a whole-picture score).
 * @param {ImageBitmap} picture the engine's preview (already at most 640 px)
 * @param {number} width the picture's own width
 * @param {import('../domain/engine-api.js').Analysis} analysis
 * @param {import('../domain/verdict.js').Thresholds} thresholds
 */
function preview(picture, width, analysis, thresholds) {
  const boxed = analysis.mode === 'faces' || analysis.mode === 'tight' ? analysis.faces : [];
  return pictureWithBoxes(picture, width, boxed, thresholds);
}

/**
 * The verdict's gauge and what the score means (the caveat that every score
 * is evidence, not proof, is said once, in the overview).
 * @param {number} pReal
 * @param {import('../domain/verdict.js').Thresholds} thresholds
 * @returns {HTMLElement[]}
 */
export function verdictBlock(pReal, thresholds) {
  const text = document.createElement('p');
  text.className = 'explain';
  text.textContent = explainScore(verdictFor(pReal, thresholds), pReal);
  return [createGauge(pReal, thresholds), text];
}

/** Empty the card's body (its title and the file's details stay). @param {HTMLElement} card */
export function clearBody(card) {
  bodyOf(card).replaceChildren();
  technicalOf(card).replaceChildren();
}
