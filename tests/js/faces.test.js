import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CROP_MARGIN, DETECTION_MAX_SIDE, boxText, detectionLayout, detectionSize, isTightCrop,
  planCrops, roundBox, squareCrop, toSourceBox, TINY_TO_SSD, tinyToSsdBox, tinyToSsdCalibration,
} from '../../site/js/faces.js';

test('detection size: long side capped, aspect kept, never upscaled', () => {
  assert.deepEqual(detectionSize(1920, 1080, 640), { width: 640, height: 360, scale: 1 / 3 });
  assert.deepEqual(detectionSize(300, 200, 640), { width: 300, height: 200, scale: 1 });
  const huge = detectionSize(10000, 10000);
  assert.equal(huge.width, DETECTION_MAX_SIDE);
});

test('square crop: centred on the face, margin times its longer side, integers', () => {
  const crop = squareCrop({ x: 400, y: 300, width: 100, height: 120 }, 1920, 1080);
  const side = Math.round(120 * CROP_MARGIN);
  assert.deepEqual(crop, { x: 450 - side / 2, y: 360 - side / 2, w: side, h: side });
  for (const v of Object.values(crop)) assert.ok(Number.isInteger(v));
});

test('square crop near an edge is shifted inside, not cut', () => {
  const crop = squareCrop({ x: 0, y: 0, width: 100, height: 100 }, 640, 480, 2);
  assert.deepEqual(crop, { x: 0, y: 0, w: 200, h: 200 });
  const right = squareCrop({ x: 600, y: 440, width: 40, height: 40 }, 640, 480, 2);
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

test('detection layout: padding is added on every edge before downscaling', () => {
  const layout = detectionLayout(200, 100, 0.5, 640);
  assert.equal(layout.pad, 100);
  assert.deepEqual([layout.width, layout.height, layout.scale], [400, 300, 1]);
  const big = detectionLayout(6400, 4800, 0, 640);
  assert.deepEqual([big.width, big.height, big.scale], [640, 480, 0.1]);
});

test('boxes map back from the padded, scaled picture and are clipped to the image', () => {
  const layout = { pad: 100, scale: 0.5 };
  assert.deepEqual(toSourceBox({ x: 60, y: 60, width: 20, height: 40 }, layout, 1000, 1000),
    { x: 20, y: 20, width: 40, height: 80 });
  assert.deepEqual(toSourceBox({ x: 40, y: 40, width: 20, height: 20 }, layout, 1000, 1000),
    { x: 0, y: 0, width: 20, height: 20 });
  assert.equal(toSourceBox({ x: 0, y: 0, width: 10, height: 10 }, layout, 1000, 1000), null);
});

test('round box stays inside the image and has at least one pixel', () => {
  assert.deepEqual(roundBox({ x: -3.2, y: 4.6, width: 10.4, height: 500 }, 100, 100),
    { x: 0, y: 5, w: 7, h: 95 });
  assert.equal(boxText({ x: 1, y: 2, w: 3, h: 4 }), '1,2,3,4');
});

test('weak detections count only when they make the image a tight crop', () => {
  const weakTight = planCrops([{ x: 10, y: 5, width: 180, height: 200, score: 0.25 }], 224, 224);
  assert.equal(weakTight.mode, 'tight');
  const weakSmall = planCrops([{ x: 10, y: 5, width: 60, height: 60, score: 0.25 }], 640, 480);
  assert.equal(weakSmall.mode, 'no-face');
  const tooWeak = planCrops([{ x: 10, y: 5, width: 180, height: 200, score: 0.1 }], 224, 224);
  assert.equal(tooWeak.mode, 'no-face');
  const mixed = planCrops([
    { x: 10, y: 5, width: 60, height: 60, score: 0.9 },
    { x: 300, y: 5, width: 60, height: 60, score: 0.25 },
  ], 640, 480);
  assert.equal(mixed.faces.length, 1);
});

test('only a nearly square image can be a face crop', () => {
  const face = { x: 40, y: 10, width: 200, height: 220, score: 0.9 };
  assert.equal(planCrops([face], 260, 260).mode, 'tight');
  const portrait = planCrops([face], 280, 420);
  assert.equal(portrait.mode, 'faces');
  assert.equal(portrait.faces[0].box.w, 264);
  assert.equal(planCrops([{ ...face, score: 0.25 }], 320, 240).mode, 'no-face');
});

test('tiny detector boxes map to SSD convention: smaller, centre raised', () => {
  const mapped = tinyToSsdBox({ x: 100, y: 100, width: 200, height: 200, score: 0.9 });
  assert.equal(mapped.score, 0.9);
  assert.equal(mapped.width, 200 * TINY_TO_SSD.scale);
  assert.equal(mapped.x + mapped.width / 2, 200, 'horizontal centre kept');
  assert.equal(mapped.y + mapped.height / 2, 200 + TINY_TO_SSD.shiftY * 200);
  assert.ok(mapped.y + mapped.height / 2 < 200, 'centre moves up, away from the neck');
});

test('calibration measured on box pairs maps each tiny box onto its SSD box', () => {
  const tiny = { x: 100, y: 100, width: 200, height: 200 };
  const ssd = { x: 130, y: 90, width: 150, height: 160 };
  const calibration = tinyToSsdCalibration([{ tiny, ssd }, { tiny, ssd }, { tiny: { ...tiny, x: 0 }, ssd: { ...ssd, x: 30 } }]);
  assert.equal(calibration.scale, 160 / 200);
  const mapped = tinyToSsdBox(tiny, calibration);
  assert.ok(Math.abs(mapped.x + mapped.width / 2 - (ssd.x + ssd.width / 2)) < 1e-9);
  assert.ok(Math.abs(mapped.y + mapped.height / 2 - (ssd.y + ssd.height / 2)) < 1e-9);
  assert.equal(Math.max(mapped.width, mapped.height), 160);
});
