import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  KEYPOINTS, MODELS, ROW_LENGTH, anchors, anyInputSize, atSize, cutByTile, decode, inputValues, letterbox, logit,
  overlap, sigmoid, suppress, tiles, tilesFor, toSource,
} from '../../site/js/engine/blazeface.js';

const close = (a, b, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);
const at = (centres, i) => [centres[2 * i], centres[2 * i + 1]];

test('anchors of the 256 model: 16x16 cells x 2 at stride 16, then 8x8 x 6 at stride 32', () => {
  const centres = anchors(MODELS.back);
  assert.equal(centres.length, 2 * 896);
  assert.deepEqual(at(centres, 0), [8, 8]);
  assert.deepEqual(at(centres, 1), [8, 8], 'two anchors share a cell');
  assert.deepEqual(at(centres, 2), [24, 8], 'then the next cell along the row');
  assert.deepEqual(at(centres, 32), [8, 24], 'a row is 16 cells of 2');
  assert.deepEqual(at(centres, 511), [248, 248]);
  assert.deepEqual(at(centres, 512), [16, 16], 'the stride-32 grid starts at its first cell centre');
  assert.deepEqual(at(centres, 517), [16, 16], 'six anchors a cell');
  assert.deepEqual(at(centres, 518), [48, 16]);
  assert.deepEqual(at(centres, 895), [240, 240]);
});

test('anchors of a 128 model with strides 8 and 16: also 896', () => {
  const centres = anchors({ inputSize: 128, strides: [8, 16], anchorsPerCell: [2, 6] });
  assert.equal(centres.length, 2 * 896);
  assert.deepEqual(at(centres, 0), [4, 4]);
  assert.deepEqual(at(centres, 512), [8, 8]);
});

test('the 256 model at 128 px: the same strides and anchors a cell on 8x8 and 4x4 cells, 224 anchors', () => {
  const spec = atSize(MODELS.back, 128);
  assert.deepEqual(spec, { inputSize: 128, strides: [16, 32], anchorsPerCell: [2, 6] });
  const centres = anchors(spec);
  assert.equal(centres.length, 2 * (8 * 8 * 2 + 4 * 4 * 6));
  assert.deepEqual(at(centres, 127), [120, 120], 'the last anchor of the stride-16 grid');
  assert.deepEqual(at(centres, 128), [16, 16], 'the first of the stride-32 grid');
});

/** A graph shaped like BlazeFace's: one input, four output reshapes, weights of several types. */
function graph() {
  const reshape = (name) => ({ name, op: 'Reshape', input: [`${name}/x`, `${name}/shape`] });
  const names = ['c1', 'r1', 'c2', 'r2'];
  const weightSpecs = [
    { name: 'w8', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } },
    ...names.map((n) => ({ name: `${n}/shape`, shape: [3], dtype: 'int32' })),
    { name: 'pad', shape: [4, 2], dtype: 'int32' },
    { name: 'f16', shape: [1], dtype: 'float32', quantization: { dtype: 'float16' } },
  ];
  const bytes = new Uint8Array(3 + 4 * 12 + 32 + 2);
  const view = new DataView(bytes.buffer);
  names.forEach((_, i) => [1, i < 2 ? 512 : 384, i % 2 ? 16 : 1].forEach((v, k) => view.setInt32(3 + 12 * i + 4 * k, v, true)));
  for (let k = 0; k < 8; k += 1) view.setInt32(51 + 4 * k, 7, true);
  return {
    modelTopology: { node: [
      { name: 'input', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '1' }, { size: '256' }, { size: '256' }, { size: '3' }] } } } },
      ...names.map(reshape),
    ] },
    weightSpecs,
    weightData: [bytes.buffer.slice(0, 20), bytes.buffer.slice(20)],
  };
}

test('anyInputSize: the reshapes count rows with -1, the input takes any height and width; nothing else changes', () => {
  const before = graph();
  const original = before.weightData.map((b) => new Uint8Array(b).slice());
  const after = anyInputSize(before);
  const view = new DataView(after.weightData);
  const shapes = [0, 1, 2, 3].map((i) => [0, 1, 2].map((k) => view.getInt32(3 + 12 * i + 4 * k, true)));
  assert.deepEqual(shapes, [[1, -1, 1], [1, -1, 16], [1, -1, 1], [1, -1, 16]]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => view.getInt32(51 + 4 * k, true)), Array(8).fill(7), 'other int32 weights');
  assert.deepEqual(after.modelTopology.node[0].attr.shape.shape.dim.map((d) => d.size), ['1', '-1', '-1', '3']);
  assert.deepEqual(before.modelTopology.node[0].attr.shape.shape.dim[1], { size: '256' }, 'the given topology untouched');
  assert.deepEqual(before.weightData.map((b) => new Uint8Array(b)), original, 'the given weights untouched');
});

test('anyInputSize refuses a graph it does not know', () => {
  const wrongCount = graph();
  wrongCount.modelTopology.node.pop();
  assert.throws(() => anyInputSize(wrongCount), /not the graph expected/);
  const floatShape = graph();
  floatShape.weightSpecs[1].dtype = 'float32';
  assert.throws(() => anyInputSize(floatShape), /not a 3-number shape/);
  const short = graph();
  short.weightData = [short.weightData[0]];
  assert.throws(() => anyInputSize(short), /do not match their manifest/);
  assert.throws(() => anyInputSize({ modelTopology: {}, weightSpecs: [] }), /no graph or no weights/);
});

test('sigmoid and logit are inverse; sigmoid(0) = 0.5', () => {
  assert.equal(sigmoid(0), 0.5);
  close(sigmoid(logit(0.3)), 0.3);
  close(logit(0.5), 0);
});

// A small grid to work cases by hand: 32 px input, 2x2 cells of 16, one anchor each,
// centres (8, 8), (24, 8), (8, 24), (24, 24).
const SMALL = { inputSize: 32, strides: [16], anchorsPerCell: [1] };
function row(logitValue, [dx, dy, w, h], keypoints = Array(KEYPOINTS).fill([0, 0])) {
  return [logitValue, dx, dy, w, h, ...keypoints.flat()];
}

test('decode: box and keypoints are offsets from the anchor centre, in input pixels', () => {
  const kps = [[-3, -2], [3, -2], [0, 0], [0, 3], [-5, -1], [5, -1]];
  const rows = [
    ...row(-5, [0, 0, 10, 10]),
    ...row(-5, [0, 0, 10, 10]),
    ...row(-5, [0, 0, 10, 10]),
    ...row(0, [2, -4, 10, 12], kps), // anchor (24, 24): centre (26, 20)
  ];
  assert.equal(rows.length, 4 * ROW_LENGTH);
  const [found, ...rest] = decode(rows, anchors(SMALL), 0.5);
  assert.equal(rest.length, 0, 'scores below 0.5 are dropped');
  assert.deepEqual({ x: found.x, y: found.y, width: found.width, height: found.height, score: found.score },
    { x: 21, y: 14, width: 10, height: 12, score: 0.5 });
  assert.deepEqual(found.keypoints, kps.map(([x, y]) => [24 + x, 24 + y]));
});

test('decode: a threshold keeps what reaches it, skips NaN and empty boxes, checks the length', () => {
  const rows = [
    ...row(logit(0.7), [0, 0, 10, 10]),
    ...row(logit(0.69), [0, 0, 10, 10]),
    ...row(NaN, [0, 0, 10, 10]),
    ...row(5, [0, 0, 0, 10]),
  ];
  const found = decode(rows, anchors(SMALL), 0.7 - 1e-9);
  assert.equal(found.length, 1);
  close(found[0].score, 0.7);
  assert.deepEqual([found[0].x, found[0].y], [3, 3]);
  assert.throws(() => decode(rows.slice(1), anchors(SMALL), 0.5), /anchors/);
});

const cand = (x, y, side, score) => ({ x, y, width: side, height: side, score,
  keypoints: Array.from({ length: KEYPOINTS }, () => [x, y]) });

test('overlap: intersection over union', () => {
  assert.equal(overlap(cand(0, 0, 10, 1), cand(0, 0, 10, 1)), 1);
  assert.equal(overlap(cand(0, 0, 10, 1), cand(10, 0, 10, 1)), 0);
  close(overlap(cand(0, 0, 10, 1), cand(5, 0, 10, 1)), 50 / 150);
});

test('weighted suppression: a group becomes its score-weighted mean with the best score', () => {
  // (0,0,10) and (1,0,10) overlap by 90/110; (30,30) is apart.
  const kept = suppress([cand(1, 0, 10, 0.6), cand(30, 30, 10, 0.4), cand(0, 0, 10, 0.9)]);
  assert.equal(kept.length, 2);
  assert.equal(kept[0].score, 0.9);
  close(kept[0].x, (0 * 0.9 + 1 * 0.6) / 1.5);
  close(kept[0].keypoints[0][0], 0.4);
  assert.equal(kept[0].width, 10);
  assert.deepEqual(kept[1], cand(30, 30, 10, 0.4));
});

test('plain suppression keeps the strongest box as is; the threshold decides what is a group', () => {
  const boxes = [cand(1, 0, 10, 0.6), cand(0, 0, 10, 0.9), cand(5, 0, 10, 0.8)]; // last: 1/3 with the first
  assert.deepEqual(suppress(boxes, { weighted: false }), [cand(0, 0, 10, 0.9)]);
  assert.equal(suppress(boxes, { weighted: false, threshold: 0.5 }).length, 2);
  assert.deepEqual(suppress([]), []);
});

test('letterbox: the longer side fills the input, centred; boxes map back to source pixels', () => {
  const view = letterbox({ x: 0, y: 0, width: 200, height: 100 }, 256);
  assert.deepEqual(view, { region: { x: 0, y: 0, width: 200, height: 100 }, inputSize: 256, scale: 1.28,
    drawWidth: 256, drawHeight: 128, offsetX: 0, offsetY: 64 });
  const back = toSource({ ...cand(128, 64, 64, 0.9), keypoints: [[128, 128]] }, view);
  assert.deepEqual(back, { x: 100, y: 0, width: 50, height: 50, score: 0.9, keypoints: [[100, 50]] });
  // A region (tile) of the source: its corner is added back.
  const tile = letterbox({ x: 840, y: 0, width: 1080, height: 1080 }, 256);
  const face = toSource(cand(128, 128, 16, 0.8), tile);
  close(face.x, 840 + 540);
  close(face.width, 1080 / 16);
});

test('tiles: evenly spread, overlapping at least as asked, edge to edge', () => {
  assert.deepEqual(tiles(1920, 1080, 1080, 240), [
    { x: 0, y: 0, width: 1080, height: 1080 }, { x: 840, y: 0, width: 1080, height: 1080 }]);
  assert.deepEqual(tiles(500, 400, 1080, 240), [{ x: 0, y: 0, width: 500, height: 400 }]);
  const many = tiles(3000, 1000, 1000, 375);
  assert.equal(many.length, 5);
  assert.equal(many[4].x + many[4].width, 3000);
  for (let i = 1; i < many.length; i += 1) assert.ok(many[i - 1].x + 1000 - many[i].x >= 375);
});

test('tilesFor: none for small pictures, two for 1080p, 2x2 for a 4:3 photo', () => {
  const tiling = { above: 1280, side: 0.5625, overlap: 0.125 };
  assert.deepEqual(tilesFor(640, 480, tiling), []);
  assert.deepEqual(tilesFor(1920, 1080, tiling), tiles(1920, 1080, 1080, 240));
  assert.deepEqual(tilesFor(1080, 1920, tiling).map((t) => t.y), [0, 840]);
  const photo = tilesFor(4000, 3000, tiling);
  assert.deepEqual(photo.map((t) => [t.x, t.y, t.width]), [[0, 0, 2250], [1750, 0, 2250], [0, 750, 2250], [1750, 750, 2250]]);
});

test('cutByTile: boxes touching an inner edge of a tile, not the picture edge', () => {
  const left = { x: 0, y: 0, width: 1080, height: 1080 };
  assert.equal(cutByTile({ x: 1000, y: 500, width: 80, height: 80 }, left, 1920, 1080), true);
  assert.equal(cutByTile({ x: 900, y: 500, width: 80, height: 80 }, left, 1920, 1080), false);
  assert.equal(cutByTile({ x: 0, y: 0, width: 80, height: 80 }, left, 1920, 1080), false, 'picture edges do not cut');
  const right = { x: 840, y: 0, width: 1080, height: 1080 };
  assert.equal(cutByTile({ x: 841, y: 500, width: 80, height: 80 }, right, 1920, 1080), true);
  assert.equal(cutByTile({ x: 1840, y: 1000, width: 80, height: 80 }, right, 1920, 1080), false);
});

test('inputValues: RGB scaled to [-1, 1] in float32 steps, alpha dropped', () => {
  const rgba = Uint8ClampedArray.from([0, 255, 51, 9, 128, 1, 254, 200]);
  const f = Math.fround;
  const step = (v) => f(f(v / 127.5) - 1); // TF.js: div, then sub, each rounded to float32
  assert.deepEqual([...inputValues(rgba)], [0, 255, 51, 128, 1, 254].map(step));
  assert.deepEqual([...inputValues(rgba)].slice(0, 2), [-1, 1]);
});
