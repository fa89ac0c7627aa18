import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPipeline } from '../../site/js/domain/pipeline.js';

/** A job whose start waits until released; it logs what happens to it. */
function job(log, name, { alone = false, fail = false } = {}) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  return {
    release: () => release(),
    job: {
      alone,
      start: async () => { log.push(`start ${name}`); await gate; if (fail) throw new Error(name); return name; },
      finish: (outcome) => { log.push(`finish ${name} ${outcome.ok ? outcome.value : `error ${outcome.error.message}`}`); },
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test('starts run ahead of finishes, at most `window` at once, and finishes keep the order', async () => {
  const log = [];
  const pipeline = createPipeline(2);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => job(log, n));
  const done = [a, b, c].map((j) => pipeline.add(j.job));
  await tick();
  assert.deepEqual(log, ['start a', 'start b']);
  b.release();
  await tick();
  assert.deepEqual(log, ['start a', 'start b'], 'b is done but waits for a to finish first');
  a.release();
  await done[1];
  assert.deepEqual(log, ['start a', 'start b', 'finish a a', 'start c', 'finish b b'],
    'a finishing frees a place: c starts before b has been shown');
  c.release();
  await done[2];
  assert.deepEqual(log.filter((l) => l.startsWith('finish')), ['finish a a', 'finish b b', 'finish c c']);
  assert.equal(pipeline.size, 0);
});

test('an alone job waits for every earlier job, and no later job starts before it finishes', async () => {
  const log = [];
  const pipeline = createPipeline(4);
  const a = job(log, 'a');
  const switchModel = job(log, 'switch', { alone: true });
  const b = job(log, 'b');
  const done = [a, switchModel, b].map((j) => pipeline.add(j.job));
  await tick();
  assert.deepEqual(log, ['start a']);
  a.release();
  await done[0];
  await tick();
  assert.deepEqual(log, ['start a', 'finish a a', 'start switch']);
  switchModel.release();
  await done[1];
  await tick();
  assert.deepEqual(log.slice(-2), ['finish switch switch', 'start b']);
  b.release();
  await done[2];
});

test('a failed start reaches its finish as an error and the next jobs go on', async () => {
  const log = [];
  const pipeline = createPipeline(1);
  const bad = job(log, 'bad', { fail: true });
  const good = job(log, 'good');
  const done = [bad, good].map((j) => pipeline.add(j.job));
  bad.release();
  good.release();
  await Promise.all(done);
  assert.deepEqual(log, ['start bad', 'finish bad error bad', 'start good', 'finish good good']);
});

test('a finish that throws rejects its own promise only', async () => {
  const pipeline = createPipeline(2);
  const first = pipeline.add({ start: () => 1, finish: () => { throw new Error('drawing failed'); } });
  const second = pipeline.add({ start: () => 2, finish: () => {} });
  await assert.rejects(first, /drawing failed/);
  await second;
  assert.equal(pipeline.size, 0);
});
