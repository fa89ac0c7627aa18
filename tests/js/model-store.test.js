import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { keptRecord, verifiedFiles } from '../../site/js/sources/model-store.js';

const encoder = new TextEncoder();
const sha = (/** @type {Uint8Array} */ bytes) => createHash('sha256').update(bytes).digest('hex');

function modelFiles() {
  const metadata = encoder.encode(JSON.stringify({ id: 'my-meso4', name: 'My Meso-4', files: {} }));
  return [
    new File([encoder.encode('{"format": "layers-model"}')], 'model.json', { type: 'application/json' }),
    new File([new Uint8Array([1, 2, 3, 4])], 'group1-shard1of1.bin'),
    new File([metadata], 'metadata.json', { type: 'application/json' }),
  ];
}

test('a kept record holds every file with its sha256, and the model\'s name', async () => {
  const record = await keptRecord(modelFiles());
  assert.equal(record.name, 'My Meso-4');
  assert.equal(record.id, 'my-meso4');
  assert.deepEqual(record.files.map((f) => f.name), ['model.json', 'group1-shard1of1.bin', 'metadata.json']);
  assert.equal(record.files[1].sha256, sha(new Uint8Array([1, 2, 3, 4])));
  assert.ok(!Number.isNaN(Date.parse(record.keptAt)));
});

test('files come back out as they went in', async () => {
  const files = await verifiedFiles(await keptRecord(modelFiles()));
  assert.deepEqual(files.map((f) => f.name), ['model.json', 'group1-shard1of1.bin', 'metadata.json']);
  assert.deepEqual(new Uint8Array(await files[1].arrayBuffer()), new Uint8Array([1, 2, 3, 4]));
  assert.equal(files[0].type, 'application/json');
});

test('a changed byte, a missing file list or a non-buffer is refused', async () => {
  const record = await keptRecord(modelFiles());
  new Uint8Array(record.files[1].bytes)[0] ^= 0xff;
  await assert.rejects(verifiedFiles(record), /damaged or was changed \(group1-shard1of1.bin does not match/);
  await assert.rejects(verifiedFiles(null), /holds no files/);
  await assert.rejects(verifiedFiles({ id: '', name: '', keptAt: '', files: [
    { name: 'model.json', type: '', bytes: /** @type {any} */ ('text'), sha256: '' }] }), /damaged/);
});

test('a record needs metadata.json', async () => {
  await assert.rejects(keptRecord(modelFiles().slice(0, 2)), /metadata.json is not among/);
});

test('files chosen as my own model: a whole set passes, a photo is named as one', async () => {
  const { ownModelProblem } = await import('../../site/js/app/own-model.js');
  assert.equal(ownModelProblem(['model.json', 'group1-shard1of1.bin', 'metadata.json']), null);
  const photo = ownModelProblem(['holiday.jpg']);
  assert.match(photo, /model\.json, metadata\.json and the \.bin weight files are missing/);
  assert.match(photo, /holiday\.jpg is a photo/);
  assert.doesNotMatch(photo, /was not among the chosen files/);
  assert.match(ownModelProblem(['model.json', 'group1-shard1of1.bin']), /metadata\.json is missing/);
  assert.match(ownModelProblem(['clip.mp4']), /clip\.mp4 is a video/);
});
