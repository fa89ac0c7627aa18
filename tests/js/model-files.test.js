import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { sha256Hex } from '../../site/js/domain/file-hash.js';
import { fileSource, readModel } from '../../site/js/engine/model-files.js';

const encoder = new TextEncoder();
const sha = (/** @type {Uint8Array} */ bytes) => createHash('sha256').update(bytes).digest('hex');

function fakeModel() {
  const shard1 = new Uint8Array([1, 2, 3, 4]);
  const shard2 = new Uint8Array([5, 6, 7, 8]);
  const modelJson = encoder.encode(JSON.stringify({
    format: 'layers-model',
    modelTopology: { class_name: 'Model' },
    weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }],
  }));
  const files = { 'model.json': modelJson, 'a.bin': shard1, 'b.bin': shard2 };
  const metadata = { input: { size: [256, 256] }, files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, sha(v)])) };
  return { ...files, 'metadata.json': encoder.encode(JSON.stringify(metadata)) };
}

const sourceOf = (/** @type {Record<string, Uint8Array>} */ files) => async (/** @type {string} */ name) => {
  if (!(name in files)) throw new Error(`missing ${name}`);
  return files[name].slice().buffer;
};

test('sha256Hex matches Node crypto', async () => {
  const bytes = encoder.encode('MesoNet');
  assert.equal(await sha256Hex(bytes.buffer), sha(bytes));
});

test('verified files become TF.js artifacts with the shards in manifest order', async () => {
  const { metadata, artifacts } = await readModel(sourceOf(fakeModel()));
  assert.deepEqual(metadata.input.size, [256, 256]);
  assert.deepEqual(Array.from(new Uint8Array(artifacts.weightData)), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(artifacts.weightSpecs[0].name, 'w');
});

test('a changed shard is refused, naming the file', async () => {
  const files = fakeModel();
  files['b.bin'] = new Uint8Array([5, 6, 7, 9]);
  await assert.rejects(readModel(sourceOf(files)), /b\.bin is damaged or was changed/);
});

test('a truncated shard is refused', async () => {
  const files = fakeModel();
  files['a.bin'] = files['a.bin'].slice(0, 2);
  await assert.rejects(readModel(sourceOf(files)), /a\.bin is damaged/);
});

test('metadata that is not JSON, or not a model description, is refused', async () => {
  await assert.rejects(readModel(sourceOf({ ...fakeModel(), 'metadata.json': encoder.encode('<html>') })), /not valid JSON/);
  await assert.rejects(readModel(sourceOf({ ...fakeModel(), 'metadata.json': encoder.encode('{}') })), /does not describe/);
});

test('picked files are found by name; a missing one is named', async () => {
  const files = fakeModel();
  const picked = Object.entries(files).filter(([name]) => name !== 'b.bin')
    .map(([name, bytes]) => new File([bytes], name));
  await assert.rejects(readModel(fileSource(picked)), /b\.bin was not among the chosen files/);
  const all = Object.entries(files).map(([name, bytes]) => new File([bytes], name));
  const { artifacts } = await readModel(fileSource(all));
  assert.equal(artifacts.weightData.byteLength, 8);
});
