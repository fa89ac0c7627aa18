// @ts-check
/**
 * The printed report: its title block (date and time, page version, the model
 * in use and every other model that made a result shown, with their weight
 * hashes, backend, threads, number of files), brought up to date at most once
 * per task and before printing; the page's version (version.json) in the
 * technical details; the caveat under the overview; the "Print report" button.
 */
import { fetchJson } from '../engine/model-files.js';
import { CAVEAT } from '../domain/verdict.js';
import { showReportTitle } from '../views/report.js';
import { $ } from './page.js';

/**
 * @typedef {object} Report
 * @property {(date?: Date) => void} update the title block now
 * @property {() => void} schedule the title block at the end of this task, however many results arrive in it
 * @property {() => Promise<void>} showVersion reads version.json: the page's version, for the report and exports
 */

/**
 * @param {import('./state.js').PageState} state
 * @returns {Report}
 */
export function setupReport(state) {
  /** The title block is brought up to date at the end of this task. */
  let pending = false;

  /** @param {Date} [date] */
  function update(date = new Date()) {
    pending = false;
    if (!state.model) return;
    const used = new Map();
    for (const entry of state.entries) if (entry.model) used.set(entry.model.key, entry.model);
    used.delete(state.model.key);
    const models = [state.model, ...used.values()].map((m) => ({ id: m.id, name: m.name, weights: m.weights,
      thresholds: m.thresholds, active: m === state.model }));
    showReportTitle($('report-title'), { date, version: state.version, models, backend: state.backend,
      threads: state.threads, files: state.entries.length });
  }
  /** At most once per task, however many results arrive in it. */
  function schedule() {
    if (pending) return;
    pending = true;
    queueMicrotask(() => update());
  }

  window.addEventListener('beforeprint', () => update());
  $('caveat-text').textContent = CAVEAT;
  $('print').addEventListener('click', () => {
    update();
    window.print();
  });

  return {
    update,
    schedule,
    showVersion: () => fetchJson('version.json').then((v) => { state.version = v; }, () => { state.version = null; })
      .finally(() => {
        $('page-version').textContent = state.version
          ? `${state.version.version}${state.version.commit ? ` (commit ${state.version.commit})` : ''}` : 'unknown';
        schedule();
      }),
  };
}
