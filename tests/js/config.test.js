import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelNote, pickModel, urlOptions, weightHashes } from '../../site/js/domain/config.js';

const index = {
  models: [
    { id: 'meso4-f2f', name: 'F2F', architecture: 'meso4', path: 'meso4-f2f/' },
    { id: 'meso4-df', name: 'DF', architecture: 'meso4', path: 'meso4-df/' },
  ],
  default: 'meso4-df',
};

test('URL options: backend, model and faces switch', () => {
  assert.deepEqual(urlOptions('?backend=wasm&model=meso4-f2f&faces=off'),
    { backend: 'wasm', model: 'meso4-f2f', faces: false });
  assert.deepEqual(urlOptions(''), { backend: null, model: null, faces: true });
});

test('an unknown backend is refused with a message naming it', () => {
  assert.throws(() => urlOptions('?backend=cuda'), /Unknown backend "cuda"/);
});

test('the default model is the index default, else the first', () => {
  assert.equal(pickModel(index, null).id, 'meso4-df');
  assert.equal(pickModel({ ...index, default: 'gone' }, null).id, 'meso4-f2f');
});

test('a requested model is used, an unknown one is an error listing the choices', () => {
  assert.equal(pickModel(index, 'meso4-f2f').id, 'meso4-f2f');
  assert.throws(() => pickModel(index, 'nope'), /Unknown model "nope": available meso4-f2f, meso4-df/);
});

test('an empty index says how to fix it', () => {
  assert.throws(() => pickModel({ models: [], default: '' }, null), /run the converter/);
});

test('a model that is not MesoNet is named so; MesoNet and older exports are not', () => {
  assert.match(modelNote({ architecture: 'custom', mesonet: false }), /^not MesoNet/);
  assert.match(modelNote({ architecture: 'custom' }), /^not MesoNet/);
  assert.equal(modelNote({ architecture: 'meso4', mesonet: true }), '');
  assert.equal(modelNote({ architecture: 'mesoinception4' }), '');
});

test('a model\'s weights are named by the sha256 of each weight file, in order', () => {
  const metadata = { files: { 'model.json': 'aa', 'group1-shard2of2.bin': 'cc', 'group1-shard1of2.bin': 'bb' } };
  assert.deepEqual(weightHashes(metadata), [{ file: 'group1-shard1of2.bin', sha256: 'bb' }, { file: 'group1-shard2of2.bin', sha256: 'cc' }]);
  assert.deepEqual(weightHashes({}), []);
  assert.deepEqual(weightHashes(null), []);
});
