import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearestIndices } from '../../site/js/engine/nearest.js';

test('nearest indices follow TF: floor((i + 0.5) * in / out), clamped', () => {
  assert.deepEqual(nearestIndices(4, 2, true), [1, 3]);
  assert.deepEqual(nearestIndices(4, 2, false), [0, 2]);
  assert.deepEqual(nearestIndices(3, 6, true), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(nearestIndices(256, 256, true), Array.from({ length: 256 }, (_, i) => i));
  assert.deepEqual(nearestIndices(10000, 256, true).slice(0, 3), [19, 58, 97]);
});
