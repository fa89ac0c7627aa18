import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countRows, outcomeOf, resultText, sortRows } from '../../site/js/views/summary.js';

let order = 0;
const row = (file, state, verdict = null, pReal = null, stale = false) => {
  order += 1;
  return { id: `result-${order}`, order, file, state, verdict, pReal, model: 'M', stale };
};

const rows = [
  row('b.jpg', 'done', 'real', 0.95),
  row('a.jpg', 'done', 'fake', 0.1, true),
  row('c.mp4', 'cancelled', 'uncertain', 0.5),
  row('d.jpg', 'done', 'no-face'),
  row('e.jpg', 'error'),
  row('f.jpg', 'queued'),
  row('g.jpg', 'analyzing'),
  row('h.jpg', 'done', 'fake', 0.02),
];

test('counts: one outcome per file, the unfinished apart, stale ones counted too', () => {
  assert.deepEqual(countRows(rows), { real: 1, uncertain: 1, fake: 2, 'no-face': 1, error: 1, pending: 2, stale: 1, total: 8 });
  assert.deepEqual(countRows([]), { real: 0, uncertain: 0, fake: 0, 'no-face': 0, error: 0, pending: 0, stale: 0, total: 0 });
  assert.equal(outcomeOf(row('x', 'analyzing', 'fake', 0.1)), 'pending', 'a file analysed again counts once it is done');
});

test('sorting: by result puts the most suspicious first, by score the lowest P(real) first; ties keep the order added', () => {
  const files = (/** @type {any[]} */ list) => list.map((r) => r.file);
  assert.deepEqual(files(sortRows(rows, 'added', false)), ['b.jpg', 'a.jpg', 'c.mp4', 'd.jpg', 'e.jpg', 'f.jpg', 'g.jpg', 'h.jpg']);
  assert.deepEqual(files(sortRows(rows, 'result', false)).slice(0, 5), ['h.jpg', 'a.jpg', 'c.mp4', 'b.jpg', 'd.jpg']);
  assert.deepEqual(files(sortRows(rows, 'score', false)).slice(0, 4), ['h.jpg', 'a.jpg', 'c.mp4', 'b.jpg']);
  assert.deepEqual(files(sortRows(rows, 'file', true)).slice(0, 2), ['h.jpg', 'g.jpg']);
  assert.deepEqual(files(sortRows(rows, 'added', true))[0], 'h.jpg');
});

test('result words', () => {
  assert.equal(resultText(rows[1]), 'Likely manipulated');
  assert.equal(resultText(rows[2]), 'Uncertain (cancelled part-way)');
  assert.equal(resultText(rows[3]), 'no face found');
  assert.equal(resultText(rows[4]), 'could not be analysed');
  assert.equal(resultText(rows[6]), 'analysing…');
});
