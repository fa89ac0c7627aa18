import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SAMPLING, MIN_TRACK_SHARE, SAMPLING_LIMITS, clampSampling, clock, mostSuspicious, sampleTimes,
  summariseVideo, suspiciousFrames, trackFaces,
} from '../../site/js/domain/video-summary.js';

const thresholds = { fake_below: 0.4, real_above: 0.6 };
const box = (x, y = 100, side = 100) => ({ x, y, w: side, h: side });

test('sampling: one frame per second in the middle of each second', () => {
  assert.deepEqual(sampleTimes(3, DEFAULT_SAMPLING), [0.5, 1.5, 2.5]);
  assert.equal(sampleTimes(30.04, DEFAULT_SAMPLING).length, 30);
});

test('sampling: an hour-long video stays bounded, spread over the whole video', () => {
  const times = sampleTimes(3600, DEFAULT_SAMPLING);
  assert.equal(times.length, DEFAULT_SAMPLING.maxFrames);
  assert.ok(times[0] > 0 && times[0] < 60);
  assert.ok(times.at(-1) > 3540 && times.at(-1) < 3600);
});

test('sampling: a video shorter than a sample period still gets its middle frame', () => {
  assert.deepEqual(sampleTimes(0.4, DEFAULT_SAMPLING), [0.2]);
});

test('sampling: no frames for zero, negative, NaN or endless durations', () => {
  for (const d of [0, -1, NaN, Infinity]) assert.deepEqual(sampleTimes(d, DEFAULT_SAMPLING), []);
});

test('sampling settings are clamped to the limits; nonsense gives the default', () => {
  assert.deepEqual(clampSampling(100, 10000), { perSecond: SAMPLING_LIMITS.maxPerSecond, maxFrames: SAMPLING_LIMITS.maxFrames });
  assert.deepEqual(clampSampling(NaN, -3), DEFAULT_SAMPLING);
  assert.deepEqual(clampSampling(0.01, 2.7), { perSecond: SAMPLING_LIMITS.minPerSecond, maxFrames: 2 });
});

test('tracking keeps two people apart by position, whatever order the detector lists them', () => {
  const frames = [
    { time: 0.5, faces: [{ box: box(0), pReal: 0.9 }, { box: box(400), pReal: 0.1 }] },
    { time: 1.5, faces: [{ box: box(410), pReal: 0.2 }, { box: box(10), pReal: 0.8 }] },
    { time: 2.5, faces: [{ box: box(20), pReal: 0.7 }] },
  ];
  assert.deepEqual(trackFaces(frames), [[0, 1], [1, 0], [0]]);
});

test('a face that moved less than its size between samples stays the same person', () => {
  const frames = [{ time: 0, faces: [{ box: box(0), pReal: 0.5 }] }, { time: 1, faces: [{ box: box(70), pReal: 0.5 }] }];
  assert.deepEqual(trackFaces(frames), [[0], [0]]);
});

test('video verdict: mean P(real) over frames with a face; share and spread reported', () => {
  const frames = [
    { time: 0.5, faces: [{ box: box(0), pReal: 0.2 }] },
    { time: 1.5, faces: [] },
    { time: 2.5, faces: [{ box: box(5), pReal: 0.4 }] },
    { time: 3.5, faces: [{ box: box(10), pReal: 0.3 }] },
  ];
  const s = summariseVideo(frames, thresholds);
  assert.equal(s.frames, 4);
  assert.equal(s.framesWithFace, 3);
  assert.equal(s.faceShare, 0.75);
  assert.ok(Math.abs(s.pReal - 0.3) < 1e-12);
  assert.equal(s.verdict, 'fake');
  assert.deepEqual(s.frameScores, [0.2, null, 0.4, 0.3]);
  assert.equal(s.spread.min, 0.2);
  assert.equal(s.spread.max, 0.4);
  assert.ok(Math.abs(s.spread.sd - Math.sqrt(0.02 / 3)) < 1e-12);
});

test('video verdict rests on the most suspicious person, not the average of everyone', () => {
  const frames = [0, 1, 2, 3].map((t) => ({ time: t, faces: [{ box: box(0), pReal: 0.95 }, { box: box(400), pReal: 0.1 }] }));
  const s = summariseVideo(frames, thresholds);
  assert.equal(s.people.length, 2);
  assert.equal(s.pReal, 0.1);
  assert.equal(s.verdict, 'fake');
  assert.equal(s.person, 1);
});

test('a face seen in too few frames (a false detection) does not decide the video', () => {
  const frames = Array.from({ length: 8 }, (_, t) => ({ time: t, faces: [{ box: box(0), pReal: 0.9 }] }));
  frames[3].faces.push({ box: box(500, 300, 40), pReal: 0.01 });
  assert.ok(1 / 8 < MIN_TRACK_SHARE);
  const s = summariseVideo(frames, thresholds);
  assert.ok(Math.abs(s.pReal - 0.9) < 1e-12);
  assert.equal(s.verdict, 'real');
  assert.equal(s.frameScores[3], 0.01, 'the frame itself still shows its most suspicious face');
});

test('a video without faces gets no-face, no score', () => {
  const s = summariseVideo([{ time: 0.5, faces: [] }, { time: 1.5, faces: [] }], thresholds);
  assert.equal(s.verdict, 'no-face');
  assert.equal(s.pReal, null);
  assert.equal(s.faceShare, 0);
  assert.equal(summariseVideo([], thresholds).faceShare, 0);
});

test('most suspicious frames: lowest P(real) first, frames without faces left out', () => {
  assert.deepEqual(mostSuspicious([0.5, null, 0.1, 0.9, 0.3], 3), [2, 4, 0]);
  assert.deepEqual(mostSuspicious([null, null], 3), []);
});

test('the face share counts only frames that were read', () => {
  // A video damaged at 5.5 s: 5 frames read (4 with a face), 3 that could not be read.
  const frames = Array.from({ length: 8 }, (_, t) => ({ time: t + 0.5, faces: t < 4 ? [{ box: box(0), pReal: 0.2 }] : [],
    error: t >= 5 ? 'The frame could not be decoded.' : null }));
  const s = summariseVideo(frames, thresholds);
  assert.equal(s.frames, 8);
  assert.equal(s.decoded, 5);
  assert.equal(s.framesWithFace, 4);
  assert.equal(s.faceShare, 4 / 5);
  assert.deepEqual(s.frameScores.slice(4), [null, null, null, null]);
  assert.equal(summariseVideo([{ time: 0.5, faces: [], error: 'x' }], thresholds).faceShare, 0);
});

test('suspicious frames are only those in the manipulated band', () => {
  assert.deepEqual(suspiciousFrames([0.53, 0.52, 0.55, null], thresholds, 4), [], 'every frame uncertain: none');
  assert.deepEqual(suspiciousFrames([0.9, 0.1, null, 0.3, 0.5, 0.2], thresholds, 2), [1, 5]);
});

test('video times read as the player shows them', () => {
  assert.equal(clock(0), '0:00.0');
  assert.equal(clock(29.5), '0:29.5');
  assert.equal(clock(61.25), '1:01.3');
  assert.equal(clock(30.04, { tenths: false }), '0:30');
  assert.equal(clock(7200, { tenths: false }), '2:00:00', 'a 2-hour clip: not 120:00.0');
  assert.equal(clock(59.5, { hours: true }), '0:00:59.5', 'labels of an hour-long video all show hours');
  assert.equal(clock(3725.5), '1:02:05.5');
  assert.equal(clock(59.96), '1:00.0', 'tenths rounding carries into the minutes');
});
