// @ts-check
/**
 * Finding faces and choosing what to crop.
 *
 * The geometry at the top is pure (no TF.js, no DOM) and unit-tested in
 * tests/js/faces.test.js. The detector below it is SSD MobileNet v1 from
 * @vladmandic/face-api, bundled into vendor/tf.js so it shares our TF.js
 * engine and backend; its weights are served from vendor/face-models/.
 *
 * Crop rule (mirrors how MesoNet's training crops look, see
 * ../shared/fixtures/mesonet-test-images): a square centred on the detected
 * face box, CROP_MARGIN times the longer side of that box. The square is
 * clamped into the image: if it is larger than the image's shorter side it
 * shrinks to that side, then it is shifted (not cut) so it lies inside. All
 * numbers are integers, as convert/preprocess.to_input(rgb, (x, y, w, h))
 * expects. When the image is nearly square and that square covers at least
 * TIGHT_COVERAGE of it, the image already is a face crop, and the whole image
 * is scored instead, so a crop's score equals scoring the whole crop.
 */

/**
 * Side of the square crop over the longer side of the detector's face box.
 * Measured on the MesoNet fixtures and validation crops: the image side is
 * 1.02 to 1.2 times the longer side of the SSD box found in it.
 */
export const CROP_MARGIN = 1.2;
/** A crop covering this share of the image's area means "the image is a face crop"... */
export const TIGHT_COVERAGE = 0.4;
/**
 * ... if the image is also nearly square, as face crops are (longer side over
 * shorter side at most this). A larger face in a portrait or landscape
 * picture is cropped square instead of squashing the whole picture.
 */
export const TIGHT_MAX_ASPECT = 1.25;
/** Longest side of the picture the detector sees; larger images are downscaled. */
export const DETECTION_MAX_SIDE = 1024;
/**
 * Detector confidence needed to call something a face. Lower than face-api's
 * default (0.5): on the DFDC and FF++ frames here the manipulated faces score
 * 0.36 to 0.44 while nothing else in those frames reaches 0.2.
 */
export const MIN_CONFIDENCE = 0.3;
/**
 * A weaker detection is accepted only as evidence that the image is itself a
 * face crop (one box covering most of it): SSD is least sure exactly there,
 * when a face fills the picture and its edges are cut off.
 */
export const TIGHT_MIN_CONFIDENCE = 0.2;
/** At most this many faces per image are scored. */
export const MAX_FACES = 20;

/**
 * The fast detector for video frames and the webcam: face-api's Tiny Face
 * Detector (35-65 ms a frame on WASM against SSD's 260-800 ms). Its input
 * size (a multiple of 32): 416 found the face in every sampled frame of the
 * 640x480 FF++ clips; smaller sizes miss faces in 1080p frames.
 */
export const FAST_INPUT_SIZE = 416;
/**
 * Frames no larger than SMALL_FRAME_SIDE on their longer side (640x480 video,
 * webcams) use the smaller input: 34 against 56 ms a frame, and it found the
 * face in all 20 sampled FF++ frames as 416 did.
 */
export const SMALL_FRAME_SIDE = 640;
export const SMALL_FRAME_INPUT_SIZE = 320;

/**
 * The tiny detector's input size for frames of this size.
 * @param {number} width
 * @param {number} height
 */
export function fastInputSize(width, height) {
  return Math.max(width, height) <= SMALL_FRAME_SIDE ? SMALL_FRAME_INPUT_SIZE : FAST_INPUT_SIZE;
}

/** Tiny detector score needed to call something a face (face-api's default). */
export const FAST_MIN_SCORE = 0.5;
/**
 * Tiny boxes are larger than SSD boxes and reach lower (chin and neck). Mapped
 * to SSD's convention so the crop rule above applies unchanged: side times
 * `scale`, centre moved by `shiftX`/`shiftY` of the box's width/height.
 * Medians over 40 frames of the four dataset clips where both found the face:
 * side ratio 0.81-0.90, vertical shift -0.12 to -0.16, horizontal under 0.05.
 * The relation varies with the face and the picture (0.7 to 1.1 on fixture
 * faces), and MesoNet's score depends on the crop, so videos measure it on
 * their own frames (tinyToSsdCalibration) and this is only the start.
 */
export const TINY_TO_SSD = Object.freeze({ scale: 0.85, shiftX: 0, shiftY: -0.15 });

/**
 * @typedef {{ x: number, y: number, w: number, h: number }} Box integer source pixels
 */

/**
 * Size of the picture to run the detector on: at most maxSide on the longer
 * side, aspect kept, never upscaled.
 * @param {number} width
 * @param {number} height
 * @param {number} [maxSide]
 * @returns {{ width: number, height: number, scale: number }} scale = detection px per source px
 */
export function detectionSize(width, height, maxSide = DETECTION_MAX_SIDE) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
    scale,
  };
}

/**
 * The square crop around a detected face, clamped and shifted into the image.
 * @param {{ x: number, y: number, width: number, height: number }} face detector box, source pixels (fractional)
 * @param {number} imageWidth
 * @param {number} imageHeight
 * @param {number} [margin]
 * @returns {Box}
 */
export function squareCrop(face, imageWidth, imageHeight, margin = CROP_MARGIN) {
  const limit = Math.min(imageWidth, imageHeight);
  const side = Math.max(1, Math.min(limit, Math.round(Math.max(face.width, face.height) * margin)));
  const cx = face.x + face.width / 2;
  const cy = face.y + face.height / 2;
  const x = clamp(Math.round(cx - side / 2), 0, imageWidth - side);
  const y = clamp(Math.round(cy - side / 2), 0, imageHeight - side);
  return { x, y, w: side, h: side };
}

/**
 * Whether a crop covers so much of the image that the image is itself a face crop.
 * @param {Box} crop
 * @param {number} imageWidth
 * @param {number} imageHeight
 * @param {number} [coverage]
 */
export function isTightCrop(crop, imageWidth, imageHeight, coverage = TIGHT_COVERAGE) {
  const aspect = Math.max(imageWidth, imageHeight) / Math.min(imageWidth, imageHeight);
  return aspect <= TIGHT_MAX_ASPECT && crop.w * crop.h >= coverage * imageWidth * imageHeight;
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
  if (faces.length === 1 && isTightCrop(faces[0].box, imageWidth, imageHeight)) {
    return { mode: 'tight', faces: [{ ...faces[0], box: { x: 0, y: 0, w: imageWidth, h: imageHeight } }] };
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
 * @typedef {{ scale: number, shiftX: number, shiftY: number }} TinyCalibration
 * @typedef {{ x: number, y: number, width: number, height: number }} Rect
 */

/**
 * A Tiny Face Detector box in SSD's convention.
 * @template {Rect} D
 * @param {D} d
 * @param {TinyCalibration} [calibration]
 * @returns {D}
 */
export function tinyToSsdBox(d, calibration = TINY_TO_SSD) {
  const width = d.width * calibration.scale;
  const height = d.height * calibration.scale;
  const cx = d.x + d.width / 2 + calibration.shiftX * d.width;
  const cy = d.y + d.height / 2 + calibration.shiftY * d.height;
  return { ...d, x: cx - width / 2, y: cy - height / 2, width, height };
}

/**
 * The mapping from tiny to SSD boxes measured on pairs of boxes of the same
 * faces: medians of the side ratio and of the centre shifts.
 * @param {{ tiny: Rect, ssd: Rect }[]} pairs at least one
 * @returns {TinyCalibration}
 */
export function tinyToSsdCalibration(pairs) {
  const median = (/** @type {number[]} */ values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return {
    scale: median(pairs.map(({ tiny, ssd }) => Math.max(ssd.width, ssd.height) / Math.max(tiny.width, tiny.height))),
    shiftX: median(pairs.map(({ tiny, ssd }) => (ssd.x + ssd.width / 2 - tiny.x - tiny.width / 2) / tiny.width)),
    shiftY: median(pairs.map(({ tiny, ssd }) => (ssd.y + ssd.height / 2 - tiny.y - tiny.height / 2) / tiny.height)),
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
 * Where the detector's passes put the image: each pass pads the image with
 * grey by this share of its longer side on every edge. SSD MobileNet misses
 * many faces that fill the whole picture (tight crops) and some in 640x480
 * frames; the same faces are found once there is room around them. Later
 * passes run only when the earlier ones found nothing.
 */
export const DETECTION_PADDING = Object.freeze([0, 0.5, 1]);

/**
 * Layout of one detection pass: the padding in source pixels and the size of
 * the (padded, downscaled) picture the detector sees.
 * @param {number} width
 * @param {number} height
 * @param {number} padding share of the longer side added on each edge
 * @param {number} [maxSide]
 */
export function detectionLayout(width, height, padding, maxSide = DETECTION_MAX_SIDE) {
  const pad = Math.round(Math.max(width, height) * padding);
  const size = detectionSize(width + 2 * pad, height + 2 * pad, maxSide);
  return { pad, ...size };
}

/**
 * A detection in the padded, scaled picture back to source pixels, clipped
 * to the image; null when nothing of it is inside.
 * @param {{ x: number, y: number, width: number, height: number }} box
 * @param {{ pad: number, scale: number }} layout
 * @param {number} width
 * @param {number} height
 */
export function toSourceBox(box, layout, width, height) {
  const x0 = Math.max(0, box.x / layout.scale - layout.pad);
  const y0 = Math.max(0, box.y / layout.scale - layout.pad);
  const x1 = Math.min(width, (box.x + box.width) / layout.scale - layout.pad);
  const y1 = Math.min(height, (box.y + box.height) / layout.scale - layout.pad);
  if (x1 - x0 < 1 || y1 - y0 < 1) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

// ---------------------------------------------------------------- detector

/**
 * @typedef {{ x: number, y: number, width: number, height: number, score: number }} Detection
 * @typedef {object} FaceDetector
 * @property {(source: ImageBitmap) => Promise<Detection[]>} detect boxes in the source's
 *   pixels, with SSD (the still-image detector)
 * @property {(source: ImageBitmap, options?: { fallback?: boolean, inputSize?: number })
 *   => Promise<Detection[]>} detectFast the Tiny Face Detector, boxes mapped to SSD's
 *   convention; when it finds nothing, `detect` runs unless fallback is false
 * @property {(source: ImageBitmap, inputSize?: number) => Promise<Detection[]>} detectTiny
 *   the Tiny Face Detector's own boxes
 */

/**
 * What face-api needs from its surroundings, in a worker (it only knows
 * windows and Node.js): OffscreenCanvas for canvases, and fetch. Inputs are
 * always tensors here, so it never needs images or videos.
 */
function workerEnv() {
  const none = () => { throw new Error('not available in a worker'); };
  return {
    Canvas: OffscreenCanvas, CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D, Image: class {},
    ImageData, Video: class {}, createCanvasElement: () => new OffscreenCanvas(1, 1),
    createImageElement: none, createVideoElement: none, fetch: self.fetch.bind(self), readFile: none,
  };
}

/**
 * Load the face detector (weights from vendor/face-models/, same origin).
 * @returns {Promise<FaceDetector>}
 */
export async function loadFaceDetector() {
  const tf = await import('../vendor/tf.js');
  const { faceapi } = tf;
  const weights = new URL('../vendor/face-models/', import.meta.url).href;
  if (typeof document === 'undefined') faceapi.env.setEnv(workerEnv());
  await Promise.all([
    faceapi.nets.ssdMobilenetv1.loadFromUri(weights),
    faceapi.nets.tinyFaceDetector.loadFromUri(weights),
  ]);
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: TIGHT_MIN_CONFIDENCE, maxResults: MAX_FACES });

  /**
   * One pass on a padded, downscaled copy: the full-size pixels never become a tensor.
   * @param {ImageBitmap} source
   * @param {number} padding
   * @param {any} netOptions face-api options: which detector, and its thresholds
   * @returns {Promise<Detection[]>}
   */
  async function detectOn(source, padding, netOptions) {
    const { width, height } = source;
    const layout = detectionLayout(width, height, padding);
    if (layout.pad === 0 && layout.scale === 1) return found(tf.browser.fromPixels(source, 3), layout, width, height, netOptions);
    const canvas = new OffscreenCanvas(layout.width, layout.height);
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, layout.width, layout.height);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(source, layout.pad * layout.scale, layout.pad * layout.scale,
      width * layout.scale, height * layout.scale);
    const picture = canvas.transferToImageBitmap();
    const pixels = tf.browser.fromPixels(picture, 3);
    picture.close();
    return found(pixels, layout, width, height, netOptions);
  }

  /**
   * The detector's boxes in the picture's pixels (disposes `pixels`).
   * @param {import('../vendor/tf.js').Tensor3D} pixels the picture the detector sees
   * @param {{ pad: number, scale: number }} layout how it was made from the source
   * @param {number} width source width
   * @param {number} height source height
   * @param {any} netOptions
   * @returns {Promise<Detection[]>}
   */
  async function found(pixels, layout, width, height, netOptions) {
    try {
      const detections = await faceapi.detectAllFaces(/** @type {any} */ (pixels), netOptions);
      /** @type {Detection[]} */
      const boxes = [];
      for (const d of detections) {
        const box = toSourceBox(d.box, layout, width, height);
        if (box) boxes.push({ ...box, score: d.score });
      }
      return boxes;
    } finally {
      pixels.dispose();
    }
  }

  /**
   * Passes with more and more padding until one finds a confident face; if
   * none does, the weak detections of the pass with the strongest one
   * (planCrops accepts those only as a tight crop).
   * @param {ImageBitmap} source
   */
  async function detect(source) {
    /** @type {Detection[]} */
    let weak = [];
    const best = (/** @type {Detection[]} */ ds) => Math.max(0, ...ds.map((d) => d.score));
    for (const padding of DETECTION_PADDING) {
      const found = await detectOn(source, padding, options);
      if (found.some((d) => d.score >= MIN_CONFIDENCE)) return found;
      if (best(found) > best(weak)) weak = found;
    }
    return weak;
  }

  /**
   * @param {ImageBitmap} source
   * @param {{ fallback?: boolean, inputSize?: number }} [settings]
   */
  async function detectFast(source, { fallback = true, inputSize = FAST_INPUT_SIZE } = {}) {
    const found = (await detectTiny(source, inputSize)).map((d) => tinyToSsdBox(d));
    if (found.length > 0 || !fallback) return found;
    return detect(source);
  }

  /** @param {ImageBitmap} source @param {number} [inputSize] */
  function detectTiny(source, inputSize = FAST_INPUT_SIZE) {
    return detectOn(source, 0, new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: FAST_MIN_SCORE }));
  }

  // Warm-up on a blank picture so the first real image is not slowed by set-up.
  const blank = tf.zeros([64, 64, 3], 'int32');
  try {
    await faceapi.detectAllFaces(/** @type {any} */ (blank), options);
    await faceapi.detectAllFaces(/** @type {any} */ (blank), new faceapi.TinyFaceDetectorOptions());
  } finally {
    blank.dispose();
  }
  return { detect, detectFast, detectTiny };
}
