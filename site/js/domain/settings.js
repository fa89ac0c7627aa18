// @ts-check
/**
 * The page's settings remembered on this device (pure but for the storage
 * handed in; tests/js/settings.test.js): the model, finding faces, heatmaps
 * and their opacity, and the video sampling. They are kept in localStorage,
 * in this browser only, and never sent anywhere. The address's options
 * (`?model=`, `?faces=off`) override them for that visit without changing
 * what is remembered.
 */
import { DEFAULT_SAMPLING, clampSampling } from './video-summary.js';

/** The localStorage key. */
export const SETTINGS_KEY = 'mesonet-settings';

/**
 * @typedef {object} Settings
 * @property {string|null} model a published model's id (null: the site's default). The user's
 *   own model is never started by itself: it is offered in the list (own-model.js)
 * @property {boolean} faces find faces (false: score whole pictures)
 * @property {boolean} heatmaps
 * @property {number} opacity the heatmaps' opacity, 0 to 100
 * @property {number} videoRate frames per second analysed
 * @property {number} videoMaxFrames
 */

/** @type {Readonly<Settings>} */
export const DEFAULT_SETTINGS = Object.freeze({
  model: null, faces: true, heatmaps: false, opacity: 60,
  videoRate: DEFAULT_SAMPLING.perSecond, videoMaxFrames: DEFAULT_SAMPLING.maxFrames,
});

/**
 * Settings as they should be: unknown keys dropped, wrong types replaced by
 * the default, numbers clamped to their limits.
 * @param {any} raw
 * @returns {Settings}
 */
export function cleanSettings(raw) {
  const r = raw && typeof raw === 'object' ? raw : {};
  const bool = (/** @type {unknown} */ v, /** @type {boolean} */ d) => (typeof v === 'boolean' ? v : d);
  const num = (/** @type {unknown} */ v) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
  const sampling = clampSampling(num(r.videoRate), num(r.videoMaxFrames));
  const opacity = num(r.opacity);
  return {
    model: typeof r.model === 'string' && r.model ? r.model : null,
    faces: bool(r.faces, DEFAULT_SETTINGS.faces),
    heatmaps: bool(r.heatmaps, DEFAULT_SETTINGS.heatmaps),
    opacity: Number.isNaN(opacity) ? DEFAULT_SETTINGS.opacity : Math.round(Math.min(100, Math.max(0, opacity))),
    videoRate: sampling.perSecond,
    videoMaxFrames: sampling.maxFrames,
  };
}

/**
 * What this device remembers; the defaults when nothing is (or storage is
 * unavailable, as in some private windows).
 * @param {Pick<Storage, 'getItem'>|null} storage
 * @returns {Settings}
 */
export function readSettings(storage) {
  try {
    const text = storage?.getItem(SETTINGS_KEY);
    return cleanSettings(text ? JSON.parse(text) : {});
  } catch {
    return cleanSettings({});
  }
}

/**
 * Remember settings on this device.
 * @param {Pick<Storage, 'setItem'>|null} storage
 * @param {Settings} settings
 * @returns {boolean} whether they were stored
 */
export function writeSettings(storage, settings) {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(cleanSettings(settings)));
    return Boolean(storage);
  } catch {
    return false;
  }
}

/**
 * Forget them.
 * @param {Pick<Storage, 'removeItem'>|null} storage
 */
export function forgetSettings(storage) {
  try {
    storage?.removeItem(SETTINGS_KEY);
  } catch {
    // nothing was stored, or storage is unavailable: nothing to forget
  }
}

/**
 * The settings this visit starts with: the address's options over what is remembered.
 * @param {Settings} remembered
 * @param {string} search location.search
 * @returns {Settings & { modelFromAddress: boolean }} modelFromAddress: the model was asked for
 *   in the address (an unknown one is an error then, not a silent fallback)
 */
export function startingSettings(remembered, search) {
  const params = new URLSearchParams(search);
  const model = params.get('model');
  const faces = params.get('faces');
  return {
    ...remembered,
    model: model || remembered.model,
    modelFromAddress: Boolean(model),
    faces: faces === null ? remembered.faces : faces !== 'off',
  };
}
