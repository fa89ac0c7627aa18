// @ts-check
/**
 * The overview's download buttons: every file's result as JSON, headed by
 * what made it (page version and commit, the model in use and its weight
 * hashes, backend, thresholds), or as CSV; each with its file's sha256,
 * computed then for the files still waiting for it. views/export.js saves
 * the text as a file.
 */
import { toCsv, toJson } from '../domain/records.js';
import { download } from '../views/export.js';
import { $ } from './page.js';

/**
 * @param {{ state: import('./state.js').PageState, entries: import('./entries.js').Entries }} parts
 */
export function setupExport({ state, entries }) {
  function about() {
    const m = state.model;
    return { page: 'mesonet-web', page_version: state.version?.version ?? null, page_commit: state.version?.commit ?? null,
      model: m?.id ?? null, model_name: m?.name ?? null, model_sha256: m?.weights.map((w) => w.sha256) ?? [],
      backend: state.backend, thresholds: m?.thresholds ?? null };
  }

  /** Every file's result, with its sha256 (computed now for those still waiting). */
  async function results() {
    await Promise.all(state.entries.map(entries.ensureHash));
    return state.entries.map((e) => e.result);
  }

  $('export-json').addEventListener('click', async () => download(toJson(await results(), about()),
    'mesonet-results.json', 'application/json'));
  $('export-csv').addEventListener('click', async () => download(toCsv(await results()),
    'mesonet-results.csv', 'text/csv'));
}
