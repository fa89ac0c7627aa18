// @ts-check
/**
 * BlazeFace decoding, pure (no TF.js, no DOM), unit-tested in
 * tests/js/blazeface.test.js. The TF.js side (load the graph model, letterbox
 * a picture into its input, run it, read the rows back) is face-detector.js.
 *
 * The model is Google's MediaPipe BlazeFace detector (Apache-2.0) as
 * converted to a TF.js graph model in @vladmandic/human. A model sees a
 * square picture of `inputSize` pixels, colours scaled to [-1, 1], and gives
 * one row of 17 numbers per anchor:
 *   [logit, cx, cy, w, h, x0, y0, ..., x5, y5]
 * The box centre and the six keypoints (eyes, nose tip, mouth, ears: right
 * and left as the face sees them) are offsets in input pixels from the
 * anchor, the width and height are in input pixels. Anchors sit at the centres
 * of the cells of two grids, several per cell (MediaPipe's fixed-size SSD
 * anchors): for the 256 model 16x16 cells of stride 16 with 2 anchors each,
 * then 8x8 of stride 32 with 6; the rows come in that order (y, then x, then
 * the anchors of a cell).
 *
 * A picture of any size is fitted whole into the square (letterbox: scaled
 * with its aspect kept, centred, the rest black); regions of it (tiles) can
 * be fitted the same way, and every box is mapped back to source pixels.
 */
import { iou } from '../domain/faces.js';

/** @typedef {{ inputSize: number, strides: number[], anchorsPerCell: number[] }} AnchorSpec */
/** @typedef {[number, number]} Point */
/**
 * @typedef {{ x: number, y: number, width: number, height: number, score: number,
 *   keypoints: Point[] }} Candidate a face box (top-left corner, size) and its score
 */

/** Numbers per anchor in the model's output. */
export const ROW_LENGTH = 17;
/** Keypoints per face. */
export const KEYPOINTS = 6;

/**
 * The models the site can use, from @vladmandic/human (see build/vendor.mjs).
 * `back` is MediaPipe's full-range ("back camera") model: 256 px input, faces
 * from about 8 input pixels up.
 */
export const MODELS = Object.freeze({
  back: Object.freeze({
    file: 'blazeface.json', inputSize: 256, strides: [16, 32], anchorsPerCell: [2, 6],
  }),
});

/**
 * The anchors of a model run at another input size (see anyInputSize): the
 * same strides and anchors a cell, fewer cells.
 * @param {AnchorSpec} spec
 * @param {number} inputSize
 * @returns {AnchorSpec}
 */
export function atSize(spec, inputSize) {
  return { inputSize, strides: spec.strides, anchorsPerCell: spec.anchorsPerCell };
}

/**
 * The model's input from its square of RGBA pixels: R, G, B of each pixel
 * (alpha dropped) scaled to [-1, 1] as MediaPipe feeds BlazeFace (measured:
 * [0, 1] and [-0.5, 1.5] find fewer small faces and score a flower higher),
 * in float32 as TF.js computes x / 127.5 - 1.
 * @param {ArrayLike<number>} rgba
 * @returns {Float32Array} [size * size * 3]
 */
export function inputValues(rgba) {
  const out = new Float32Array((rgba.length / 4) * 3);
  for (let i = 0, k = 0; i < rgba.length; i += 4, k += 3) {
    out[k] = BY_VALUE[rgba[i]];
    out[k + 1] = BY_VALUE[rgba[i + 1]];
    out[k + 2] = BY_VALUE[rgba[i + 2]];
  }
  return out;
}
const BY_VALUE = Float32Array.from({ length: 256 }, (_, v) => Math.fround(v / 127.5) - 1);

/**
 * The graph model's artifacts changed to take a square input of any size.
 * BlazeFace is convolutional: only its declared input ([1, 256, 256, 3]) and
 * the four reshapes of its outputs into rows ([1, 512, k] and [1, 384, k])
 * name the size. Those become -1 (the reshapes' row count, the input's height
 * and width), the weights stay as they are. At 128 px the same model sees
 * half as many cells (8x8 and 4x4: 224 anchors) in a quarter of the time.
 * Pure: the given artifacts are not changed.
 * @template {{ modelTopology?: any, weightSpecs?: { name: string, shape: number[], dtype: string,
 *   quantization?: { dtype: string } }[], weightData?: ArrayBuffer|ArrayBuffer[] }} A
 * @param {A} artifacts what tf.io's load() gives for the model
 * @returns {A & { weightData: ArrayBuffer }}
 */
export function anyInputSize(artifacts) {
  const { modelTopology, weightSpecs, weightData } = artifacts;
  if (!modelTopology || !weightSpecs || !weightData) throw new Error('BlazeFace: the model has no graph or no weights');
  const topology = structuredClone(modelTopology);
  const data = joined(weightData);
  const nodes = /** @type {{ name: string, op: string, input?: string[], attr?: any }[]} */ (topology.node);
  const shapes = new Set(nodes.filter((n) => n.op === 'Reshape').map((n) => n.input?.[1]));
  const count = (/** @type {{ shape: number[] }} */ w) => w.shape.reduce((a, b) => a * b, 1);
  const sizes = weightSpecs.map((w) => count(w) * BYTES[w.quantization?.dtype ?? w.dtype]);
  if (sizes.reduce((a, b) => a + b, 0) !== data.byteLength) {
    throw new Error('BlazeFace: the weights do not match their manifest');
  }
  const view = new DataView(data);
  let offset = 0;
  let changed = 0;
  weightSpecs.forEach((spec, i) => {
    if (shapes.has(spec.name)) {
      if (spec.dtype !== 'int32' || spec.quantization || count(spec) !== 3) {
        throw new Error(`BlazeFace: reshape ${spec.name} is not a 3-number shape`);
      }
      view.setInt32(offset + 4, -1, true);
      changed += 1;
    }
    offset += sizes[i];
  });
  const inputs = nodes.filter((n) => n.op === 'Placeholder');
  if (changed !== 4 || shapes.size !== 4 || inputs.length !== 1) {
    throw new Error('BlazeFace: not the graph expected (one input, four output reshapes)');
  }
  inputs[0].attr.shape.shape.dim = [{ size: '1' }, { size: '-1' }, { size: '-1' }, { size: '3' }];
  return { ...artifacts, modelTopology: topology, weightData: data };
}
/** @type {Record<string, number>} bytes a number, by stored type */
const BYTES = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** @param {ArrayBuffer|ArrayBuffer[]} data @returns {ArrayBuffer} a copy, in one buffer */
function joined(data) {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out.buffer;
}

/**
 * Anchor centres, in input pixels, in the model's row order.
 * @param {AnchorSpec} spec
 * @returns {Float32Array} [x0, y0, x1, y1, ...]
 */
export function anchors({ inputSize, strides, anchorsPerCell }) {
  /** @type {number[]} */
  const out = [];
  strides.forEach((stride, layer) => {
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y += 1) {
      for (let x = 0; x < cells; x += 1) {
        for (let n = 0; n < anchorsPerCell[layer]; n += 1) out.push((x + 0.5) * stride, (y + 0.5) * stride);
      }
    }
  });
  return Float32Array.from(out);
}

/** @param {number} x */
export function sigmoid(x) {
  return 1 / (1 + Math.exp(-x));
}

/** The logit a score threshold corresponds to: rows below it are skipped without a sigmoid. */
export function logit(/** @type {number} */ p) {
  return Math.log(p / (1 - p));
}

/**
 * The rows scoring at least minScore, as boxes and keypoints in input pixels.
 * @param {ArrayLike<number>} rows the model's output, ROW_LENGTH numbers per anchor
 * @param {Float32Array} anchorCentres from anchors()
 * @param {number} minScore
 * @returns {Candidate[]}
 */
export function decode(rows, anchorCentres, minScore) {
  const count = anchorCentres.length / 2;
  if (rows.length !== count * ROW_LENGTH) {
    throw new Error(`BlazeFace: ${rows.length} numbers for ${count} anchors of ${ROW_LENGTH}`);
  }
  const least = logit(minScore);
  /** @type {Candidate[]} */
  const found = [];
  for (let i = 0; i < count; i += 1) {
    const r = i * ROW_LENGTH;
    if (!(rows[r] >= least)) continue; // also skips NaN
    const ax = anchorCentres[2 * i];
    const ay = anchorCentres[2 * i + 1];
    const width = rows[r + 3];
    const height = rows[r + 4];
    if (!(width > 0 && height > 0)) continue;
    /** @type {Point[]} */
    const keypoints = [];
    for (let k = 0; k < KEYPOINTS; k += 1) keypoints.push([ax + rows[r + 5 + 2 * k], ay + rows[r + 6 + 2 * k]]);
    found.push({
      x: ax + rows[r + 1] - width / 2, y: ay + rows[r + 2] - height / 2, width, height,
      score: sigmoid(rows[r]), keypoints,
    });
  }
  return found;
}

/**
 * Intersection over union of two detections (faces.js iou, on their boxes).
 * @param {{ x: number, y: number, width: number, height: number }} a
 * @param {{ x: number, y: number, width: number, height: number }} b
 */
export function overlap(a, b) {
  return iou({ x: a.x, y: a.y, w: a.width, h: a.height }, { x: b.x, y: b.y, w: b.width, h: b.height });
}

/**
 * Non-maximum suppression. The strongest box takes every other box that
 * overlaps it by more than `threshold`. Weighted (MediaPipe's choice for
 * BlazeFace): the box and keypoints kept are the score-weighted mean of the
 * group, which steadies them from frame to frame; plain: the strongest as is.
 * The score kept is the strongest's. Strongest first.
 * @param {Candidate[]} candidates
 * @param {{ threshold?: number, weighted?: boolean }} [options]
 * @returns {Candidate[]}
 */
export function suppress(candidates, { threshold = 0.3, weighted = true } = {}) {
  const left = [...candidates].sort((a, b) => b.score - a.score);
  /** @type {Candidate[]} */
  const kept = [];
  while (left.length) {
    const best = left[0];
    const group = left.filter((c) => c === best || overlap(best, c) > threshold);
    for (const c of group) left.splice(left.indexOf(c), 1);
    if (!weighted || group.length === 1) {
      kept.push(best);
      continue;
    }
    const total = group.reduce((sum, c) => sum + c.score, 0);
    const mean = (/** @type {(c: Candidate) => number} */ f) => group.reduce((sum, c) => sum + f(c) * c.score, 0) / total;
    kept.push({
      x: mean((c) => c.x), y: mean((c) => c.y), width: mean((c) => c.width), height: mean((c) => c.height),
      score: best.score,
      keypoints: best.keypoints.map((_, k) => /** @type {Point} */ ([mean((c) => c.keypoints[k][0]), mean((c) => c.keypoints[k][1])])),
    });
  }
  return kept;
}

/**
 * @typedef {{ x: number, y: number, width: number, height: number }} Region a rectangle of the source, pixels
 * @typedef {{ region: Region, inputSize: number, scale: number, offsetX: number, offsetY: number,
 *   drawWidth: number, drawHeight: number }} View
 *   how a region is drawn into the model's square input: scaled by `scale`
 *   (input px per source px) to drawWidth x drawHeight, at (offsetX, offsetY)
 */

/**
 * Letterbox a region of the source into the square input: the longer side
 * fills it, the picture is centred, the rest is padding.
 * @param {Region} region
 * @param {number} inputSize
 * @returns {View}
 */
export function letterbox(region, inputSize) {
  const scale = inputSize / Math.max(region.width, region.height);
  const drawWidth = region.width * scale;
  const drawHeight = region.height * scale;
  return {
    region, inputSize, scale, drawWidth, drawHeight,
    offsetX: (inputSize - drawWidth) / 2, offsetY: (inputSize - drawHeight) / 2,
  };
}

/**
 * A candidate from a view's input back to source pixels.
 * @param {Candidate} c
 * @param {View} view
 * @returns {Candidate}
 */
export function toSource(c, view) {
  const px = (/** @type {number} */ x) => (x - view.offsetX) / view.scale + view.region.x;
  const py = (/** @type {number} */ y) => (y - view.offsetY) / view.scale + view.region.y;
  return {
    x: px(c.x), y: py(c.y), width: c.width / view.scale, height: c.height / view.scale, score: c.score,
    keypoints: c.keypoints.map(([x, y]) => /** @type {Point} */ ([px(x), py(y)])),
  };
}

/**
 * Square tiles of side `side` covering a width x height picture, overlapping
 * by at least `minOverlap` where they meet, spread evenly (the first touches
 * the left/top edge, the last the right/bottom). A picture no larger than a
 * tile in a direction gets one tile there, as long as the picture.
 * @param {number} width
 * @param {number} height
 * @param {number} side
 * @param {number} minOverlap
 * @returns {Region[]}
 */
export function tiles(width, height, side, minOverlap) {
  const starts = (/** @type {number} */ length) => {
    if (length <= side) return [0];
    const count = Math.ceil((length - minOverlap) / (side - minOverlap));
    const step = (length - side) / (count - 1);
    return Array.from({ length: count }, (_, i) => Math.round(i * step));
  };
  const w = Math.min(side, width);
  const h = Math.min(side, height);
  /** @type {Region[]} */
  const out = [];
  for (const y of starts(height)) for (const x of starts(width)) out.push({ x, y, width: w, height: h });
  return out;
}

/**
 * @typedef {{ above: number, side: number, overlap: number }} Tiling when and how a picture is
 *   also looked at in tiles: pictures whose longer side is above `above` pixels, in square
 *   tiles of `side` times the longer side (at most the shorter side), overlapping by at least
 *   `overlap` times the longer side
 */

/**
 * The tiles of a picture under a tiling; none for a picture small enough.
 * E.g. 1920x1080 with { above: 1280, side: 0.5625, overlap: 0.125 }: two
 * 1080x1080 tiles overlapping by 240 px; 4000x3000: 2x2 tiles of 2250.
 * @param {number} width
 * @param {number} height
 * @param {Tiling} tiling
 * @returns {Region[]}
 */
export function tilesFor(width, height, tiling) {
  const long = Math.max(width, height);
  if (long <= tiling.above) return [];
  const side = Math.min(Math.min(width, height), Math.round(long * tiling.side));
  return tiles(width, height, side, Math.round(long * tiling.overlap));
}

/**
 * Whether a box found in a tile touches one of the tile's edges that lie
 * inside the picture: such a face may be cut, and the neighbouring tile (or
 * the whole-picture pass) sees it whole.
 * @param {{ x: number, y: number, width: number, height: number }} box source pixels
 * @param {Region} tile
 * @param {number} width picture width
 * @param {number} height picture height
 * @param {number} [slack] pixels
 */
export function cutByTile(box, tile, width, height, slack = 2) {
  return (tile.x > 0 && box.x <= tile.x + slack)
    || (tile.y > 0 && box.y <= tile.y + slack)
    || (tile.x + tile.width < width && box.x + box.width >= tile.x + tile.width - slack)
    || (tile.y + tile.height < height && box.y + box.height >= tile.y + tile.height - slack);
}
