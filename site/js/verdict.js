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
