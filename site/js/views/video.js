// @ts-check
/**
 * A video's card: progress with cancel while frames are analysed, then the
 * verdict gauge, the video itself, a timeline of P(real) over time (click a
 * point: the video seeks there and that frame is shown whole, with its faces'
 * boxes and scores), the most suspicious frames when some frame looks
 * manipulated, and every frame's scores as a table.
 *
 * Test hooks: the card's data-frames; [data-testid=frame] per analysed frame
 * with data-time and data-p-real (absent when the frame has no face);
 * [data-testid=progress], [data-testid=cancel], [data-testid=timeline] (a
 * circle per frame with a face, a square per frame without one),
 * [data-testid=suspicious-frame], [data-testid=frame-detail] holding the
 * selected frame's [data-testid=frame-picture] and [data-testid=face] items.
 */
import { boxText } from '../domain/faces.js';
import { VERDICT_LABELS, formatPercent, mostSuspiciousIndex, verdictFor } from '../domain/verdict.js';
import { clock, suspiciousFrames } from '../domain/video-summary.js';
import { bodyOf, clearBody, pictureWithBoxes, technicalOf, verdictBlock } from './card.js';
import { faceHeatmap, pictureHeatmap } from './heatmap.js';

/** How many of the most suspicious frames are shown as thumbnails. */
export const SUSPICIOUS_SHOWN = 4;
/** Side of a suspicious frame's thumbnail, CSS pixels (the engine's crops are 128). */
const THUMB_SHOWN = 120;
/** Longest side of the selected frame as drawn. */
const FRAME_SHOWN = 640;
/** The timeline's drawing box (SVG user units; it scales to the card); a lane under the plot for frames without a face. */
const CHART = Object.freeze({ width: 600, height: 196, left: 40, right: 8, top: 8, bottom: 40, lane: 14 });
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
  bodyOf(card).append(wrap);
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
 * @property {import('../domain/engine-api.js').VideoAnalysis} result
 * @property {import('../domain/video-summary.js').VideoSummary} summary
 * @property {number} total frames planned
 * @property {number} duration seconds
 * @property {{ width: number, height: number }} size
 * @property {import('../domain/verdict.js').Thresholds} thresholds
 * @property {string} backend
 * @property {(time: number) => Promise<ImageBitmap>} framePicture the frame at a time, read again
 * @property {(frame: import('../domain/engine-api.js').FrameResult, into: HTMLElement) => void} onShowFrame
 *   called after a frame is selected, with its detail panel (for heatmaps on demand)
 */

/**
 * @param {HTMLElement} card
 * @param {VideoView} v
 */
export function showVideo(card, v) {
  clearBody(card);
  const body = bodyOf(card);
  const { summary, thresholds, result } = v;
  const frames = result.frames;
  const hours = v.duration >= 3600;
  const at = (/** @type {number} */ t) => clock(t, { hours });

  if (summary.pReal === null) {
    const text = document.createElement('p');
    text.className = 'verdict';
    text.textContent = 'No face found';
    const why = document.createElement('p');
    why.textContent = `The face detector found no face in any of the ${summary.decoded} frames looked at, so there is nothing the model was trained to judge.`;
    body.append(text, why);
  } else {
    const [gauge, text] = verdictBlock(summary.pReal, thresholds);
    body.append(gauge);
    const basis = document.createElement('p');
    basis.dataset.testid = 'video-summary';
    const spread = /** @type {{ sd: number, min: number, max: number }} */ (summary.spread);
    basis.textContent = `Mean P(real) over the frames with a face: a face was found in ${summary.framesWithFace} of the `
      + `${summary.decoded} frames looked at (${Math.round(summary.faceShare * 100)}%). Frame scores spread: standard deviation `
      + `${(spread.sd * 100).toFixed(1)} points, from ${formatPercent(spread.min)} to ${formatPercent(spread.max)}.`;
    if (summary.people.length > 1) {
      basis.textContent += ` ${summary.people.length} people were followed; the verdict rests on the most suspicious one (person ${summary.person + 1}).`;
    }
    body.append(basis, text);
  }
  for (const line of notes(v)) {
    const p = document.createElement('p');
    p.className = 'warning';
    p.textContent = line;
    body.append(p);
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
    showFrame(detail, frame, v, at);
    card.querySelectorAll('[aria-current]').forEach((el) => el.removeAttribute('aria-current'));
    card.querySelectorAll(`[data-frame-index="${index}"]`).forEach((el) => el.setAttribute('aria-current', 'true'));
    v.onShowFrame(frame, detail);
  };

  body.append(player);
  if (frames.length) body.append(timeline(v, select, at));
  if (summary.framesWithFace > 0) body.append(suspiciousStrip(v, select, at));
  body.append(detail, frameTable(v, select, at));

  const timing = document.createElement('p');
  timing.className = 'timing';
  timing.textContent = `Video ${v.size.width}×${v.size.height} px, ${clock(v.duration, { tenths: false })} long; `
    + `${frames.length} frames analysed in ${result.frames.reduce((sum, f) => sum + f.ms, 0).toFixed(0)} ms; backend ${v.backend}.`;
  technicalOf(card).replaceChildren(timing);

  card.dataset.frames = String(frames.length);
  card.dataset.verdict = summary.verdict;
  if (summary.pReal === null) delete card.dataset.pReal;
  else card.dataset.pReal = String(summary.pReal);
  card.dataset.mode = summary.pReal === null ? 'no-face' : 'faces';
  card.dataset.faceShare = summary.faceShare.toFixed(4);
  card.dataset.state = result.ending === 'cancelled' ? 'cancelled' : 'done';
}

/**
 * The most suspicious frames, when some frame scores in the "likely
 * manipulated" band; else a sentence saying none does.
 * @param {VideoView} v
 * @param {(index: number) => void} select
 * @param {(t: number) => string} at
 */
function suspiciousStrip(v, select, at) {
  const { summary, thresholds } = v;
  const frames = v.result.frames;
  const strip = document.createElement('div');
  strip.className = 'suspicious';
  const heading = document.createElement('p');
  const picks = suspiciousFrames(summary.frameScores, thresholds, SUSPICIOUS_SHOWN);
  if (picks.length === 0) {
    heading.textContent = `No frame scored in the “likely manipulated” band (below ${formatPercent(thresholds.fake_below)} P(real)).`;
    strip.append(heading);
    return strip;
  }
  heading.textContent = picks.length === 1 ? 'The frame that looks manipulated:'
    : `Frames that look most manipulated, lowest score first:`;
  strip.append(heading);
  for (const index of picks) {
    const frame = frames[index];
    const face = mostSuspiciousIndex(frame.analysis?.faces ?? [], (f) => f.pReal);
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.testid = 'suspicious-frame';
    button.dataset.frameIndex = String(index);
    button.append(thumbCanvas(frame.thumbs[face], THUMB_SHOWN));
    const caption = document.createElement('span');
    // The visible caption is the button's name (WCAG 2.5.3: label in name).
    caption.textContent = `${at(frame.time)} · ${formatPercent(/** @type {number} */ (summary.frameScores[index]))} P(real)`;
    button.append(caption);
    button.addEventListener('click', () => select(index));
    strip.append(button);
  }
  return strip;
}

/** @param {VideoView} v */
function notes(v) {
  const lines = [];
  const { result, total } = v;
  if (result.ending === 'cancelled') {
    lines.push(`Cancelled after ${result.frames.length} of ${total} frames: the result covers only those frames.`);
  }
  const read = result.frames.filter((f) => f.analysis).length;
  if (result.failure) lines.push(`${result.failure}. The result covers the ${read} frames read before that.`);
  const failed = result.frames.filter((f) => f.error).length;
  if (failed && !result.failure) lines.push(`${failed} frame(s) could not be read and were left out.`);
  if (v.summary.pReal !== null && v.summary.faceShare < 0.5) {
    lines.push('A face was found in fewer than half of the frames looked at: the verdict rests on few frames.');
  }
  return lines;
}

/** @param {ImageBitmap|null} thumb (null: not kept, drawn blank) @param {number} side */
function thumbCanvas(thumb, side) {
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  canvas.className = 'thumb';
  if (thumb) canvas.getContext('2d')?.drawImage(thumb, 0, 0, side, side);
  return canvas;
}

/**
 * Makes an SVG element act as a button that selects a frame.
 * @param {SVGElement} el
 * @param {number} index
 * @param {string} label
 * @param {(index: number) => void} select
 */
function frameButton(el, index, label, select) {
  el.setAttribute('tabindex', '0');
  el.setAttribute('role', 'button');
  el.dataset.frameIndex = String(index);
  el.setAttribute('aria-label', label);
  const title = svg('title', {});
  title.textContent = label;
  el.append(title);
  el.addEventListener('click', () => select(index));
  el.addEventListener('keydown', (event) => {
    const key = /** @type {KeyboardEvent} */ (event).key;
    if (key === 'Enter' || key === ' ') { event.preventDefault(); select(index); }
  });
}

/**
 * P(real) over time: the verdict bands, one line per person, a point per
 * frame with a face, and in the lane below the plot a square per frame
 * without one (hollow: no face found; crossed: could not be read).
 * @param {VideoView} v
 * @param {(index: number) => void} select
 * @param {(t: number) => string} at
 */
function timeline(v, select, at) {
  const { summary, thresholds, duration } = v;
  const frames = v.result.frames;
  const c = CHART;
  const plotW = c.width - c.left - c.right;
  const plotH = c.height - c.top - c.bottom;
  const x = (/** @type {number} */ t) => c.left + (t / duration) * plotW;
  const y = (/** @type {number} */ p) => c.top + (1 - p) * plotH;
  const laneY = c.top + plotH + c.lane;
  const chart = svg('svg', { viewBox: `0 0 ${c.width} ${c.height}`, class: 'timeline', role: 'group' });
  chart.dataset.testid = 'timeline';
  chart.setAttribute('aria-label', 'P(real) of each analysed frame over time, and the frames without a face below; each mark is a button');
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
  const none = svg('text', { x: c.left - 4, y: laneY + 4, 'text-anchor': 'end', class: 'axis' });
  none.textContent = 'none';
  chart.append(none, svg('line', { x1: c.left, x2: c.left + plotW, y1: laneY, y2: laneY, class: 'lane' }));
  for (const t of [0, duration]) {
    const label = svg('text', { x: x(t), y: c.height - 6, 'text-anchor': t ? 'end' : 'start', class: 'axis' });
    label.textContent = clock(t, { hours: duration >= 3600, tenths: false });
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
    if (score === null) {
      // No face in this frame, or it could not be read: still on the timeline, in the lane below.
      const mark = svg('rect', { x: x(frame.time) - 4, y: laneY - 4, width: 8, height: 8,
        class: `point point-none${frame.error ? ' point-unreadable' : ''}` });
      frameButton(mark, index, `${at(frame.time)}: ${frame.error ? 'could not be read' : 'no face found'}`, select);
      chart.append(mark);
      return;
    }
    const dot = svg('circle', { cx: x(frame.time), cy: y(score), r: 5, class: `point band-${verdictFor(score, thresholds)}` });
    frameButton(dot, index, `${at(frame.time)}: P(real) ${formatPercent(score)}`, select);
    chart.append(dot);
  });
  return chart;
}

/** Maps waiting for the selected frame's picture to lay them over (they may come first). */
/** @type {WeakMap<HTMLElement, { maps: { values: Float32Array, size: number[] }[], boxes: import('../domain/faces.js').Box[] }>} */
const frameMaps = new WeakMap();

/**
 * The selected frame: the whole frame with its faces' boxes (read again from
 * the video), then each face with its crop, score and person number.
 * @param {HTMLElement} detail
 * @param {import('../domain/engine-api.js').FrameResult} frame
 * @param {VideoView} v
 * @param {(t: number) => string} at
 */
function showFrame(detail, frame, v, at) {
  const { summary, thresholds } = v;
  detail.replaceChildren();
  detail.dataset.time = String(frame.time);
  delete detail.dataset.heatmaps; // this frame's maps are not drawn yet
  delete detail.dataset.picture;
  detail.dataset.frameWidth = String(v.size.width); // the frame's own pixels, which the boxes are in
  frameMaps.delete(detail);
  const heading = document.createElement('p');
  heading.className = 'frame-heading';
  heading.textContent = `Frame at ${at(frame.time)}`;
  detail.append(heading);
  const faces = frame.analysis?.faces ?? [];
  if (faces.length === 0) heading.textContent += frame.error ? `: ${frame.error}` : ': no face found.';
  if (!frame.error) {
    const holder = document.createElement('div');
    holder.className = 'preview-frame';
    detail.append(holder);
    v.framePicture(frame.time).then((bitmap) => {
      try {
        if (detail.dataset.time !== String(frame.time)) return; // another frame was selected meanwhile
        const scale = Math.min(1, FRAME_SHOWN / Math.max(bitmap.width, bitmap.height));
        const shown = document.createElement('canvas');
        shown.width = Math.round(bitmap.width * scale);
        shown.height = Math.round(bitmap.height * scale);
        shown.getContext('2d')?.drawImage(bitmap, 0, 0, shown.width, shown.height);
        const canvas = pictureWithBoxes(/** @type {any} */ (shown), bitmap.width, faces, thresholds, 'frame-picture');
        canvas.setAttribute('aria-label', `The frame at ${at(frame.time)}${faces.length ? ` with ${faces.length} face${faces.length > 1 ? 's' : ''} boxed` : ''}`);
        holder.append(canvas);
        const maps = frameMaps.get(detail);
        if (maps) canvas.after(pictureHeatmap(canvas, canvas.width / bitmap.width, maps.boxes, maps.maps));
        detail.dataset.picture = 'done';
      } finally {
        bitmap.close();
      }
    }, () => {
      if (detail.dataset.time !== String(frame.time)) return;
      holder.textContent = 'This frame could not be read again to show it whole.';
      detail.dataset.picture = 'error';
    });
  }
  const list = document.createElement('ol');
  list.className = 'faces';
  faces.forEach((face, i) => {
    const item = document.createElement('li');
    item.dataset.testid = 'face';
    item.dataset.pReal = String(face.pReal);
    item.dataset.box = boxText(face.box);
    if (face.face) item.dataset.faceBox = boxText(face.face);
    const text = document.createElement('p');
    const band = VERDICT_LABELS[verdictFor(face.pReal, thresholds)].toLowerCase();
    text.textContent = `Face ${i + 1}, person ${summary.ids[frame.index][i] + 1}: ${formatPercent(face.pReal)} P(real), ${band}.`;
    item.append(thumbCanvas(frame.thumbs[i], 128), text);
    list.append(item);
  });
  if (faces.length) detail.append(list);
}

/**
 * Heatmaps of the selected frame's faces, on demand: each face's crop is
 * shown with its map over it (in place of the plain crop), and the maps are
 * laid over the whole frame.
 * @param {HTMLElement} detail
 * @param {{ values: Float32Array, size: number[] }[]} maps one per face
 * @param {ImageBitmap[]} crops one per face
 * @param {import('../domain/faces.js').Box[]} boxes one per face, in the frame's pixels
 */
export function showFrameHeatmaps(detail, maps, crops, boxes) {
  detail.querySelectorAll('.face-heatmap, .heatmap').forEach((el) => el.remove());
  detail.querySelectorAll('[data-testid=face]').forEach((item, i) => {
    if (!maps[i]) return;
    item.querySelector('canvas.thumb')?.classList.add('has-heatmap');
    item.querySelector('p')?.before(faceHeatmap(crops[i] ?? null, maps[i]));
  });
  frameMaps.set(detail, { maps, boxes });
  const canvas = /** @type {HTMLCanvasElement|null} */ (detail.querySelector('[data-testid=frame-picture]'));
  const frameWidth = Number(detail.dataset.frameWidth);
  if (canvas && frameWidth) canvas.after(pictureHeatmap(canvas, canvas.width / frameWidth, boxes, maps));
  detail.dataset.heatmaps = 'done';
}

/**
 * Every frame's score: the accessible form of the timeline.
 * @param {VideoView} v
 * @param {(index: number) => void} select
 * @param {(t: number) => string} at
 */
function frameTable(v, select, at) {
  const details = document.createElement('details');
  details.className = 'frame-table';
  const summaryLine = document.createElement('summary');
  summaryLine.textContent = `Scores of all ${v.result.frames.length} frames`;
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const name of ['Time', 'Faces', 'P(real)', 'Frame']) {
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
    row.insertCell().textContent = at(frame.time);
    row.insertCell().textContent = frame.analysis ? String(frame.analysis.faces.length) : '–';
    row.insertCell().textContent = score === null ? (frame.error ? 'unreadable' : 'no face')
      : `${formatPercent(score)} (${VERDICT_LABELS[verdictFor(score, v.thresholds)].toLowerCase()})`;
    const cell = row.insertCell();
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Show';
    button.setAttribute('aria-label', `Show the frame at ${at(frame.time)}`);
    button.addEventListener('click', () => select(index));
    cell.append(button);
  });
  details.append(summaryLine, table);
  return details;
}
