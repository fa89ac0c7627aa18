import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CAVEAT, VERDICT_LABELS, aggregateFaces, explainScore, formatPercent, mostSuspiciousIndex, verdictFor,
} from '../../site/js/domain/verdict.js';

const thresholds = { fake_below: 0.35, real_above: 0.65 };

test('P(real) near 0 is manipulated, near 1 is real, the middle is uncertain', () => {
  assert.equal(verdictFor(0.02, thresholds), 'fake');
  assert.equal(verdictFor(0.5, thresholds), 'uncertain');
  assert.equal(verdictFor(0.99, thresholds), 'real');
});

test('band edges belong to the uncertain band', () => {
  assert.equal(verdictFor(0.35, thresholds), 'uncertain');
  assert.equal(verdictFor(0.65, thresholds), 'uncertain');
  assert.equal(verdictFor(0.3499, thresholds), 'fake');
  assert.equal(verdictFor(0.6501, thresholds), 'real');
});

test('thresholds come from the caller, not from constants', () => {
  assert.equal(verdictFor(0.5, { fake_below: 0.6, real_above: 0.9 }), 'fake');
});

test('a score that is not a number is an error, not a verdict', () => {
  assert.throws(() => verdictFor(Number.NaN, thresholds), /must be a number/);
});

test('every verdict has a label', () => {
  for (const verdict of ['real', 'uncertain', 'fake']) assert.ok(VERDICT_LABELS[verdict]);
});

test('several faces: the verdict rests on the most suspicious one', () => {
  const result = aggregateFaces([{ pReal: 0.9 }, { pReal: 0.1 }, { pReal: 0.5 }], thresholds);
  assert.deepEqual(result, { verdict: 'fake', pReal: 0.1, index: 1 });
});

test('no faces: no score and the no-face verdict', () => {
  assert.deepEqual(aggregateFaces([], thresholds), { verdict: 'no-face', pReal: null, index: -1 });
});

test('a card sentence names the percentage; the caveat is said once, apart', () => {
  assert.match(explainScore('fake', 0.313), /31\.3%/);
  assert.doesNotMatch(explainScore('fake', 0.313), /not proof/);
  assert.match(CAVEAT, /not proof/);
});

test('percentages never round to a certainty the score does not have', () => {
  assert.equal(formatPercent(0.998), '99.8%');
  assert.equal(formatPercent(0.99996), '>99.9%');
  assert.equal(formatPercent(0.00004), '<0.1%');
  assert.equal(formatPercent(0.0004), '<0.1%');
  assert.equal(formatPercent(0.0006), '0.1%');
  assert.equal(formatPercent(0.5), '50.0%');
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(1), '100%');
});

test('the most suspicious is the lowest P(real), the first of equals; none of nothing', () => {
  const score = (/** @type {{ p: number }} */ item) => item.p;
  assert.equal(mostSuspiciousIndex([{ p: 0.9 }, { p: 0.2 }, { p: 0.5 }], score), 1);
  assert.equal(mostSuspiciousIndex([{ p: 0.3 }, { p: 0.3 }], score), 0);
  assert.equal(mostSuspiciousIndex([{ p: 1 }], score), 0);
  assert.equal(mostSuspiciousIndex([], score), -1);
});
