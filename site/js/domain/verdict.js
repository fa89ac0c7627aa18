// @ts-check
/** Scores to verdicts (pure). P(real) near 0 means manipulated. */

/**
 * @typedef {'real'|'uncertain'|'fake'} Verdict
 * @typedef {{ fake_below: number, real_above: number }} Thresholds a model's verdict band
 *   (P(real)), from its metadata.json: below fake_below "likely manipulated", above real_above
 *   "likely real", uncertain between
 */

/**
 * @param {number} pReal
 * @param {Thresholds} thresholds
 * @returns {Verdict}
 */
export function verdictFor(pReal, thresholds) {
  if (!Number.isFinite(pReal)) throw new Error(`P(real) must be a number, got ${pReal}`);
  if (pReal < thresholds.fake_below) return 'fake';
  if (pReal > thresholds.real_above) return 'real';
  return 'uncertain';
}

/** @type {Readonly<Record<Verdict, string>>} */
export const VERDICT_LABELS = Object.freeze({
  real: 'Likely real',
  uncertain: 'Uncertain',
  fake: 'Likely manipulated',
});

/**
 * The one rule every verdict rests on: of several faces (a picture's, a
 * frame's, the webcam's tracks, a video's people), the most suspicious, the
 * lowest P(real), so one manipulated face is not hidden by real ones around
 * it. The first of equals.
 * @template T
 * @param {T[]} items
 * @param {(item: T) => number} score an item's P(real)
 * @returns {number} the index of the most suspicious; -1 when there is none
 */
export function mostSuspiciousIndex(items, score) {
  let index = -1;
  items.forEach((item, i) => { if (index < 0 || score(item) < score(items[index])) index = i; });
  return index;
}

/**
 * An image's verdict: its most suspicious face's band.
 * @param {{ pReal: number }[]} faces
 * @param {Thresholds} thresholds
 * @returns {ImageVerdict}
 * @typedef {{ verdict: Verdict|'no-face', pReal: number|null, index: number }} ImageVerdict
 *   index: which face it rests on (-1 without faces)
 */
export function aggregateFaces(faces, thresholds) {
  const index = mostSuspiciousIndex(faces, (face) => face.pReal);
  if (index < 0) return { verdict: 'no-face', pReal: null, index };
  const { pReal } = faces[index];
  return { verdict: verdictFor(pReal, thresholds), pReal, index };
}

/**
 * A probability as a percentage with one decimal that never claims more
 * certainty than the number has: 0.998 is "99.8%", 0.99996 is ">99.9%"
 * (not "100.0%"), 0.00004 is "<0.1%"; only exactly 0 and 1 give "0%" and "100%".
 * @param {number} p in [0, 1]
 * @returns {string}
 */
export function formatPercent(p) {
  if (p <= 0) return '0%';
  if (p >= 1) return '100%';
  const text = (p * 100).toFixed(1);
  if (text === '100.0') return '>99.9%';
  if (text === '0.0') return '<0.1%';
  return `${text}%`;
}

/** What every score is and is not: said once on the page (the overview, the report), not on every card. */
export const CAVEAT = 'A score is evidence, not proof: the model only knows the kinds of fakes in its training set, '
  + 'and compression, filters or unusual lighting can mislead it.';

/**
 * One sentence on what a score means, for a card.
 * @param {Verdict} verdict
 * @param {number} pReal
 * @returns {string}
 */
export function explainScore(verdict, pReal) {
  const pct = formatPercent(pReal);
  return {
    real: `The model gives this face ${pct} P(real): it sees none of the artefacts it learned from manipulated faces.`,
    uncertain: `The model gives this face ${pct} P(real): too close to call either way.`,
    fake: `The model gives this face ${pct} P(real): it looks like the manipulated faces it was trained on.`,
  }[verdict];
}
