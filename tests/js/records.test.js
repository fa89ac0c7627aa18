import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CSV_COLUMNS, csvRows, imageFields, modelFields, toCsv, toJson, videoFields,
} from '../../site/js/domain/records.js';
import { aggregateFaces } from '../../site/js/domain/verdict.js';
import { summariseVideo } from '../../site/js/domain/video-summary.js';

const done = {
  file: 'a,"b".jpg', kind: 'image', state: 'done', verdict: 'fake', p_real: 0.1, mode: 'faces',
  model: 'meso4-df', backend: 'wasm', detect_ms: 300, error: null,
  sha256: 'ab'.repeat(32), size: 1234, type: 'image/jpeg',
  faces: [
    { box: '0,0,10,10', face_box: '1,1,8,8', p_real: 0.1, confidence: 0.9, ms: 10 },
    { box: '20,0,10,10', face_box: '21,1,8,8', p_real: 0.8, confidence: 0.7, ms: 10 },
  ],
};
const failed = { ...done, file: '=cmd|x.jpg', state: 'error', verdict: null, p_real: null, mode: null,
  faces: [], error: 'This file is empty (0 bytes).' };

test('one CSV row per face, one per file without faces', () => {
  const rows = csvRows([done, failed]);
  assert.equal(rows.length, 3);
  assert.ok(rows.every((row) => row.length === CSV_COLUMNS.length));
  const face = CSV_COLUMNS.indexOf('face');
  assert.deepEqual(rows.map((r) => r[face]), [1, 2, null]);
});

test('a video gives one CSV row per face per frame, with its time and person', () => {
  const video = { ...done, file: 'clip.webm', kind: 'video', faces: [], frames: [
    { time: 0.5, p_real: 0.2, error: null, faces: [{ box: '0,0,9,9', face_box: null, p_real: 0.2, confidence: 0.8, person: 1 },
      { box: '50,0,9,9', face_box: null, p_real: 0.7, confidence: 0.8, person: 2 }] },
    { time: 1.5, p_real: null, error: null, faces: [] },
  ] };
  const rows = csvRows([video]);
  const col = (/** @type {string} */ name) => rows.map((r) => r[CSV_COLUMNS.indexOf(name)]);
  assert.deepEqual(col('time'), [0.5, 0.5, 1.5]);
  assert.deepEqual(col('face'), [1, 2, null]);
  assert.deepEqual(col('face_p_real'), [0.2, 0.7, null]);
  assert.ok(rows.every((row) => row.length === CSV_COLUMNS.length));
});

test('CSV quotes commas and quotes, and defuses formulas in file names', () => {
  const lines = toCsv([done, failed]).split('\r\n');
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  assert.ok(lines[1].startsWith('"a,""b"".jpg",image,done,fake,0.1,faces,,1,0.1,'));
  assert.ok(lines[3].startsWith("'=cmd|x.jpg,image,error,"));
});

test('JSON keeps every result and says what produced them', () => {
  const parsed = JSON.parse(toJson([done, failed], { model: 'meso4-df' }));
  assert.equal(parsed.model, 'meso4-df');
  assert.equal(parsed.results.length, 2);
  assert.equal(parsed.results[0].faces[1].p_real, 0.8);
});

test('every row carries the file\'s sha256, size and type; the JSON each result\'s sha256', () => {
  const rows = csvRows([done, { ...failed, sha256: null }]);
  const col = (/** @type {string} */ name) => rows.map((r) => r[CSV_COLUMNS.indexOf(name)]);
  assert.deepEqual(col('sha256'), ['ab'.repeat(32), 'ab'.repeat(32), null]);
  assert.deepEqual(col('size'), [1234, 1234, 1234]);
  assert.deepEqual(col('type'), ['image/jpeg', 'image/jpeg', 'image/jpeg']);
  assert.deepEqual(CSV_COLUMNS.slice(0, 15), ['file', 'kind', 'state', 'verdict', 'p_real', 'mode', 'time',
    'face', 'face_p_real', 'box', 'face_box', 'confidence', 'model', 'backend', 'error'], 'older columns keep their places');
  assert.equal(JSON.parse(toJson([done], {})).results[0].sha256, 'ab'.repeat(32));
});

const box = (/** @type {number} */ x) => ({ x, y: 0, w: 10, h: 10 });
const scored = (/** @type {number} */ x, /** @type {number} */ pReal) => ({ box: box(x), face: box(x + 1), confidence: 0.9,
  pReal, ms: 4 });
const band = { fake_below: 0.35, real_above: 0.65 };

test('the record of a picture: its verdict, and each face in the names of the export', () => {
  const analysis = { mode: /** @type {const} */ ('faces'), faces: [scored(0, 0.8), scored(40, 0.1)], detectMs: 20 };
  const fields = imageFields({ analysis, width: 64, height: 48, ms: 30, maps: null, preview: null, crops: [] },
    aggregateFaces(analysis.faces, band));
  assert.deepEqual(fields, {
    verdict: 'fake', p_real: 0.1, mode: 'faces', detect_ms: 20, total_ms: 30, width: 64, height: 48,
    faces: [{ box: '0,0,10,10', face_box: '1,0,10,10', p_real: 0.8, confidence: 0.9, ms: 4 },
      { box: '40,0,10,10', face_box: '41,0,10,10', p_real: 0.1, confidence: 0.9, ms: 4 }],
  });
  assert.deepEqual(modelFields({ id: 'm', name: 'M', weights: [{ file: 'w.bin', sha256: 'ab' }] }),
    { model: 'm', model_name: 'M', model_sha256: ['ab'], stale: false });
});

test('the record of a video: frames with their most suspicious score, faces with their person', () => {
  const frame = (/** @type {number} */ time, /** @type {ReturnType<typeof scored>[]} */ faces) => ({
    index: time, time, reader: /** @type {const} */ ('webcodecs'), thumbs: [], ms: 1, waitMs: 0, error: null,
    analysis: { mode: /** @type {const} */ ('faces'), faces, detectMs: 1 } });
  const analysis = { frames: [frame(0, [scored(0, 0.9), scored(100, 0.2)]), frame(1, [])],
    ending: /** @type {const} */ ('done'), failure: null, reader: /** @type {const} */ ('webcodecs'), readerWhy: null,
    switched: null };
  const summary = summariseVideo(analysis.frames.map((f) => ({ time: f.time, faces: f.analysis.faces, error: f.error })), band);
  const fields = videoFields(analysis, summary);
  assert.equal(fields.verdict, summary.verdict);
  assert.deepEqual(fields.frames.map((f) => f.p_real), [0.2, null]);
  assert.deepEqual(fields.frames[0].faces.map((f) => [f.box, f.p_real, f.person]), [['0,0,10,10', 0.9, 1], ['100,0,10,10', 0.2, 2]]);
  assert.equal('ms' in fields.frames[0].faces[0], false, 'a video face carries no time of its own');
});
