import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FRAME_END_TOLERANCE_S, ReaderFailure, VIDEO_ELEMENT, WEBCODECS, chooseReader, decodeTimes, frameCovers,
  h264Profile, mediaDuration, presentedFor, withFallback,
} from '../../site/js/domain/video-choice.js';

/** What mediabunny and Chromium say of the DFDC clip (H.264 High, 10 s): read with WebCodecs. */
const dfdc = { webcodecs: true, readable: true, track: true, codec: 'avc1.640028', decodable: true, duration: 10.01001 };

test('H.264 profiles from codec strings', () => {
  assert.equal(h264Profile('avc1.640028'), 100);
  assert.equal(h264Profile('avc1.42E01E'), 66);
  assert.equal(h264Profile('avc3.4d401f'), 77);
  assert.equal(h264Profile('avc1.f4001e'), 244, 'the FF++ clips: High 4:4:4 Predictive');
  assert.equal(h264Profile('vp8'), null);
  assert.equal(h264Profile('vp09.00.30.08'), null);
  assert.equal(h264Profile(null), null);
  assert.equal(h264Profile('avc1'), null);
});

test('WebCodecs reads what it can decode', () => {
  assert.deepEqual(chooseReader(dfdc), { reader: WEBCODECS, why: null });
  assert.deepEqual(chooseReader({ ...dfdc, codec: 'vp8' }), { reader: WEBCODECS, why: null });
  assert.deepEqual(chooseReader({ ...dfdc, codec: 'avc1.42E01E' }), { reader: WEBCODECS, why: null });
});

test('the <video> reads the rest, each with its reason', () => {
  const element = (facts) => {
    const choice = chooseReader({ ...dfdc, ...facts });
    assert.equal(choice.reader, VIDEO_ELEMENT, JSON.stringify(facts));
    return choice.why;
  };
  assert.match(element({ webcodecs: false }), /no WebCodecs/);
  assert.match(element({ readable: false }), /container/);
  assert.match(element({ track: false }), /no video track/);
  assert.match(element({ codec: null }), /codec is not one/);
  assert.match(element({ decodable: false }), /cannot decode avc1\.640028/);
  assert.match(element({ duration: 0 }), /length/);
  assert.match(element({ duration: NaN }), /length/);
  assert.match(element({ duration: Infinity }), /length/);
});

test('H.264 beyond High goes to the <video> even where WebCodecs says it can decode it', () => {
  // WebKitGTK said yes to the FF++ clip and decoded it wrongly from 10.5 s on (docs/browsers.md).
  const why = chooseReader({ ...dfdc, codec: 'avc1.f4001e' }).why;
  assert.match(why, /High 4:4:4 Predictive/);
  assert.match(chooseReader({ ...dfdc, codec: 'avc1.6e0028' }).why, /High 10/);
  assert.match(chooseReader({ ...dfdc, codec: 'avc1.7a0028' }).why, /High 4:2:2/);
  assert.match(chooseReader({ ...dfdc, codec: 'avc1.530028' }).why, /profile 83/);
});

test('the first reason wins: no WebCodecs before anything about the file', () => {
  assert.match(chooseReader({ webcodecs: false, readable: false, track: false, codec: null, decodable: false,
    duration: NaN }).why, /no WebCodecs/);
  assert.match(chooseReader({ ...dfdc, codec: 'avc1.f4001e', decodable: false }).why, /High 4:4:4/);
});

test('lengths in whole microseconds, as a <video> states them', () => {
  assert.equal(mediaDuration(10.01001001001001), 10.01001, 'the DFDC clip: 10010 ms of 30000/1001 fps');
  assert.equal(mediaDuration(30.04), 30.04);
  assert.equal(mediaDuration(3), 3);
});

test('times before the first frame ask for the first frame; the others are kept', () => {
  assert.deepEqual(decodeTimes([0.05, 0.5, 1.5], 0.08), [0.08, 0.5, 1.5]);
  assert.deepEqual(decodeTimes([0.5, 1.5], 0), [0.5, 1.5]);
  assert.deepEqual(decodeTimes([], 0), []);
});

test('a frame belongs to the times it is shown at, not to times after the file ends', () => {
  assert.ok(frameCovers(0.5, 0.48, 0.04), 'the 25 fps frame shown at 0.5 s');
  assert.ok(frameCovers(0.5, 0.5, 0.04), 'a frame starting exactly then');
  assert.ok(frameCovers(29.5, 29.48, 0.04));
  assert.ok(frameCovers(9.9, 9.8, 0), 'a last frame of unknown length, shortly before');
  assert.ok(!frameCovers(0.5, 0.6, 0.04), 'a later frame is never given for an earlier time');
  // A truncated file: its last frame started at 1.1 s; the frames at 1.5 s and on are missing.
  assert.ok(frameCovers(1.2 + FRAME_END_TOLERANCE_S - 0.01, 1.1, 0.1));
  assert.ok(!frameCovers(1.5, 1.1, 0.1));
  assert.ok(!frameCovers(7.5, 1.1, 0.1));
});

test('a <video> presentation counts for the time sought, not as a late one of the time before', () => {
  // WebKitGTK, the DFDC clip (media times 0.067 s ahead of the times sought):
  assert.ok(presentedFor(4.571237, 4.504504, 3.503503), 'the frame for 4.5 s');
  assert.ok(!presentedFor(3.570236, 4.504504, 3.503503), 'the frame for 3.5 s, reported after the seek to 4.5 s');
  assert.ok(presentedFor(0.567234, 0.500501, null), 'the first seek: nothing to mistake it for');
  assert.ok(presentedFor(1.5, 1.5, 0.5) && !presentedFor(0.5, 1.5, 0.5));
  assert.ok(presentedFor(1, 1.5, 0.5), 'halfway: taken');
});

/** A reader: yields { index, time, reader } and fails (ReaderFailure, or `error`) before `failAt`. */
function reader(name, { failAt = Infinity, error = null, log = [] } = {}) {
  return async function* read(times, offset = 0) {
    try {
      for (const [i, time] of times.entries()) {
        if (offset + i === failAt) throw error ?? new ReaderFailure(`${name} failed at ${time} s`);
        yield { index: offset + i, time, reader: name };
      }
    } finally {
      log.push(`${name} closed`);
    }
  };
}

async function collect(generator) {
  const out = [];
  for await (const frame of generator) out.push(frame);
  return out;
}

const times = [0.5, 1.5, 2.5, 3.5, 4.5];

test('without a failure every frame comes from the first reader', async () => {
  const switches = [];
  const frames = await collect(withFallback(times, reader(WEBCODECS), reader(VIDEO_ELEMENT), (s) => switches.push(s)));
  assert.deepEqual(frames.map((f) => [f.index, f.time, f.reader]), times.map((t, i) => [i, t, WEBCODECS]));
  assert.deepEqual(switches, []);
});

test('a failure part-way: the rest from the fallback, no time skipped or read twice', async () => {
  const switches = [];
  const log = [];
  const frames = await collect(withFallback(times, reader(WEBCODECS, { failAt: 2, log }),
    reader(VIDEO_ELEMENT, { log }), (s) => switches.push(s)));
  assert.deepEqual(frames.map((f) => f.index), [0, 1, 2, 3, 4]);
  assert.deepEqual(frames.map((f) => f.time), times);
  assert.deepEqual(frames.map((f) => f.reader), [WEBCODECS, WEBCODECS, VIDEO_ELEMENT, VIDEO_ELEMENT, VIDEO_ELEMENT]);
  assert.deepEqual(switches, [{ time: 2.5, why: 'webcodecs failed at 2.5 s' }]);
  assert.deepEqual(log, ['webcodecs closed', 'video-element closed'], 'the first reader is closed before the fallback opens');
});

test('a failure before the first frame: every frame from the fallback', async () => {
  const frames = await collect(withFallback(times, reader(WEBCODECS, { failAt: 0 }), reader(VIDEO_ELEMENT)));
  assert.deepEqual(frames.map((f) => f.reader), Array(5).fill(VIDEO_ELEMENT));
  assert.deepEqual(frames.map((f) => f.index), [0, 1, 2, 3, 4]);
});

test('other errors are not a reason to switch: they reach the caller', async () => {
  const broken = new Error('the engine stopped');
  await assert.rejects(collect(withFallback(times, reader(WEBCODECS, { failAt: 1, error: broken }),
    reader(VIDEO_ELEMENT))), broken);
});

test('stopping early (cancel, too many failures) closes the reader in use and opens no other', async () => {
  const log = [];
  const read = withFallback(times, reader(WEBCODECS, { log }), reader(VIDEO_ELEMENT, { log }));
  for await (const frame of read) if (frame.index === 1) break;
  assert.deepEqual(log, ['webcodecs closed']);
});
