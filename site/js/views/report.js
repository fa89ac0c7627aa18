// @ts-check
/**
 * The printed report's title block ([data-testid=report-title], shown only
 * in print): when it was made, by which page version, with which model (its
 * id and the sha256 of its weights) and backend, and how many files. The
 * overview and one block per file (the cards, styled for print) follow it.
 */
import { formatPercent } from '../domain/verdict.js';

/**
 * @typedef {object} ReportModel
 * @property {string} id
 * @property {string} name
 * @property {{ file: string, sha256: string }[]} weights
 * @property {import('../domain/verdict.js').Thresholds|null} thresholds
 * @property {boolean} active the model in use now
 *
 * @typedef {object} ReportFacts
 * @property {Date} date
 * @property {{ version: string, commit: string|null }|null} version the page's (version.json)
 * @property {ReportModel[]} models the model in use and every other one that produced a result
 * @property {string} backend
 * @property {number} threads
 * @property {number} files
 */

/**
 * "2026-11-30 14:05 (UTC+01:00)": unambiguous on paper, in the reader's local time.
 * @param {Date} date
 */
export function reportDate(date) {
  const two = (/** @type {number} */ n) => String(Math.abs(n)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone = `UTC${offset < 0 ? '-' : '+'}${two(Math.trunc(offset / 60))}:${two(offset % 60)}`;
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} `
    + `${two(date.getHours())}:${two(date.getMinutes())} (${zone})`;
}

/**
 * @param {HTMLElement} el
 * @param {ReportFacts} r
 */
export function showReportTitle(el, r) {
  const heading = document.createElement('h2');
  heading.textContent = 'Deepfake check: report';
  const list = document.createElement('dl');
  /** @param {string} term @param {(string|Node)[]} parts */
  const add = (term, ...parts) => {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.append(...parts);
    list.append(dt, dd);
    return dd;
  };
  add('Made', reportDate(r.date));
  const version = r.version ? `page version ${r.version.version}${r.version.commit ? ` (commit ${r.version.commit})` : ''}` : 'page version unknown';
  add('Tool', `MesoNet in the browser, ${version}; everything was computed on this device.`);
  for (const m of r.models) {
    const dd = add(r.models.length > 1 ? (m.active ? 'Model in use' : 'Earlier model') : 'Model', `${m.name} (id ${m.id}).`);
    for (const w of m.weights) {
      const line = document.createElement('span');
      line.className = 'hash-line';
      line.textContent = `Weights sha256 ${w.sha256} (${w.file})`;
      dd.append(' ', line);
    }
    if (m.thresholds) {
      dd.append(` Bands: likely manipulated below ${formatPercent(m.thresholds.fake_below)} P(real), `
        + `likely real above ${formatPercent(m.thresholds.real_above)}.`);
    }
  }
  add('Backend', `${r.backend} (TensorFlow.js)${r.threads > 1 ? `, ${r.threads} threads` : ''}`);
  add('Files', `${r.files}, each named below with its size and sha256.`);
  el.replaceChildren(heading, list);
  const active = r.models.find((m) => m.active);
  if (active) el.dataset.modelSha256 = active.weights.map((w) => w.sha256).join(' ');
  el.dataset.date = r.date.toISOString();
}
