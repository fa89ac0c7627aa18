// @ts-check
/**
 * The page's settings: URL options and the converted models' index and
 * metadata. Model constants (input size, resize method, thresholds, output
 * meaning) come from each model's metadata.json, written by the converter.
 */

/** The TF.js backends the page can use (?backend= forces one; backend.js chooses otherwise). */
export const BACKENDS = Object.freeze(['webgl', 'wasm', 'cpu']);

/**
 * Where a tab keeps the backend it chose (sessionStorage), so that the
 * measurement behind the choice (backend.js) is made once a visit.
 */
export const BACKEND_CHOICE_KEY = 'mesonet-backend-choice';

/**
 * Most threads the WASM backend uses (one per logical processor up to this),
 * when the page is cross-origin isolated; else it has one. On the 2-core test
 * machine two threads classify a face in the page in 3.5 ms instead of 5.5,
 * and find faces in an image in 204 ms instead of 294 (bench.image_pipeline).
 */
export const WASM_MAX_THREADS = 4;

/**
 * Most faces MesoNet scores in one call; larger batches are split (as
 * LayersModel.predict did): 100 faces at once exceed WebGL's texture size.
 */
export const PREDICT_BATCH = 32;

/**
 * Pictures the engine works on ahead of the one the page is drawing
 * (pipeline.js): enough to keep it busy while the page draws, few enough
 * that finished previews never pile up (each is up to 640x640 RGBA, 1.6 MB).
 */
export const PIPELINE_WINDOW = 3;

/**
 * Cards made in one task when many files arrive at once (a drop of hundreds):
 * they are made a batch per task, in order, so the page keeps answering (60
 * cards in one task took 120 ms of the page's thread here). A drop of more
 * than this makes none in its own event: with the first batch made there,
 * 3 of 6 drops of 60 files had one task over 50 ms (59 to 67 ms), 0 of 6 without.
 */
export const CARDS_PER_TASK = 8;

/** Where the settings panel starts open: beside the drop zone (site/css/style.css, `.start`'s two columns). */
export const SETTINGS_OPEN_MEDIA = '(min-width: 56rem)';

/** Where the converted models live, relative to the page. */
export const MODEL_ROOT = 'model/';

/** "Try a sample": pictures the build copies from the MesoNet test images (build/vendor.mjs). */
export const SAMPLE_ROOT = 'vendor/samples/';
export const SAMPLES = Object.freeze(['sample-deepfake.jpg', 'sample-real.jpg']);

/**
 * @typedef {{ backend: string|null, model: string|null, faces: boolean }} UrlOptions
 * @param {string} search location.search
 * @returns {UrlOptions}
 */
export function urlOptions(search) {
  const params = new URLSearchParams(search);
  const backend = params.get('backend');
  if (backend !== null && !BACKENDS.includes(backend)) {
    throw new Error(`Unknown backend "${backend}": use one of ${BACKENDS.join(', ')}.`);
  }
  return Object.freeze({
    backend,
    model: params.get('model'),
    faces: params.get('faces') !== 'off',
  });
}

/**
 * A converted model's metadata.json: the contract with convert/metadata.py,
 * which builds it (its KEYS, held against this list by
 * tests/convert/test_export.py::test_model_metadata_typedef_names_every_key).
 * @typedef {object} ModelMetadata
 * @property {number} schema the version of this layout
 * @property {string} id the model's id: its folder in model/ and ?model=
 * @property {string} name the name the page shows
 * @property {string} architecture 'meso4', 'mesoinception4' or 'custom'
 * @property {string} architecture_name
 * @property {boolean} mesonet false only for a model exported with --not-mesonet
 * @property {string|null} trained_on
 * @property {string} format 'tfjs-layers-model'
 * @property {{ size: number[], channels: number, color: string, scale: number, range: number[],
 *   resize: { method: string, half_pixel_centers: boolean } }} input
 * @property {{ meaning: string, description: string }} output meaning 'p_real'
 * @property {import('./verdict.js').Thresholds} thresholds the verdict band (P(real))
 * @property {{ file: string, sha256: string, url?: string|null }} source the Keras file exported
 * @property {string} quantization 'none', 'float16' or 'uint8'
 * @property {Record<string, string>} files sha256 of every file the site loads
 * @property {Record<string, string|null>} versions libraries used to export
 * @property {Record<string, any>} parity Keras against TF.js at export ({ skipped: true } without)
 * @property {string} exported_at UTC, ISO 8601
 * @property {Record<string, any>} [thresholds_calibration] only with a calibrated band
 * @property {string[]} pooled_before_norm
 * @property {string[]} norms_as_conv
 * @property {string} gradcam_layer the last convolution, which Grad-CAM reads
 */

/**
 * @typedef {{ id: string, name: string, architecture: string, path: string }} ModelEntry
 * @typedef {{ models: ModelEntry[], default: string }} ModelIndex
 */

/**
 * The model to use: the one asked for, else the index's default, else the first.
 * @param {ModelIndex} index
 * @param {string|null} requested
 * @returns {ModelEntry}
 */
export function pickModel(index, requested) {
  const models = index.models || [];
  if (models.length === 0) throw new Error('No converted model found: run the converter first.');
  if (requested) {
    const found = models.find((m) => m.id === requested);
    if (!found) throw new Error(`Unknown model "${requested}": available ${models.map((m) => m.id).join(', ')}.`);
    return found;
  }
  return models.find((m) => m.id === index.default) || models[0];
}

/**
 * What the page says beside a model's name when it is not MesoNet (exported
 * with export_tfjs.py --not-mesonet): what the page and its guide say about
 * MesoNet does not hold for it.
 * @param {any} metadata a model's metadata.json
 * @returns {string} '' for MesoNet
 */
export function modelNote(metadata) {
  const other = metadata?.mesonet === false || metadata?.architecture === 'custom';
  return other ? 'not MesoNet: a custom network; nothing on this page was measured on it' : '';
}

/**
 * What identifies a model's weights: the sha256 of each weight file (shard)
 * listed in its metadata.json, in file order.
 * @param {any} metadata a model's metadata.json
 * @returns {{ file: string, sha256: string }[]}
 */
export function weightHashes(metadata) {
  const files = metadata?.files && typeof metadata.files === 'object' ? metadata.files : {};
  return Object.keys(files).filter((name) => name.endsWith('.bin')).sort()
    .map((name) => ({ file: name, sha256: String(files[name]) }));
}
