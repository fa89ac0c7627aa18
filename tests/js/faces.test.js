import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CROP_MARGIN, CROP_SHIFT, MIN_CONFIDENCE, TIGHT_MIN_CONFIDENCE, boxText, isTightCrop, nearlySquare, planCrops,
  greedyMatch, roundBox, squareCrop,
} from '../../site/js/domain/faces.js';

test('square crop: margin times the longer side, centred on the shifted box centre, integers', () => {
  const crop = squareCrop({ x: 400, y: 300, width: 100, height: 120 }, 1920, 1080);
  const side = Math.round(120 * CROP_MARGIN);
  assert.equal(crop.w, side);
  assert.equal(crop.h, side);
  assert.ok(Math.abs(crop.x + side / 2 - (450 + CROP_SHIFT.x * 100)) <= 0.5);
  assert.ok(Math.abs(crop.y + side / 2 - (360 + CROP_SHIFT.y * 120)) <= 0.5);
  for (const v of Object.values(crop)) assert.ok(Number.isInteger(v));
});

test('square crop: the shift moves the centre by shares of the box, the margin scales the side', () => {
  const face = { x: 100, y: 100, width: 100, height: 100 };
  assert.deepEqual(squareCrop(face, 1000, 1000, 2, { x: 0, y: 0 }), { x: 50, y: 50, w: 200, h: 200 });
  assert.deepEqual(squareCrop(face, 1000, 1000, 2, { x: 0.1, y: -0.2 }), { x: 60, y: 30, w: 200, h: 200 });
});

test('square crop near an edge is shifted inside, not cut', () => {
  const none = { x: 0, y: 0 };
  const crop = squareCrop({ x: 0, y: 0, width: 100, height: 100 }, 640, 480, 2, none);
  assert.deepEqual(crop, { x: 0, y: 0, w: 200, h: 200 });
  const right = squareCrop({ x: 600, y: 440, width: 40, height: 40 }, 640, 480, 2, none);
  assert.deepEqual(right, { x: 560, y: 400, w: 80, h: 80 });
});

test('square crop larger than the image shrinks to its shorter side', () => {
  const crop = squareCrop({ x: 10, y: 10, width: 300, height: 300 }, 320, 240);
  assert.equal(crop.w, 240);
  assert.equal(crop.h, 240);
  assert.ok(crop.x >= 0 && crop.x + crop.w <= 320 && crop.y === 0);
});

test('a face filling a square image makes it a tight crop: the whole image is scored', () => {
  const plan = planCrops([{ x: 20, y: 0, width: 180, height: 210, score: 0.9 }], 224, 224);
  assert.equal(plan.mode, 'tight');
  assert.deepEqual(plan.faces[0].box, { x: 0, y: 0, w: 224, h: 224 });
  assert.deepEqual(plan.faces[0].face, { x: 20, y: 0, w: 180, h: 210 });
});

test('a small face in a frame is cropped; several faces are ordered left to right', () => {
  const plan = planCrops([
    { x: 1200, y: 200, width: 150, height: 200, score: 0.7 },
    { x: 300, y: 250, width: 160, height: 190, score: 0.95 },
  ], 1920, 1080);
  assert.equal(plan.mode, 'faces');
  assert.deepEqual(plan.faces.map((f) => f.face.x), [300, 1200]);
  assert.ok(!isTightCrop(plan.faces[0].box, 1920, 1080));
});

test('nothing detected: no-face', () => {
  assert.deepEqual(planCrops([], 640, 480), { mode: 'no-face', faces: [] });
});

test('round box stays inside the image and has at least one pixel', () => {
  assert.deepEqual(roundBox({ x: -3.2, y: 4.6, width: 10.4, height: 500 }, 100, 100),
    { x: 0, y: 5, w: 7, h: 95 });
  assert.equal(boxText({ x: 1, y: 2, w: 3, h: 4 }), '1,2,3,4');
});

test('weak detections count only when they make the image a tight crop', () => {
  const weak = (TIGHT_MIN_CONFIDENCE + MIN_CONFIDENCE) / 2;
  const weakTight = planCrops([{ x: 10, y: 5, width: 180, height: 200, score: weak }], 224, 224);
  assert.equal(weakTight.mode, 'tight');
  const weakSmall = planCrops([{ x: 10, y: 5, width: 60, height: 60, score: weak }], 640, 480);
  assert.equal(weakSmall.mode, 'no-face');
  const tooWeak = planCrops([{ x: 10, y: 5, width: 180, height: 200, score: TIGHT_MIN_CONFIDENCE - 0.01 }], 224, 224);
  assert.equal(tooWeak.mode, 'no-face');
  const mixed = planCrops([
    { x: 10, y: 5, width: 60, height: 60, score: 0.9 },
    { x: 300, y: 5, width: 60, height: 60, score: weak },
  ], 640, 480);
  assert.equal(mixed.faces.length, 1);
});

test('a second box on part of the face in a face crop: still tight, one face', () => {
  const plan = planCrops([
    { x: 10, y: 10, width: 190, height: 190, score: 0.8 },
    { x: 0, y: 0, width: 150, height: 150, score: 0.6 },
  ], 224, 224);
  assert.equal(plan.mode, 'tight');
  assert.equal(plan.faces.length, 1);
  assert.equal(plan.faces[0].confidence, 0.8);
  // Two faces side by side in a square picture are two faces, even if the first is large.
  const two = planCrops([
    { x: 10, y: 60, width: 250, height: 250, score: 0.9 },
    { x: 330, y: 60, width: 120, height: 120, score: 0.8 },
  ], 480, 480);
  assert.equal(two.mode, 'faces');
  assert.equal(two.faces.length, 2);
});

test('one strong face and weak ones beside it in a face crop: the crop is still tight', () => {
  // BlazeFace gives a second, weak box on part of a face that fills the picture.
  const plan = planCrops([
    { x: 35, y: 5, width: 215, height: 215, score: 0.96 },
    { x: 1, y: 43, width: 141, height: 141, score: 0.35 },
  ], 256, 256);
  assert.equal(plan.mode, 'tight');
  assert.deepEqual(plan.faces[0].box, { x: 0, y: 0, w: 256, h: 256 });
});

test('only a nearly square image can be a face crop', () => {
  const face = { x: 40, y: 10, width: 200, height: 220, score: 0.9 };
  assert.equal(planCrops([face], 260, 260).mode, 'tight');
  const portrait = planCrops([face], 280, 420);
  assert.equal(portrait.mode, 'faces');
  assert.equal(portrait.faces[0].box.w, Math.min(280, Math.round(220 * CROP_MARGIN)));
  assert.equal(planCrops([{ ...face, score: (TIGHT_MIN_CONFIDENCE + MIN_CONFIDENCE) / 2 }], 320, 240).mode, 'no-face');
});

test('greedy matching: best overlap first, each side taken once, null never matches', () => {
  const overlap = (/** @type {number} */ a, /** @type {number} */ b) => (Math.abs(a - b) > 5 ? null : 10 - Math.abs(a - b));
  // pairs by overlap: 10-9 (9), 10-12 (8), 14-12 (8), 14-9 (5); 50 and 100 match nothing
  assert.deepEqual(greedyMatch([10, 14, 50], [12, 9, 100], overlap), [1, 0, -1]);
  assert.deepEqual(greedyMatch([14, 10], [12, 9], overlap), [0, 1], 'the order of the faces does not matter');
  assert.deepEqual(greedyMatch([10, 11], [10], overlap), [0, -1], 'an earlier face continues once');
  assert.deepEqual(greedyMatch([], [1], overlap), []);
  assert.deepEqual(greedyMatch([1, 2], [], overlap), [-1, -1]);
});

test('nearlySquare: the longer side at most 1.25 times the shorter, either way round, or as asked', () => {
  assert.ok(nearlySquare(256, 256) && nearlySquare(500, 400) && nearlySquare(400, 500));
  assert.ok(!nearlySquare(501, 400) && !nearlySquare(640, 480) && !nearlySquare(480, 640));
  assert.ok(nearlySquare(640, 480, 4 / 3) && !nearlySquare(641, 480, 4 / 3));
});
