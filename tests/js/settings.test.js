import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SETTINGS, SETTINGS_KEY, cleanSettings, forgetSettings, readSettings, startingSettings, writeSettings,
} from '../../site/js/domain/settings.js';

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (/** @type {string} */ k) => (items.has(k) ? items.get(k) : null),
    setItem: (/** @type {string} */ k, /** @type {string} */ v) => { items.set(k, String(v)); },
    removeItem: (/** @type {string} */ k) => { items.delete(k); },
    items,
  };
}

test('nothing remembered: the defaults', () => {
  assert.deepEqual(readSettings(memoryStorage()), { ...DEFAULT_SETTINGS });
  assert.deepEqual(readSettings(null), { ...DEFAULT_SETTINGS });
});

test('settings written are read back, on this device only', () => {
  const storage = memoryStorage();
  const mine = { model: 'meso4-f2f', faces: false, heatmaps: true, opacity: 35, videoRate: 2, videoMaxFrames: 10 };
  assert.equal(writeSettings(storage, mine), true);
  assert.deepEqual(readSettings(storage), mine);
  assert.deepEqual([...storage.items.keys()], [SETTINGS_KEY]);
  forgetSettings(storage);
  assert.deepEqual(readSettings(storage), { ...DEFAULT_SETTINGS });
});

test('damaged or out-of-range values give the default or the nearest limit', () => {
  const storage = memoryStorage();
  storage.setItem(SETTINGS_KEY, '{not json');
  assert.deepEqual(readSettings(storage), { ...DEFAULT_SETTINGS });
  const cleaned = cleanSettings({ model: 3, faces: 'yes', opacity: 250, videoRate: 1000, videoMaxFrames: 0.5, extra: 1 });
  assert.deepEqual(cleaned, { ...DEFAULT_SETTINGS, opacity: 100, videoRate: 10, videoMaxFrames: DEFAULT_SETTINGS.videoMaxFrames });
});

test('storage that refuses (private windows, quota) is not an error', () => {
  const refusing = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('quota'); }, removeItem() { throw new Error('denied'); } };
  assert.deepEqual(readSettings(refusing), { ...DEFAULT_SETTINGS });
  assert.equal(writeSettings(refusing, { ...DEFAULT_SETTINGS }), false);
  assert.doesNotThrow(() => forgetSettings(refusing));
});

test('the address overrides what is remembered, for this visit', () => {
  const remembered = { ...DEFAULT_SETTINGS, model: 'meso4-f2f', faces: true };
  assert.deepEqual(startingSettings(remembered, ''), { ...remembered, modelFromAddress: false });
  const asked = startingSettings(remembered, '?model=mesoinception4-df&faces=off&backend=wasm');
  assert.equal(asked.model, 'mesoinception4-df');
  assert.equal(asked.modelFromAddress, true);
  assert.equal(asked.faces, false);
  assert.equal(startingSettings({ ...remembered, faces: false }, '?backend=cpu').faces, false, 'no faces= in the address: remembered');
});
