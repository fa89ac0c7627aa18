import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEAT_STOPS, heatPixels } from '../../site/js/views/heatmap.js';

test('zero is fully transparent, one is opaque and the lightest colour', () => {
  const px = heatPixels([0, 1]);
  assert.equal(px[3], 0);
  assert.equal(px[7], 255);
  assert.deepEqual(Array.from(px.slice(4, 7)), HEAT_STOPS[HEAT_STOPS.length - 1][1]);
});

test('the scale gets lighter as the value grows (readable without hue)', () => {
  const values = Array.from({ length: 11 }, (_, i) => i / 10);
  const px = heatPixels(values);
  const luminance = values.map((_, i) => 0.2126 * px[i * 4] + 0.7152 * px[i * 4 + 1] + 0.0722 * px[i * 4 + 2]);
  for (let i = 1; i < luminance.length; i += 1) assert.ok(luminance[i] > luminance[i - 1], `at ${values[i]}`);
});

test('values outside [0, 1] are clamped, stop colours are hit exactly', () => {
  assert.deepEqual(Array.from(heatPixels([-3])), [...HEAT_STOPS[0][1], 0]);
  assert.deepEqual(Array.from(heatPixels([0.5])).slice(0, 3), HEAT_STOPS[2][1]);
  assert.equal(heatPixels([7])[3], 255);
});
