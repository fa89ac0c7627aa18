// @ts-check
/**
 * The verdict gauge: a bar from 0 to 100 % P(real) split into the three bands
 * at the model's thresholds, with a marker at the score. Colours are the
 * Okabe-Ito colour-blind-safe set, and every band also has a text label and
 * a pattern (stripes for "manipulated"), so colour is never the only cue.
 */
import { VERDICT_LABELS, formatPercent, verdictFor } from '../domain/verdict.js';

/**
 * @param {number} pReal
 * @param {import('../domain/verdict.js').Thresholds} thresholds
 * @returns {HTMLElement}
 */
export function createGauge(pReal, thresholds) {
  const pct = Math.round(pReal * 1000) / 10;
  const verdict = verdictFor(pReal, thresholds);
  const gauge = document.createElement('div');
  gauge.className = 'gauge';
  gauge.setAttribute('role', 'meter');
  gauge.setAttribute('aria-valuemin', '0');
  gauge.setAttribute('aria-valuemax', '100');
  gauge.setAttribute('aria-valuenow', String(pct));
  gauge.setAttribute('aria-valuetext', `${formatPercent(pReal)} P(real): ${VERDICT_LABELS[verdict]}`);
  gauge.setAttribute('aria-label', 'P(real)');
  const bar = document.createElement('div');
  bar.className = 'gauge-bar';
  bar.style.setProperty('--fake-end', `${thresholds.fake_below * 100}%`);
  bar.style.setProperty('--real-start', `${thresholds.real_above * 100}%`);
  const marker = document.createElement('div');
  marker.className = 'gauge-marker';
  marker.style.left = `${pct}%`;
  bar.append(marker);
  const scale = document.createElement('div');
  scale.className = 'gauge-scale';
  for (const text of ['manipulated', 'uncertain', 'real']) {
    const span = document.createElement('span');
    span.textContent = text;
    scale.append(span);
  }
  const value = document.createElement('p');
  value.className = 'gauge-value';
  value.textContent = `${VERDICT_LABELS[verdict]} · P(real) ${formatPercent(pReal)}`;
  gauge.append(value, bar, scale);
  return gauge;
}
