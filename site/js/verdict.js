// @ts-check
/** Scores to verdicts (pure). P(real) near 0 means manipulated. */

/** @typedef {'real'|'uncertain'|'fake'} Verdict */

/**
 * @param {number} pReal
 * @param {{ fake_below: number, real_above: number }} thresholds from metadata.json
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
 * The score an image's verdict rests on: with several faces, the most
 * suspicious one (lowest P(real)), so one manipulated face is not hidden by
 * real ones around it.
 * @param {{ pReal: number }[]} faces
 * @param {{ fake_below: number, real_above: number }} thresholds
 * @returns {{ verdict: Verdict|'no-face', pReal: number|null, index: number }}
 *   index: which face it rests on (-1 without faces)
 */
export function aggregateFaces(faces, thresholds) {
  if (faces.length === 0) return { verdict: 'no-face', pReal: null, index: -1 };
  let index = 0;
  faces.forEach((face, i) => { if (face.pReal < faces[index].pReal) index = i; });
  const { pReal } = faces[index];
  return { verdict: verdictFor(pReal, thresholds), pReal, index };
}

/**
 * One sentence on what a score means and does not mean.
 * @param {Verdict} verdict
 * @param {number} pReal
 * @returns {string}
 */
export function explain(verdict, pReal) {
  const pct = `${(pReal * 100).toFixed(1)}%`;
  const base = {
    real: `The model gives this face ${pct} P(real): it sees none of the artefacts it learned from manipulated faces.`,
    uncertain: `The model gives this face ${pct} P(real): too close to call either way.`,
    fake: `The model gives this face ${pct} P(real): it looks like the manipulated faces it was trained on.`,
  }[verdict];
  return `${base} This is evidence, not proof: the model only knows the kinds of fakes in its training set, and compression, filters or unusual lighting can mislead it.`;
}
