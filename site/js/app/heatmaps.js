// @ts-check
/**
 * Heatmaps on the page: the "Show heatmaps" switch and the opacity slider
 * (a class on the page and a CSS variable, remembered on this device), the
 * legend's colour bar, and the maps of faces on cards shown while heatmaps
 * were off or of a video frame just selected, asked of the engine through
 * the pipeline.
 */
import { showHeatmaps } from '../views/card.js';
import { heatPixels } from '../views/heatmap.js';
import { showFrameHeatmaps } from '../views/video.js';
import { $, announce, messageOf } from './page.js';
import { remember } from './state.js';

/**
 * @typedef {import('../domain/faces.js').Box} Box
 * @typedef {{ on: () => boolean, show: (s: { heatmaps: boolean, opacity: number }) => void,
 *   explainPending: () => void }} Heatmaps
 *   on: whether heatmaps are switched on; show: the switch and slider show these settings
 */

/**
 * @param {{ engine: import('./state.js').EnginePromise, state: import('./state.js').PageState,
 *   pipeline: import('./state.js').Pipeline }} parts
 * @returns {Heatmaps}
 */
export function setupHeatmaps({ engine, state, pipeline }) {
  const toggle = /** @type {HTMLInputElement} */ ($('heatmap-toggle'));
  const opacity = /** @type {HTMLInputElement} */ ($('heatmap-opacity'));
  const on = () => toggle.checked;
  /** Cards and frame panels whose maps have been asked of the engine and are not drawn yet. */
  /** @type {WeakSet<HTMLElement>} */
  const explaining = new WeakSet();

  function apply() {
    document.body.classList.toggle('heatmaps-on', on());
    opacity.disabled = !on();
    document.documentElement.style.setProperty('--heatmap-opacity', String(Number(opacity.value) / 100));
  }

  /**
   * Maps of the faces on cards shown while heatmaps were off, and of a video
   * frame just selected: the picture is read again (the file, or the frame).
   * Cards scored by a model since replaced say their maps are unavailable.
   */
  function explainPending() {
    /**
     * @param {HTMLElement} target the card or frame panel that shows them
     * @param {() => boolean} shown whether the target still shows these faces (a frame panel moves on)
     * @param {string} modelKey the model that scored its faces
     * @param {() => Promise<Blob|ImageBitmap|import('../domain/engine-api.js').VideoFrameRef>} picture
     * @param {Box[]} boxes
     * @param {(maps: any[], crops: ImageBitmap[]) => void} show
     * @param {string} what for a message
     */
    const explain = (target, shown, modelKey, picture, boxes, show, what) => {
      if (explaining.has(target)) return;
      explaining.add(target);
      pipeline.add({
        async start() {
          if (!on() || !target.isConnected || !shown()) return null;
          if (modelKey !== state.model?.key) return 'unavailable';
          return (await engine).explain(await picture(), boxes);
        },
        finish(done) {
          explaining.delete(target);
          const drawn = done.ok && done.value !== null && done.value !== 'unavailable' ? done.value : null;
          try {
            if (!shown()) {
              // a frame panel that moved on to another frame: that one's maps, if still wanted
              if (on()) explainPending();
            } else if (!done.ok) {
              target.dataset.heatmaps = 'error';
              announce(`${what}: the heatmap could not be computed (${messageOf(done.error)}).`);
            } else if (done.value === 'unavailable') {
              target.dataset.heatmaps = 'unavailable';
            } else if (drawn) { // none: switched off again, drawn when next switched on
              show(drawn.maps, drawn.crops);
            }
          } finally {
            drawn?.crops.forEach((/** @type {ImageBitmap} */ c) => c.close());
          }
        },
      });
    };
    for (const [detail, { video, frame, modelKey }] of state.frameDetails) {
      if (!detail.isConnected) state.frameDetails.delete(detail);
      const shown = () => detail.isConnected && Number(detail.dataset.time) === frame.time;
      if (!shown() || detail.dataset.heatmaps) continue;
      const boxes = (frame.analysis?.faces ?? []).map((f) => f.box);
      explain(detail, shown, modelKey, () => video.picture(frame), boxes,
        (maps, crops) => showFrameHeatmaps(detail, maps, crops, boxes), `The frame at ${frame.time.toFixed(1)} s`);
    }
    for (const [card, { file, width, boxes, modelKey }] of state.explainable) {
      if (card.dataset.heatmaps || !card.isConnected) continue;
      explain(card, () => card.isConnected, modelKey, async () => file, boxes,
        (maps, crops) => showHeatmaps(card, width, boxes, maps, crops), file.name);
    }
  }

  toggle.addEventListener('change', () => {
    apply();
    remember(state, { heatmaps: on() });
    if (on()) explainPending();
  });
  opacity.addEventListener('input', apply);
  opacity.addEventListener('change', () => remember(state, { opacity: Number(opacity.value) }));
  {
    // The legend's colour bar, drawn from the same scale as the maps.
    const bar = /** @type {HTMLCanvasElement} */ ($('heatmap-scale'));
    const values = Array.from({ length: bar.width }, (_, i) => i / (bar.width - 1));
    const pixels = heatPixels(values).map((v, i) => (i % 4 === 3 ? 255 : v));
    const row = new ImageData(new Uint8ClampedArray(pixels), bar.width, 1);
    const ctx = bar.getContext('2d');
    for (let y = 0; y < bar.height; y += 1) ctx?.putImageData(row, 0, y);
  }

  return {
    on,
    show(s) {
      toggle.checked = s.heatmaps;
      opacity.value = String(s.opacity);
      apply();
    },
    explainPending,
  };
}
