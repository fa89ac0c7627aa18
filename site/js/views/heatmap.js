// @ts-check
/**
 * Drawing Grad-CAM maps: on each face crop and over the picture. The colour
 * scale is pure (unit-tested); the rest owns canvases. A map is the
 * normalised 32x32 grid from explain.js: 1 = strongest evidence for
 * "manipulated" in this face, 0 = none.
 */

/**
 * Colour stops of a perceptually ordered, colour-blind-safe sequential scale
 * (dark purple -> orange -> light yellow, after matplotlib's "inferno").
 */
export const HEAT_STOPS = Object.freeze(/** @type {[number, number[]][]} */ ([
  [0.0, [40, 11, 84]], [0.25, [101, 21, 110]], [0.5, [188, 55, 84]],
  [0.75, [249, 142, 9]], [1.0, [252, 255, 164]],
]));

/**
 * RGBA pixels for a map: colour from HEAT_STOPS, opacity proportional to the
 * value, so where the map is 0 the face shows through untouched.
 * @param {ArrayLike<number>} values row-major, in [0, 1]
 * @returns {Uint8ClampedArray<ArrayBuffer>} length 4 * values.length
 */
export function heatPixels(values) {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i += 1) {
    const v = Math.min(1, Math.max(0, values[i]));
    let k = 1;
    while (k < HEAT_STOPS.length - 1 && HEAT_STOPS[k][0] < v) k += 1;
    const [t0, c0] = HEAT_STOPS[k - 1];
    const [t1, c1] = HEAT_STOPS[k];
    const f = (v - /** @type {number} */ (t0)) / (/** @type {number} */ (t1) - /** @type {number} */ (t0));
    for (let c = 0; c < 3; c += 1) {
      out[i * 4 + c] = Math.round(/** @type {number[]} */ (c0)[c] + f * (/** @type {number[]} */ (c1)[c] - /** @type {number[]} */ (c0)[c]));
    }
    out[i * 4 + 3] = Math.round(255 * v);
  }
  return out;
}

/**
 * The map as a small canvas (one pixel per grid cell).
 * @param {{ values: Float32Array, size: number[] }} map
 */
function mapCanvas(map) {
  const [h, w] = map.size;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d')?.putImageData(new ImageData(heatPixels(map.values), w, h), 0, 0);
  return canvas;
}

/**
 * A face crop with its heatmap canvas ([data-testid=heatmap]) laid over it.
 * The map's numbers are on the canvas as data-map (row-major, 5 decimals) for
 * tests and for anyone who wants the numbers.
 * @param {ImageBitmap|null} face the face's crop (the engine's), or null
 * @param {{ values: Float32Array, size: number[] }} map
 * @param {number} side pixels
 */
export function faceHeatmap(face, map, side = 128) {
  const wrap = document.createElement('div');
  wrap.className = 'face-heatmap';
  const crop = document.createElement('canvas');
  crop.width = side;
  crop.height = side;
  if (face) crop.getContext('2d')?.drawImage(face, 0, 0, side, side);
  const heat = document.createElement('canvas');
  heat.width = side;
  heat.height = side;
  heat.className = 'heatmap';
  heat.dataset.testid = 'heatmap';
  heat.dataset.mapSize = map.size.join('x');
  heat.dataset.map = Array.from(map.values, (v) => v.toFixed(5)).join(',');
  const ctx = heat.getContext('2d');
  if (ctx) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(mapCanvas(map), 0, 0, side, side);
  }
  heat.setAttribute('role', 'img');
  heat.setAttribute('aria-label', 'Heatmap of where the model saw evidence of manipulation in this face');
  wrap.append(crop, heat);
  return wrap;
}

/**
 * A canvas the size of the card's preview with every face's map drawn over
 * its crop box, to lay over the preview: [data-testid=picture-heatmap] over
 * [data-testid=picture] (the frame's over [data-testid=frame-picture]).
 * @param {HTMLCanvasElement} preview
 * @param {number} scale preview pixels per source pixel
 * @param {{x: number, y: number, w: number, h: number}[]} boxes
 * @param {{ values: Float32Array, size: number[] }[]} maps
 */
export function pictureHeatmap(preview, scale, boxes, maps) {
  const canvas = document.createElement('canvas');
  canvas.width = preview.width;
  canvas.height = preview.height;
  canvas.className = 'heatmap picture-heatmap';
  canvas.dataset.testid = `${preview.dataset.testid || 'picture'}-heatmap`;
  const ctx = canvas.getContext('2d');
  if (ctx) {
    ctx.imageSmoothingEnabled = true;
    boxes.forEach((b, i) => ctx.drawImage(mapCanvas(maps[i]), b.x * scale, b.y * scale, b.w * scale, b.h * scale));
  }
  canvas.setAttribute('aria-hidden', 'true');
  return canvas;
}
