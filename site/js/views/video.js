// @ts-check
/**
 * A video's card: progress with cancel while frames are analysed, then the
 * verdict gauge, the video itself, a timeline of P(real) over time (click a
 * point: the video seeks there and that frame's faces are shown), the most
 * suspicious frames, and every frame's scores as a table.
 *
 * Test hooks: the card's data-frames; [data-testid=frame] per analysed frame
 * with data-time and data-p-real (absent when the frame has no face);
 * [data-testid=progress], [data-testid=cancel], [data-testid=timeline],
 * [data-testid=suspicious-frame], [data-testid=frame-detail] holding the
 * selected frame's [data-testid=face] items.
 */
import { boxText } from '../faces.js';
import { VERDICT_LABELS, verdictFor } from '../verdict.js';
import { mostSuspicious } from '../video-summary.js';
import { clearBody, verdictBlock } from './card.js';
import { faceHeatmap } from './heatmap.js';

/** How many of the most suspicious frames are shown as thumbnails. */
export const SUSPICIOUS_SHOWN = 4;
/** The timeline's drawing box (SVG user units; it scales to the card). */
const CHART = Object.freeze({ width: 600, height: 180, left: 34, right: 8, top: 8, bottom: 24 });
/** One colour per person on the timeline (Okabe-Ito, after the three verdict colours). */
const PERSON_COLOURS = Object.freeze(['#000000', '#009e73', '#cc79a7', '#56b4e9', '#f0e442']);
const SVG = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {Record<string, string|number>} attrs
 */
function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** @param {number} seconds */
export function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/**
 * Progress bar "frames done / total" and a cancel button.
 * @param {HTMLElement} card
 * @param {number} total
 * @param {() => void} onCancel
 * @returns {(done: number) => void} updates the bar
 */
export function showVideoProgress(card, total, onCancel) {
  clearBody(card);
  const wrap = document.createElement('div');
  wrap.className = 'video-progress';
  const label = document.createElement('p');
  label.className = 'progress';
  const bar = document.createElement('progress');
  bar.dataset.testid = 'progress';
  bar.max = total;
  bar.value = 0;
  bar.setAttribute('aria-label', 'Frames analysed');
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.dataset.testid = 'cancel';
  cancel.textContent = 'Cancel';
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    cancel.textContent = 'Cancelling…';
    onCancel();
  });
  wrap.append(label, bar, cancel);
  card.append(wrap);
  const update = (/** @type {number} */ done) => {
    bar.value = done;
    label.textContent = `Analysing frames: ${done} / ${total}`;
    card.dataset.framesDone = String(done);
  };
  update(0);
  return update;
}

/**
 * @typedef {object} VideoView
 * @property {string} url object URL of the file (the card keeps using it)
 * @property {import('../analyse-video.js').VideoAnalysis} result
 * @property {import('../video-summary.js').VideoSummary} summary
 * @property {number} total frames planned
 * @property {number} duration seconds
 * @property {{ width: number, height: number }} size
 * @property {{ fake_below: number, real_above: number }} thresholds
 * @property {string} backend
 * @property {(frame: import('../analyse-video.js').FrameResult, into: HTMLElement) => void} onShowFrame
 *   called after a frame is selected, with its detail panel (for heatmaps on demand)
 */

/**
 * @param {HTMLElement} card
 * @param {VideoView} v
 */
export function showVideo(card, v) {
  clearBody(card);
  const { summary, thresholds, result } = v;
  const frames = result.frames;

  if (summary.pReal === null) {
    const text = document.createElement('p');
    text.className = 'verdict';
    text.textContent = 'No face found';
    const why = document.createElement('p');
    why.textContent = `The face detector found no face in any of the ${frames.length} frames analysed, so there is nothing the model was trained to judge.`;
    card.append(text, why);
  } else {
    const [gauge, text] = verdictBlock(summary.pReal, thresholds);
    card.append(gauge);
    const basis = document.createElement('p');
    basis.dataset.testid = 'video-summary';
    const spread = /** @type {{ sd: number, min: number, max: number }} */ (summary.spread);
    const pct = (/** @type {number} */ p) => `${(p * 100).toFixed(1)}%`;
    basis.textContent = `Mean P(real) over the frames with a face: a face was found in ${summary.framesWithFace} of `
      + `${summary.frames} frames (${Math.round(summary.faceShare * 100)}%). Frame scores spread: standard deviation `
      + `${pct(spread.sd)}, from ${pct(spread.min)} to ${pct(spread.max)}.`;
    if (summary.people.length > 1) {
      basis.textContent += ` ${summary.people.length} people were followed; the verdict rests on the most suspicious one (person ${summary.person + 1}).`;
    }
    card.append(basis, text);
  }
  for (const line of notes(v)) {
    const p = document.createElement('p');
    p.className = 'warning';
    p.textContent = line;
    card.append(p);
  }

  const player = document.createElement('video');
  player.className = 'preview';
  player.src = v.url;
  player.controls = true;
  player.muted = true;
  player.preload = 'metadata';
  player.setAttribute('aria-label', 'The video');
  const detail = document.createElement('div');
  detail.className = 'frame-detail';
  detail.dataset.testid = 'frame-detail';
  detail.setAttribute('aria-live', 'polite');

  /** @param {number} index */
  const select = (index) => {
    const frame = frames[index];
    player.currentTime = frame.time;
    showFrame(detail, frame, summary, thresholds);
    card.querySelectorAll('[aria-current]').forEach((el) => el.removeAttribute('aria-current'));
    card.querySelectorAll(`[data-frame-index="${index}"]`).forEach((el) => el.setAttribute('aria-current', 'true'));
    v.onShowFrame(frame, detail);
  };

  card.append(player);
  if (summary.framesWithFace > 0) {
    card.append(timeline(v, select));
    const picks = mostSuspicious(summary.frameScores, SUSPICIOUS_SHOWN);
    const strip = document.createElement('div');
    strip.className = 'suspicious';
    const heading = document.createElement('p');
    heading.textContent = 'Most suspicious frames (click to see):';
    strip.append(heading);
    for (const index of picks) {
      const frame = frames[index];
      const face = lowestFace(frame);
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.testid = 'suspicious-frame';
      button.dataset.frameIndex = String(index);
      button.append(thumbCanvas(frame.thumbs[face], 72));
      const caption = document.createElement('span');
      // The visible caption is the button's name (WCAG 2.5.3: label in name).
      caption.textContent = `${clock(frame.time)} · P(real) ${(/** @type {number} */ (summary.frameScores[index]) * 100).toFixed(0)}%`;
      button.append(caption);
      button.addEventListener('click', () => select(index));
      strip.append(button);
    }
    card.append(strip);
  }
  card.append(detail, frameTable(v, select));

  const timing = document.createElement('p');
  timing.className = 'timing';
  timing.textContent = `${v.size.width}×${v.size.height} px, ${clock(v.duration)} long; ${frames.length} frames analysed; backend ${v.backend}.`;
  card.append(timing);

  card.dataset.frames = String(frames.length);
  card.dataset.verdict = summary.verdict;
  if (summary.pReal === null) delete card.dataset.pReal;
  else card.dataset.pReal = String(summary.pReal);
  card.dataset.mode = summary.pReal === null ? 'no-face' : 'faces';
  card.dataset.faceShare = summary.faceShare.toFixed(4);
  card.dataset.state = result.ending === 'cancelled' ? 'cancelled' : 'done';
}

/** @param {VideoView} v */
function notes(v) {
  const lines = [];
  const { result, total } = v;
  if (result.ending === 'cancelled') {
    lines.push(`Cancelled after ${result.frames.length} of ${total} frames: the result covers only those frames.`);
  }
  if (result.failure) lines.push(`${result.failure}. The result covers the ${result.frames.filter((f) => f.analysis).length} frames read before that.`);
  const failed = result.frames.filter((f) => f.error).length;
  if (failed && !result.failure) lines.push(`${failed} frame(s) could not be read and were left out.`);
  if (v.summary.pReal !== null && v.summary.faceShare < 0.5) {
    lines.push('A face was found in fewer than half of the frames: the verdict rests on few frames.');
  }
  return lines;
}

/** @param {import('../analyse-video.js').FrameResult} frame index of its most suspicious face */
function lowestFace(frame) {
  const faces = frame.analysis?.faces ?? [];
  let best = 0;
  faces.forEach((f, i) => { if (f.pReal < faces[best].pReal) best = i; });
  return best;
}

/** @param {ImageBitmap|null} thumb (null: not kept, drawn blank) @param {number} side */
function thumbCanvas(thumb, side) {
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  if (thumb) canvas.getContext('2d')?.drawImage(thumb, 0, 0, side, side);
  return canvas;
}

/**
 * P(real) over time: the verdict bands, one line per person, a point per frame.
 * @param {VideoView} v
 * @param {(index: number) => void} select
 */
function timeline(v, select) {
  const { summary, thresholds, duration } = v;
  const frames = v.result.frames;
  const c = CHART;
  const plotW = c.width - c.left - c.right;
  const plotH = c.height - c.top - c.bottom;
  const x = (/** @type {number} */ t) => c.left + (t / duration) * plotW;
  const y = (/** @type {number} */ p) => c.top + (1 - p) * plotH;
  const chart = svg('svg', { viewBox: `0 0 ${c.width} ${c.height}`, class: 'timeline', role: 'group' });
  chart.dataset.testid = 'timeline';
  chart.setAttribute('aria-label', 'P(real) of each analysed frame over time; each point is a button');
  const bands = [
    ['fake', 0, thresholds.fake_below], ['uncertain', thresholds.fake_below, thresholds.real_above],
    ['real', thresholds.real_above, 1],
  ];
  for (const [name, lo, hi] of bands) {
    chart.append(svg('rect', { x: c.left, y: y(/** @type {number} */ (hi)), width: plotW,
      height: y(/** @type {number} */ (lo)) - y(/** @type {number} */ (hi)), class: `band band-${name}` }));
  }
  for (const p of [0, 0.5, 1]) {
    const label = svg('text', { x: c.left - 4, y: y(p) + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = `${p * 100}%`;
    chart.append(label);
  }
  for (const t of [0, duration]) {
    const label = svg('text', { x: x(t), y: c.height - 6, 'text-anchor': t ? 'end' : 'start', class: 'axis' });
    label.textContent = clock(t);
    chart.append(label);
  }
  summary.people.forEach((person, k) => {
    const points = [];
    frames.forEach((frame, f) => frame.analysis?.faces.forEach((face, i) => {
      if (summary.ids[f][i] === person.id) points.push(`${x(frame.time).toFixed(1)},${y(face.pReal).toFixed(1)}`);
    }));
    const line = svg('polyline', { points: points.join(' '), class: 'person-line',
      stroke: PERSON_COLOURS[k % PERSON_COLOURS.length] });
    if (person.id === summary.person) line.classList.add('chosen');
    chart.append(line);
  });
  frames.forEach((frame, index) => {
    const score = summary.frameScores[index];
    if (score === null) return;
    const dot = svg('circle', { cx: x(frame.time), cy: y(score), r: 5, class: `point band-${verdictFor(score, thresholds)}`,
      tabindex: 0, role: 'button' });
    dot.dataset.frameIndex = String(index);
    dot.setAttribute('aria-label', `${clock(frame.time)}: P(real) ${(score * 100).toFixed(1)}%`);
    const title = svg('title', {});
    title.textContent = dot.getAttribute('aria-label') || '';
    dot.append(title);
    dot.addEventListener('click', () => select(index));
    dot.addEventListener('keydown', (event) => {
      const key = /** @type {KeyboardEvent} */ (event).key;
      if (key === 'Enter' || key === ' ') { event.preventDefault(); select(index); }
    });
    chart.append(dot);
  });
  return chart;
}

/**
 * The selected frame: its faces with crops, scores and person numbers.
 * @param {HTMLElement} detail
 * @param {import('../analyse-video.js').FrameResult} frame
 * @param {import('../video-summary.js').VideoSummary} summary
 * @param {{ fake_below: number, real_above: number }} thresholds
 */
function showFrame(detail, frame, summary, thresholds) {
  detail.replaceChildren();
  detail.dataset.time = String(frame.time);
  delete detail.dataset.heatmaps; // this frame's maps are not drawn yet
  const heading = document.createElement('p');
  heading.textContent = `Frame at ${clock(frame.time)}`;
  detail.append(heading);
  const list = document.createElement('ol');
  list.className = 'faces';
  const faces = frame.analysis?.faces ?? [];
  faces.forEach((face, i) => {
    const item = document.createElement('li');
    item.dataset.testid = 'face';
    item.dataset.pReal = String(face.pReal);
    item.dataset.box = boxText(face.box);
    if (face.face) item.dataset.faceBox = boxText(face.face);
    const text = document.createElement('p');
    const band = VERDICT_LABELS[verdictFor(face.pReal, thresholds)].toLowerCase();
    text.textContent = `Person ${summary.ids[frame.index][i] + 1}: P(real) ${(face.pReal * 100).toFixed(1)}%, ${band}.`;
    item.append(thumbCanvas(frame.thumbs[i], 128), text);
    list.append(item);
  });
  if (faces.length === 0) heading.textContent += frame.error ? `: ${frame.error}` : ': no face found.';
  detail.append(list);
}

/**
 * Heatmaps of the selected frame's faces, on demand (drawn into its faces).
 * @param {HTMLElement} detail
 * @param {{ values: Float32Array, size: number[] }[]} maps one per face
 * @param {ImageBitmap[]} crops one per face
 */
export function showFrameHeatmaps(detail, maps, crops) {
  detail.querySelectorAll('.face-heatmap').forEach((el) => el.remove());
  detail.querySelectorAll('[data-testid=face]').forEach((item, i) => {
    if (maps[i]) item.append(faceHeatmap(crops[i] ?? null, maps[i]));
  });
  detail.dataset.heatmaps = 'done';
}

/**
 * Every frame's score: the accessible form of the timeline.
 * @param {VideoView} v
 * @param {(index: number) => void} select
 */
function frameTable(v, select) {
  const details = document.createElement('details');
  details.className = 'frame-table';
  const summaryLine = document.createElement('summary');
  summaryLine.textContent = `Scores of all ${v.result.frames.length} frames`;
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const name of ['Time', 'Faces', 'P(real)', '']) {
    const th = document.createElement('th');
    th.textContent = name;
    head.append(th);
  }
  const body = table.createTBody();
  v.result.frames.forEach((frame, index) => {
    const row = body.insertRow();
    row.dataset.testid = 'frame';
    row.dataset.time = String(frame.time);
    row.dataset.frameIndex = String(index);
    const score = v.summary.frameScores[index];
    if (score !== null) row.dataset.pReal = String(score);
    row.dataset.faces = String(frame.analysis?.faces.length ?? 0);
    row.dataset.ms = frame.ms.toFixed(2);
    row.dataset.waitMs = frame.waitMs.toFixed(2);
    if (frame.analysis?.detectMs != null) row.dataset.detectMs = frame.analysis.detectMs.toFixed(2);
    if (frame.error) row.dataset.error = frame.error;
    row.insertCell().textContent = clock(frame.time);
    row.insertCell().textContent = frame.analysis ? String(frame.analysis.faces.length) : '–';
    row.insertCell().textContent = score === null ? (frame.error ? 'unreadable' : 'no face')
      : `${(score * 100).toFixed(1)}% (${VERDICT_LABELS[verdictFor(score, v.thresholds)].toLowerCase()})`;
    const cell = row.insertCell();
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Show';
    button.setAttribute('aria-label', `Show the frame at ${clock(frame.time)}`);
    button.addEventListener('click', () => select(index));
    cell.append(button);
  });
  details.append(summaryLine, table);
  return details;
}
