import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearestIndices, nearestInput } from '../../site/js/engine/nearest.js';

test('nearest indices follow TF: floor((i + 0.5) * in / out), clamped', () => {
  assert.deepEqual(nearestIndices(4, 2, true), [1, 3]);
  assert.deepEqual(nearestIndices(4, 2, false), [0, 2]);
  assert.deepEqual(nearestIndices(3, 6, true), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(nearestIndices(256, 256, true), Array.from({ length: 256 }, (_, i) => i));
  assert.deepEqual(nearestIndices(10000, 256, true).slice(0, 3), [19, 58, 97]);
});

test('nearestInput: RGB of the nearest pixels over scale, alpha dropped, row-major', () => {
  // 3x2 RGBA picture: pixel (x, y) has R = 10y + x, G = 100 + R, B = 200 + R, A = 7
  const width = 3;
  const height = 2;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      data.set([10 * y + x, 110 + 10 * y + x, 200 + 10 * y + x, 7], 4 * (width * y + x));
    }
  }
  const out = nearestInput({ data, width, height }, [4, 2], true, 255);
  assert.equal(out.length, 4 * 2 * 3);
  // rows read: floor((i + .5) * 2 / 4) = 0, 0, 1, 1; columns: floor((j + .5) * 3 / 2) = 0, 2
  const expected = [[0, 2], [0, 2], [10, 12], [10, 12]].flat().flatMap((r) => [r, 110 + r, 200 + r]);
  assert.deepEqual([...out], expected.map((v) => Math.fround(v / 255)));
});

test('nearestInput at the same size is the picture itself, divided by the scale', () => {
  const data = Uint8ClampedArray.from({ length: 5 * 4 * 4 }, (_, i) => (i * 37) % 256);
  const out = nearestInput({ data, width: 5, height: 4 }, [4, 5], true, 127.5);
  const rgb = [...data].filter((_, i) => i % 4 !== 3);
  assert.deepEqual([...out], rgb.map((v) => Math.fround(v / 127.5)));
});
