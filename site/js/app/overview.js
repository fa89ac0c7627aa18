// @ts-check
/**
 * The overview of the files on the page: each file's row and the counts
 * (views/summary.js), set in the same task as its card; the download, print
 * and clear buttons, usable once there is a file; results made with another
 * model than the one in use marked stale, one by one and with "Analyse them
 * again" for all of them.
 */
import { setStale } from '../views/card.js';
import { countRows, createSummary } from '../views/summary.js';
import { $ } from './page.js';

/**
 * @typedef {import('./state.js').Entry} Entry
 *
 * @typedef {object} Overview
 * @property {(entry: Entry) => void} touch the file's row and the counts, from its result
 * @property {() => void} refreshCounts the counts, the buttons and the stale results' note
 * @property {() => void} refreshStale marks every result made by another model than the one in use
 * @property {() => void} clear no rows left
 */

/**
 * @param {{ state: import('./state.js').PageState, report: import('./report.js').Report,
 *   again: (entry: Entry) => void }} parts again: analyses a file again with the model in use
 * @returns {Overview}
 */
export function setupOverview({ state, report, again }) {
  const summary = createSummary($('summary'));

  /**
   * The overview's row of a file, and the counts, from its result (set in the
   * same task as the card's attributes, so they always agree).
   * @param {Entry} entry
   */
  function touch(entry) {
    if (entry.removed) return;
    const r = entry.result;
    entry.row = { id: entry.id, order: entry.order, file: r.file, state: r.state, verdict: r.verdict, pReal: r.p_real,
      model: entry.model?.name ?? null, stale: Boolean(r.stale) };
    summary.setRow(entry.row);
    refreshCounts();
  }

  function refreshCounts() {
    const counts = countRows(state.entries.map((e) => e.row));
    summary.setCounts(counts);
    $('summary').hidden = state.entries.length === 0;
    const any = state.entries.length > 0;
    for (const id of ['export-json', 'export-csv', 'print', 'clear']) {
      /** @type {HTMLButtonElement} */ ($(id)).disabled = !any;
    }
    const staleAll = $('stale-all');
    staleAll.hidden = counts.stale === 0;
    if (counts.stale && state.model) {
      /** @type {HTMLElement} */ (staleAll.querySelector('p')).textContent = `${counts.stale} result${counts.stale > 1
        ? 's were' : ' was'} made with an earlier model than the one in use (${state.model.name}).`;
      $('reanalyse-all').textContent = `Analyse ${counts.stale > 1 ? `all ${counts.stale}` : 'it'} again with ${state.model.name}`;
    }
    report.schedule();
  }

  /** Marks every result made by another model than the one in use (and unmarks those made by it). */
  function refreshStale() {
    const now = state.model;
    if (!now) return;
    for (const entry of state.entries) {
      const finished = entry.result.state === 'done' || entry.result.state === 'cancelled';
      const stale = Boolean(finished && entry.model && entry.model.key !== now.key);
      if (!stale && !entry.result.stale) continue;
      entry.result.stale = stale;
      setStale(entry.card, stale ? { was: /** @type {import('./state.js').ModelRecord} */ (entry.model).name, now: now.name } : null,
        () => again(entry));
      touch(entry);
    }
    refreshCounts();
  }

  $('reanalyse-all').addEventListener('click', () => {
    for (const entry of state.entries) if (entry.result.stale) again(entry);
  });

  return {
    touch,
    refreshCounts,
    refreshStale,
    clear() {
      summary.clear();
      refreshCounts();
    },
  };
}
