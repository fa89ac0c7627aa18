import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SMOOTHING_FRAMES, createFpsCounter, createFrameGate, createTracker,
} from '../../site/js/domain/live.js';
import { iou } from '../../site/js/domain/faces.js';
import { mostSuspiciousIndex } from '../../site/js/domain/verdict.js';

const box = (x, y, s = 100) => ({ x, y, w: s, h: s });
const face = (x, y, pReal) => ({ box: box(x - 10, y - 10, 120), face: box(x, y), pReal });

test('iou: identical boxes 1, disjoint 0, half-shifted 1/3', () => {
  assert.equal(iou(box(0, 0), box(0, 0)), 1);
  assert.equal(iou(box(0, 0), box(200, 0)), 0);
  assert.equal(iou(box(0, 0), box(100, 0)), 0); // touching edges only
  assert.ok(Math.abs(iou(box(0, 0), box(50, 0)) - 1 / 3) < 1e-12);
});

test('smoothing: mean of the last SMOOTHING_FRAMES scores of a face that stays', () => {
  const tracker = createTracker();
  const scores = Array.from({ length: SMOOTHING_FRAMES + 3 }, (_, i) => (i % 2 ? 0.9 : 0.1) + i * 0.001);
  let tracks = [];
  scores.forEach((s, i) => { tracks = tracker.update([face(100 + i * 2, 100, s)]); });
  const last = scores.slice(-SMOOTHING_FRAMES);
  assert.equal(tracks.length, 1);
  assert.equal(tracks[0].frames, SMOOTHING_FRAMES);
  assert.ok(Math.abs(tracks[0].pReal - last.reduce((a, b) => a + b) / last.length) < 1e-12);
  assert.equal(tracks[0].raw, scores.at(-1));
  assert.deepEqual(tracks[0].face, box(100 + (scores.length - 1) * 2, 100), 'the box follows the face');
});

test('smoothing starts from the first frame: one score is its own mean', () => {
  const [t] = createTracker().update([face(0, 0, 0.3)]);
  assert.equal(t.pReal, 0.3);
  assert.equal(t.frames, 1);
});

test('a face that leaves the picture is forgotten: it comes back with a fresh mean', () => {
  const tracker = createTracker();
  const first = tracker.update([face(100, 100, 0.1)])[0];
  tracker.update([face(100, 100, 0.1)]);
  assert.deepEqual(tracker.update([]), []);
  const back = tracker.update([face(100, 100, 0.9)])[0];
  assert.notEqual(back.id, first.id);
  assert.equal(back.pReal, 0.9);
  assert.equal(back.frames, 1);
});

test('two faces are kept apart by position, whatever order the detector lists them in', () => {
  const tracker = createTracker();
  const [a, b] = tracker.update([face(50, 100, 0.2), face(400, 100, 0.8)]);
  const swapped = tracker.update([face(405, 102, 0.6), face(52, 101, 0.4)]);
  assert.equal(swapped[0].id, b.id);
  assert.equal(swapped[1].id, a.id);
  assert.ok(Math.abs(swapped[0].pReal - 0.7) < 1e-12);
  assert.ok(Math.abs(swapped[1].pReal - 0.3) < 1e-12);
});

test('a face that jumps far (no overlap) starts a new track', () => {
  const tracker = createTracker();
  const [a] = tracker.update([face(0, 0, 0.2)]);
  const [b] = tracker.update([face(300, 300, 0.8)]);
  assert.notEqual(a.id, b.id);
  assert.equal(b.pReal, 0.8);
});

test('reset forgets every track', () => {
  const tracker = createTracker();
  const [a] = tracker.update([face(0, 0, 0.2)]);
  tracker.reset();
  const [b] = tracker.update([face(0, 0, 0.8)]);
  assert.notEqual(a.id, b.id);
  assert.equal(b.pReal, 0.8);
});

test('the reported face is the most suspicious track, by the verdict rule', () => {
  const tracks = createTracker().update([face(0, 0, 0.7), face(300, 0, 0.2), face(600, 0, 0.5)]);
  assert.equal(tracks[mostSuspiciousIndex(tracks, (t) => t.pReal)].pReal, 0.2);
});

test('fps: intervals over their span within the window; 0 with under two frames', () => {
  const fps = createFpsCounter(2000);
  assert.equal(fps.fps(0), 0);
  fps.tick(1000);
  assert.equal(fps.fps(1000), 0);
  for (let t = 1100; t <= 2000; t += 100) fps.tick(t);
  assert.ok(Math.abs(fps.fps(2000) - 10) < 1e-9);
  // Old frames leave the window: at 3950 only 2000 remains, so 0.
  assert.equal(fps.fps(3950), 0);
  fps.reset();
  assert.equal(fps.fps(2000), 0);
});

test('frame gate: frames offered while busy are dropped, and the newest is taken when the busy one is done', () => {
  const gate = createFrameGate();
  assert.equal(gate.offer(), true);
  assert.equal(gate.busy, true);
  assert.equal(gate.offer(), false);
  assert.equal(gate.offer(), false);
  // Done: the video shows a frame not yet analysed (the newest of the two), taken at once.
  assert.equal(gate.done(), true);
  assert.equal(gate.busy, true);
  assert.deepEqual(gate.counts(), { frames: 3, callbacks: 3, processed: 1, dropped: 1 });
  // Done again with nothing presented meanwhile: the gate is free, no frame runs by itself.
  assert.equal(gate.done(), false);
  assert.equal(gate.busy, false);
  assert.deepEqual(gate.counts(), { frames: 3, callbacks: 3, processed: 2, dropped: 1 });
  assert.equal(gate.offer(), true);
  assert.equal(gate.done(), false);
  assert.deepEqual(gate.counts(), { frames: 4, callbacks: 4, processed: 3, dropped: 1 });
});

test('frame gate: when stopping, a frame presented meanwhile is not taken', () => {
  const gate = createFrameGate();
  gate.offer();
  gate.offer();
  assert.equal(gate.done(false), false);
  assert.equal(gate.busy, false);
  assert.deepEqual(gate.counts(), { frames: 2, callbacks: 2, processed: 1, dropped: 1 });
  // and nothing is left waiting for the next frame
  assert.equal(gate.offer(), true);
  assert.equal(gate.done(), false);
});

test('frame gate: frames merged into one callback count, and only the newest can be processed', () => {
  const gate = createFrameGate();
  assert.equal(gate.offer(3), true); // three frames presented, the newest is processed
  assert.equal(gate.offer(2), false); // busy: both dropped, the newer one taken when done
  assert.equal(gate.done(), true);
  assert.equal(gate.done(), false);
  assert.deepEqual(gate.counts(), { frames: 5, callbacks: 2, processed: 2, dropped: 3 });
  const c = gate.counts();
  assert.equal(c.frames, c.processed + c.dropped);
});

test('frame gate: done() without a frame in progress is a bug, and says so', () => {
  assert.throws(() => createFrameGate().done(), /without a frame/);
});
