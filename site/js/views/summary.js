// @ts-check
/**
 * The overview of a batch ([data-testid=summary]): how many files look real,
 * uncertain or manipulated, had no face or could not be read (data-real,
 * data-uncertain, data-fake, data-no-face, data-error, also data-pending,
 * data-stale and data-total), and one row per file linking to its card,
 * sortable by order added, file name, result or score. Counting and sorting
 * are pure (tests/js/summary.test.js); a row is made once per file and only
 * its cells change, so hundreds of files stay cheap to show.
 */
import { VERDICT_LABELS, formatPercent } from '../domain/verdict.js';

/**
 * @typedef {object} Row one file as the overview shows it
 * @property {string} id the card's element id
 * @property {number} order 1 for the first file added
 * @property {string} file
 * @property {string} state queued | analyzing | done | cancelled | error
 * @property {string|null} verdict real | uncertain | fake | no-face
 * @property {number|null} pReal
 * @property {string|null} model the name of the model that produced it
 * @property {boolean} stale made with another model than the one in use
 *
 * @typedef {{ real: number, uncertain: number, fake: number, 'no-face': number, error: number,
 *   pending: number, stale: number, total: number }} Counts
 */

/** The counted outcomes, in the order the overview says them, with their words. */
export const OUTCOMES = Object.freeze([
  ['fake', 'likely manipulated'], ['uncertain', 'uncertain'], ['real', 'likely real'],
  ['no-face', 'no face found'], ['error', 'could not be analysed'],
]);

/** Result severity for sorting: the most suspicious first. */
const RANK = Object.freeze({ fake: 0, uncertain: 1, real: 2, 'no-face': 3, error: 4, pending: 5 });

/** @param {Row} row @returns {keyof typeof RANK} */
export function outcomeOf(row) {
  if (row.state === 'error') return 'error';
  if ((row.state === 'done' || row.state === 'cancelled') && row.verdict) {
    return /** @type {keyof typeof RANK} */ (row.verdict);
  }
  return 'pending';
}

/**
 * @param {Row[]} rows
 * @returns {Counts}
 */
export function countRows(rows) {
  /** @type {Counts} */
  const counts = { real: 0, uncertain: 0, fake: 0, 'no-face': 0, error: 0, pending: 0, stale: 0, total: rows.length };
  for (const row of rows) {
    counts[outcomeOf(row)] += 1;
    if (row.stale && outcomeOf(row) !== 'pending') counts.stale += 1;
  }
  return counts;
}

/** @typedef {'added'|'file'|'result'|'score'} SortKey */

/**
 * @param {Row[]} rows
 * @param {SortKey} key
 * @param {boolean} descending
 * @returns {Row[]} a sorted copy; ties keep the order added
 */
export function sortRows(rows, key, descending) {
  const missing = (/** @type {number|null} */ v) => (v === null ? Infinity : v);
  /** @type {(a: Row, b: Row) => number} */
  const compare = {
    added: (/** @type {Row} */ a, /** @type {Row} */ b) => a.order - b.order,
    file: (/** @type {Row} */ a, /** @type {Row} */ b) => a.file.localeCompare(b.file, undefined, { numeric: true }),
    result: (/** @type {Row} */ a, /** @type {Row} */ b) => RANK[outcomeOf(a)] - RANK[outcomeOf(b)]
      || missing(a.pReal) - missing(b.pReal),
    score: (/** @type {Row} */ a, /** @type {Row} */ b) => missing(a.pReal) - missing(b.pReal),
  }[key];
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => sign * compare(a, b) || a.order - b.order);
}

/** The words for a row's result. @param {Row} row */
export function resultText(row) {
  const outcome = outcomeOf(row);
  if (outcome === 'pending') return row.state === 'analyzing' ? 'analysing…' : 'waiting…';
  if (outcome === 'error') return 'could not be analysed';
  if (outcome === 'no-face') return 'no face found';
  const label = VERDICT_LABELS[/** @type {'real'|'uncertain'|'fake'} */ (outcome)];
  return row.state === 'cancelled' ? `${label} (cancelled part-way)` : label;
}

/** Column headers: sort key and words. */
const COLUMNS = Object.freeze([['added', '#'], ['file', 'File'], ['result', 'Result'], ['score', 'P(real)'], [null, 'Model']]);

/**
 * The overview's table and counts, inside its section.
 * @param {HTMLElement} section [data-testid=summary]
 * @returns {{ setRow: (row: Row) => void, setCounts: (counts: Counts) => void, clear: () => void }}
 */
export function createSummary(section) {
  const counts = /** @type {HTMLElement} */ (section.querySelector('[data-testid=summary-counts]'));
  const table = /** @type {HTMLTableElement} */ (section.querySelector('table'));
  const body = /** @type {HTMLTableSectionElement} */ (table.tBodies[0]);
  /** @type {Map<string, { row: Row, tr: HTMLTableRowElement }>} */
  const rows = new Map();
  /** @type {SortKey} */
  let key = 'added';
  let descending = false;
  let resortPending = false;

  const headRow = /** @type {HTMLTableRowElement} */ (table.tHead?.rows[0]);
  headRow.replaceChildren();
  for (const [sortKey, words] of COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    if (sortKey) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.dataset.sort = sortKey;
      button.textContent = words;
      button.setAttribute('aria-label', `${words === '#' ? 'Order added' : words}: sort`);
      button.addEventListener('click', () => {
        descending = key === sortKey ? !descending : false;
        key = /** @type {SortKey} */ (sortKey);
        resort();
      });
      // On paper the heading is text, not a control.
      const printed = document.createElement('span');
      printed.className = 'print-only';
      printed.textContent = words;
      th.append(button, printed);
    } else {
      th.textContent = words;
    }
    headRow.append(th);
  }

  function resort() {
    resortPending = false;
    for (const th of headRow.cells) {
      const sortKey = th.querySelector('button')?.dataset.sort;
      if (sortKey === key) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
    section.dataset.sort = key;
    section.dataset.sortDirection = descending ? 'descending' : 'ascending';
    const sorted = sortRows([...rows.values()].map((r) => r.row), key, descending);
    body.append(...sorted.map((r) => /** @type {{ tr: HTMLTableRowElement }} */ (rows.get(r.id)).tr));
  }

  /** @param {Row} row */
  function setRow(row) {
    let entry = rows.get(row.id);
    if (!entry) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'summary-row';
      for (let i = 0; i < COLUMNS.length; i += 1) tr.insertCell();
      const link = document.createElement('a');
      link.href = `#${row.id}`;
      tr.cells[1].append(link);
      entry = { row, tr };
      rows.set(row.id, entry);
      body.append(tr);
    }
    entry.row = row;
    const { tr } = entry;
    const outcome = outcomeOf(row);
    tr.dataset.outcome = outcome;
    tr.dataset.file = row.file;
    tr.cells[0].textContent = String(row.order);
    /** @type {HTMLAnchorElement} */ (tr.cells[1].firstChild).textContent = row.file;
    tr.cells[2].textContent = resultText(row);
    tr.cells[2].className = `outcome outcome-${outcome}`;
    tr.cells[3].textContent = row.pReal === null ? '–' : formatPercent(row.pReal);
    tr.cells[4].textContent = row.model ? `${row.model}${row.stale ? ' (earlier model)' : ''}` : '';
    if (key !== 'added' && !resortPending) {
      resortPending = true;
      requestAnimationFrame(resort); // one re-sort per frame, however many results arrive
    }
  }

  /** @param {Counts} c */
  function setCounts(c) {
    for (const [name] of OUTCOMES) section.dataset[name === 'no-face' ? 'noFace' : name] = String(c[/** @type {keyof Counts} */ (name)]);
    section.dataset.pending = String(c.pending);
    section.dataset.stale = String(c.stale);
    section.dataset.total = String(c.total);
    const parts = OUTCOMES.map(([name, words]) => {
      const span = document.createElement('span');
      span.className = `count count-${name}`;
      const n = document.createElement('strong');
      n.textContent = String(c[/** @type {keyof Counts} */ (name)]);
      span.append(n, ` ${words}`);
      return span;
    });
    const total = document.createElement('span');
    total.className = 'count-total';
    total.textContent = `${c.total} file${c.total === 1 ? '' : 's'}${c.pending ? ` (${c.pending} still to do)` : ''}:`;
    counts.replaceChildren(total, ...parts);
  }

  return {
    setRow,
    setCounts,
    clear() {
      rows.clear();
      body.replaceChildren();
    },
  };
}
