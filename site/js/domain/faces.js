// @ts-check
/**
 * Choosing what to crop from the face detector's boxes: pure (no TF.js, no
 * DOM), unit-tested in tests/js/faces.test.js. The detector itself is
 * face-detector.js (BlazeFace; boxes decoded by blazeface.js).
 *
 * Crop rule (so that MesoNet sees what it was trained on: face crops with
 * some margin, like ../shared/datasets/mesonet_df_validation): a square of
 * CROP_MARGIN times the longer side of the detected face box, centred on the
 * box's centre moved by CROP_SHIFT (shares of the box's width and height).
 * The square is clamped into the image: if it is larger than the image's
 * shorter side it shrinks to that side, then it is shifted (not cut) so it
 * lies inside. All numbers are integers, as
 * convert/preprocess.to_input(rgb, (x, y, w, h)) expects. When the image is
 * nearly square and that square covers at least TIGHT_COVERAGE of it, the
 * image already is a face crop, and the whole image is scored instead, so a
 * crop's score equals scoring the whole crop.
 */

/**
 * Side of the square crop over the longer side of the detector's face box,
 * and where its centre is, from the box's centre in shares of the box
 * (positive: right, down). BlazeFace's boxes are square and tight (brows to
 * chin), so the crop is larger than the box and a little higher.
 *
 * Measured by bench/crop_calibration.py (2026-11-29): MesoNet validation and
 * DFDC crops pasted into pictures three times their side (grey, or their own
 * blurred enlargement), boxed by the page's detector, cropped by this rule
 * and scored with Keras Meso4_DF; chosen on a dev half (split by video) as
 * the candidate whose ROC AUC is closest to the AUC of the same crops scored
 * whole, mean |difference| over both sets and both backgrounds: 1.3 / -0.05
 * gave 0.020 (1.4 / 0: 0.025; 1.5 / 0: 0.029; 1.6 / -0.05: 0.039). On the
 * held-out half: DFDC 0.603 / 0.593 against 0.606 whole; MesoNet 0.927 /
 * 0.901 against 0.978, the gap no candidate closed (see docs/performance.md).
 * The training crops' own geometry: side 1.37 (MesoNet; DFDC's tighter crops
 * 1.03-1.08) times the box, centre 0.08 (0.05) box heights above the box's.
 */
export const CROP_MARGIN = 1.3;
export const CROP_SHIFT = Object.freeze({ x: 0, y: -0.05 });
/** A crop covering this share of the image's area means "the image is a face crop"... */
export const TIGHT_COVERAGE = 0.4;
/**
 * ... if the image is also nearly square, as face crops are (longer side over
 * shorter side at most this). A larger face in a portrait or landscape
 * picture is cropped square instead of squashing the whole picture.
 */
export const TIGHT_MAX_ASPECT = 1.25;
/**
 * Detector score needed to call something a face (MediaPipe's default for
 * BlazeFace).
 */
export const MIN_CONFIDENCE = 0.5;
/**
 * A weaker detection is accepted only as evidence that the image is itself a
 * face crop (one box covering most of it): the detector is least sure there,
 * when a face fills the picture and its edges are cut off.
 */
export const TIGHT_MIN_CONFIDENCE = 0.3;
/** At most this many faces per image are scored. */
export const MAX_FACES = 20;

/**
 * @typedef {{ x: number, y: number, w: number, h: number }} Box integer source pixels
 */

/**
 * The square crop around a detected face, clamped and shifted into the image.
 * @param {{ x: number, y: number, width: number, height: number }} face detector box, source pixels (fractional)
 * @param {number} imageWidth
 * @param {number} imageHeight
 * @param {number} [margin]
 * @param {{ x: number, y: number }} [shift]
 * @returns {Box}
 */
export function squareCrop(face, imageWidth, imageHeight, margin = CROP_MARGIN, shift = CROP_SHIFT) {
  const limit = Math.min(imageWidth, imageHeight);
  const side = Math.max(1, Math.min(limit, Math.round(Math.max(face.width, face.height) * margin)));
  const cx = face.x + face.width * (0.5 + shift.x);
  const cy = face.y + face.height * (0.5 + shift.y);
  const x = clamp(Math.round(cx - side / 2), 0, imageWidth - side);
  const y = clamp(Math.round(cy - side / 2), 0, imageHeight - side);
  return { x, y, w: side, h: side };
}

/**
 * Whether a picture is nearly square, as face crops are: its longer side at
 * most `maxAspect` times its shorter.
 * @param {number} width
 * @param {number} height
 * @param {number} [maxAspect]
 */
export function nearlySquare(width, height, maxAspect = TIGHT_MAX_ASPECT) {
  return Math.max(width, height) <= maxAspect * Math.min(width, height);
}

/**
 * Whether a crop covers so much of the image that the image is itself a face crop.
 * @param {Box} crop
 * @param {number} imageWidth
 * @param {number} imageHeight
 * @param {number} [coverage]
 */
export function isTightCrop(crop, imageWidth, imageHeight, coverage = TIGHT_COVERAGE) {
  return nearlySquare(imageWidth, imageHeight) && crop.w * crop.h >= coverage * imageWidth * imageHeight;
}

/**
 * What to score for one image, from the detector's boxes (source pixels).
 * @param {{ x: number, y: number, width: number, height: number, score: number }[]} detections
 * @param {number} imageWidth
 * @param {number} imageHeight
 * @returns {{ mode: 'faces'|'tight'|'no-face',
 *   faces: { box: Box, face: Box, confidence: number }[] }}
 *   box: what is scored; face: the detector's box, rounded
 */
export function planCrops(detections, imageWidth, imageHeight) {
  const sure = detections.filter((d) => d.score >= MIN_CONFIDENCE);
  if (sure.length === 0) {
    // Only weak detections: a face crop if the best one makes it tight, else no face.
    const best = [...detections].sort((a, b) => b.score - a.score)[0];
    if (best && best.score >= TIGHT_MIN_CONFIDENCE
      && isTightCrop(squareCrop(best, imageWidth, imageHeight), imageWidth, imageHeight)) {
      return { mode: 'tight', faces: [{ box: { x: 0, y: 0, w: imageWidth, h: imageHeight },
        face: roundBox(best, imageWidth, imageHeight), confidence: best.score }] };
    }
    return { mode: 'no-face', faces: [] };
  }
  const faces = sure
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_FACES)
    .map((d) => ({
      box: squareCrop(d, imageWidth, imageHeight),
      face: roundBox(d, imageWidth, imageHeight),
      confidence: d.score,
    }));
  if (faces.length === 0) return { mode: 'no-face', faces };
  // A face crop holds one face: when the strongest face makes the image tight,
  // other boxes centred inside its crop are parts of that face (BlazeFace
  // sometimes boxes the upper or one side of a face that fills the picture).
  const [first] = faces;
  const within = (/** @type {Box} */ f) => {
    const cx = f.x + f.w / 2;
    const cy = f.y + f.h / 2;
    return cx >= first.box.x && cx <= first.box.x + first.box.w && cy >= first.box.y && cy <= first.box.y + first.box.h;
  };
  if (isTightCrop(first.box, imageWidth, imageHeight) && faces.every((f) => within(f.face))) {
    return { mode: 'tight', faces: [{ ...first, box: { x: 0, y: 0, w: imageWidth, h: imageHeight } }] };
  }
  // Left to right, top to bottom: the order a reader expects.
  faces.sort((a, b) => a.face.x - b.face.x || a.face.y - b.face.y);
  return { mode: 'faces', faces };
}

/**
 * @param {{ x: number, y: number, width: number, height: number }} d
 * @param {number} imageWidth
 * @param {number} imageHeight
 * @returns {Box}
 */
export function roundBox(d, imageWidth, imageHeight) {
  const x = clamp(Math.round(d.x), 0, imageWidth - 1);
  const y = clamp(Math.round(d.y), 0, imageHeight - 1);
  return {
    x, y,
    w: clamp(Math.round(d.x + d.width) - x, 1, imageWidth - x),
    h: clamp(Math.round(d.y + d.height) - y, 1, imageHeight - y),
  };
}

/**
 * Intersection over union of two boxes.
 * @param {Box} a
 * @param {Box} b
 */
export function iou(a, b) {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/** @param {Box} box */
export function boxText(box) {
  return `${box.x},${box.y},${box.w},${box.h}`;
}

/** @param {number} v @param {number} lo @param {number} hi */
function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}

/**
 * Which earlier face (a track, a person) each face of a new frame continues:
 * every pair that may match, best overlap first, each side taken once
 * (greedy). The one matching rule of the webcam and of videos.
 * @template A, B
 * @param {A[]} now this frame's faces
 * @param {B[]} before the faces they may continue
 * @param {(a: A, b: B) => number|null} overlap how well a pair matches (higher is better);
 *   null: never the same face
 * @returns {number[]} for each of `now`, the index in `before` it continues, or -1
 */
export function greedyMatch(now, before, overlap) {
  const pairs = [];
  now.forEach((a, i) => before.forEach((b, j) => {
    const score = overlap(a, b);
    if (score !== null) pairs.push({ i, j, score });
  }));
  pairs.sort((p, q) => q.score - p.score);
  const match = now.map(() => -1);
  const taken = new Set();
  for (const { i, j } of pairs) {
    if (match[i] !== -1 || taken.has(j)) continue;
    match[i] = j;
    taken.add(j);
  }
  return match;
}
