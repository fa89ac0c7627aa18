// @ts-check
/**
 * One result card per file. Owns the card's DOM and its test hooks:
 * [data-testid=result] with data-file, data-kind, data-state, data-verdict,
 * data-p-real; [data-testid=face] per face with data-p-real and data-box;
 * [data-testid=error]. File names are always text, never HTML.
 */
import { boxText } from '../faces.js';
import { VERDICT_LABELS, aggregateFaces, explain, verdictFor } from '../verdict.js';
import { createGauge } from './gauge.js';
import { faceHeatmap, pictureHeatmap } from './heatmap.js';

/** Where the page links for "what the score means" (the built docs). */
export const MODEL_CARD_URL = 'docs/model-card/';

/**
 * @param {HTMLElement} container
 * @param {string} name
 * @param {'image'|'video'} kind
 * @returns {HTMLElement}
 */
export function createCard(container, name, kind) {
  const card = document.createElement('article');
  card.className = 'card';
  card.dataset.testid = 'result';
  card.dataset.file = name;
  card.dataset.kind = kind;
  card.dataset.state = 'queued';
  const title = document.createElement('h2');
  title.textContent = name;
  const note = document.createElement('p');
  note.className = 'progress';
  note.textContent = 'Waiting…';
  card.append(title, note);
  container.append(card);
  return card;
}

/** @param {HTMLElement} card @param {string} text */
export function setProgress(card, text) {
  const note = card.querySelector('.progress');
  if (note) note.textContent = text;
}

/** @param {HTMLElement} card @param {string} message */
export function showError(card, message) {
  clearBody(card);
  const text = document.createElement('p');
  text.dataset.testid = 'error';
  text.className = 'error';
  text.textContent = message;
  card.append(text);
  card.dataset.state = 'error';
}

/**
 * @typedef {object} Rendered
 * @property {ImageBitmap} picture the picture as the card shows it (the engine's preview)
 * @property {number} width the picture's own width (pixels of the boxes)
 * @property {number} height
 * @property {import('../analyse.js').Analysis} analysis
 * @property {{ fake_below: number, real_above: number }} thresholds
 * @property {string} backend
 * @property {string[]} notes extra lines (e.g. a truncated file)
 * @property {(() => void)|null} onScoreWhole offered when no face was found
 */

/**
 * Fill a card with an analysis: preview with boxes, gauge, explanation, faces.
 * @param {HTMLElement} card
 * @param {Rendered} r
 * @returns {{ verdict: string, pReal: number|null }}
 */
export function showAnalysis(card, r) {
  clearBody(card);
  const { analysis, thresholds } = r;
  const summary = aggregateFaces(analysis.faces, thresholds);
  const frame = document.createElement('div');
  frame.className = 'preview-frame';
  frame.append(preview(r.picture, r.width, analysis, thresholds));
  card.append(frame);

  if (summary.pReal === null) {
    const text = document.createElement('p');
    text.className = 'verdict';
    text.textContent = 'No face found';
    const why = document.createElement('p');
    why.textContent = 'The face detector found no face in this picture, so there is nothing the model was trained to judge. '
      + 'You can score the whole picture anyway, but the model was trained on face crops: a score for a whole picture is outside what it knows.';
    card.append(text, why);
    if (r.onScoreWhole) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'score-whole';
      button.textContent = 'Score the whole image anyway';
      button.addEventListener('click', () => { button.disabled = true; r.onScoreWhole?.(); });
      card.append(button);
    }
  } else {
    card.append(...verdictBlock(summary.pReal, thresholds));
    if (analysis.mode === 'whole') {
      const warn = document.createElement('p');
      warn.className = 'warning';
      warn.textContent = 'Whole image scored without a face search: outside what the model was trained for (face crops). Treat this score with extra caution.';
      card.append(warn);
    }
    if (analysis.faces.length > 1) {
      const which = document.createElement('p');
      which.textContent = `${analysis.faces.length} faces; the verdict rests on the most suspicious one (face ${summary.index + 1}).`;
      card.append(which);
    }
  }

  const list = document.createElement('ol');
  list.className = 'faces';
  analysis.faces.forEach((face, i) => {
    if (analysis.mode === 'whole') return; // no face was found: nothing to list
    const item = document.createElement('li');
    item.dataset.testid = 'face';
    item.dataset.pReal = String(face.pReal);
    item.dataset.box = boxText(face.box);
    if (face.face) item.dataset.faceBox = boxText(face.face);
    const band = VERDICT_LABELS[verdictFor(face.pReal, thresholds)];
    const where = analysis.mode === 'tight' ? 'the whole image (already a face crop)' : `crop ${face.box.w}×${face.box.h} at ${face.box.x},${face.box.y}`;
    item.textContent = `Face ${i + 1}: P(real) ${(face.pReal * 100).toFixed(1)}%, ${band.toLowerCase()}; ${where}; ${face.ms.toFixed(1)} ms on ${r.backend}.`;
    list.append(item);
  });
  if (list.childElementCount) card.append(list);

  const timing = document.createElement('p');
  timing.className = 'timing';
  const detect = analysis.detectMs === null ? 'no face search' : `faces found in ${analysis.detectMs.toFixed(0)} ms`;
  timing.textContent = `${r.width}×${r.height} px; ${detect}; backend ${r.backend}.`;
  card.append(timing);
  for (const line of r.notes) {
    const p = document.createElement('p');
    p.className = 'warning';
    p.textContent = line;
    card.append(p);
  }

  card.dataset.verdict = summary.verdict;
  if (summary.pReal === null) delete card.dataset.pReal;
  else card.dataset.pReal = String(summary.pReal);
  card.dataset.mode = analysis.mode;
  card.dataset.state = 'done';
  return { verdict: summary.verdict, pReal: summary.pReal };
}

/**
 * Lay each face's Grad-CAM map over its crop (inside its [data-testid=face])
 * and over the picture; replaces maps drawn before. Shown or hidden by CSS
 * (the heatmap switch), so toggling never recomputes.
 * @param {HTMLElement} card
 * @param {number} width the picture's own width (pixels of the boxes)
 * @param {import('../faces.js').Box[]} boxes the scored crops, one per face
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
 * The picture with each face's crop box and score drawn on it.
 * @param {ImageBitmap} picture the engine's preview (already at most 640 px)
 * @param {number} width the picture's own width
 * @param {import('../analyse.js').Analysis} analysis
 * @param {{ fake_below: number, real_above: number }} thresholds
 */
function preview(picture, width, analysis, thresholds) {
  const scale = picture.width / width;
  const canvas = document.createElement('canvas');
  canvas.width = picture.width;
  canvas.height = picture.height;
  canvas.className = 'preview';
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  ctx.drawImage(picture, 0, 0);
  const labels = [];
  if (analysis.mode === 'faces' || analysis.mode === 'tight') {
    analysis.faces.forEach((face, i) => {
      const verdict = verdictFor(face.pReal, thresholds);
      const colour = { real: '#0072b2', uncertain: '#e69f00', fake: '#d55e00' }[verdict];
      const b = face.box;
      ctx.lineWidth = Math.max(2, canvas.width / 160);
      ctx.strokeStyle = colour;
      ctx.setLineDash(verdict === 'fake' ? [] : verdict === 'uncertain' ? [8, 4] : [2, 3]);
      ctx.strokeRect(b.x * scale, b.y * scale, b.w * scale, b.h * scale);
      const text = `${i + 1}: ${(face.pReal * 100).toFixed(0)}%`;
      ctx.font = `bold ${Math.max(12, Math.round(canvas.width / 30))}px system-ui, sans-serif`;
      const tw = ctx.measureText(text).width + 8;
      const th = Math.max(16, Math.round(canvas.width / 22));
      const ty = b.y * scale > th ? b.y * scale - th : b.y * scale;
      ctx.fillStyle = colour;
      ctx.fillRect(b.x * scale, ty, tw, th);
      ctx.fillStyle = '#000';
      ctx.fillText(text, b.x * scale + 4, ty + th * 0.8);
      labels.push(`face ${i + 1} ${(face.pReal * 100).toFixed(0)}% P(real)`);
    });
  }
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', labels.length ? `The picture with ${labels.join(', ')}` : 'The picture');
  return canvas;
}

/**
 * The verdict's gauge and its explanation with a link to the model card.
 * @param {number} pReal
 * @param {{ fake_below: number, real_above: number }} thresholds
 * @returns {HTMLElement[]}
 */
export function verdictBlock(pReal, thresholds) {
  const text = document.createElement('p');
  text.className = 'explain';
  text.textContent = `${explain(verdictFor(pReal, thresholds), pReal)} `;
  const link = document.createElement('a');
  link.href = MODEL_CARD_URL;
  link.textContent = 'About the model and its limits';
  text.append(link);
  return [createGauge(pReal, thresholds), text];
}

/** Remove everything from a card but its title. @param {HTMLElement} card */
export function clearBody(card) {
  for (const child of Array.from(card.children)) {
    if (child.tagName !== 'H2') child.remove();
  }
}
