// @ts-check
/**
 * The settings panel: open beside the drop zone on a wide screen, closed
 * under it on a phone; the "Find faces" switch and the video sampling fields
 * (clamped to their limits, and saying so), remembered on this device; the
 * settings the page starts with, and "Reset to defaults". The heatmap
 * controls in it are heatmaps.js's, the model picker models.js's.
 */
import { SETTINGS_OPEN_MEDIA } from '../domain/config.js';
import { DEFAULT_SETTINGS, forgetSettings, readSettings } from '../domain/settings.js';
import { SAMPLING_LIMITS, clampSampling } from '../domain/video-summary.js';
import { $ } from './page.js';
import { remember, storage } from './state.js';

/**
 * @typedef {object} SettingsPanel
 * @property {() => boolean} faces whether to find faces (off: score each whole picture)
 * @property {() => { perSecond: number, maxFrames: number }} sampling the video sampling to use
 * @property {() => void} reset every setting but the model back to its default, forgotten on this device
 */

/**
 * @param {{ state: import('./state.js').PageState, heatmaps: import('./heatmaps.js').Heatmaps,
 *   starting: Omit<import('../domain/settings.js').Settings, 'model'> }} parts
 *   starting: the settings the page starts with (remembered, or from the address)
 * @returns {SettingsPanel}
 */
export function setupSettingsPanel({ state, heatmaps, starting }) {
  const control = {
    faces: /** @type {HTMLInputElement} */ ($('faces-switch')),
    rate: /** @type {HTMLInputElement} */ ($('video-rate')),
    most: /** @type {HTMLInputElement} */ ($('video-max-frames')),
  };
  /** @type {HTMLDetailsElement} */ ($('settings')).open = window.matchMedia(SETTINGS_OPEN_MEDIA).matches;

  /**
   * The controls show these settings (the model is switched apart).
   * @param {Omit<import('../domain/settings.js').Settings, 'model'>} s
   */
  function show(s) {
    control.faces.checked = s.faces;
    heatmaps.show(s);
    control.rate.value = String(s.videoRate);
    control.most.value = String(s.videoMaxFrames);
  }

  /** What each video field last said about a value it replaced. */
  const fieldNotes = { rate: '', most: '' };

  /**
   * The video sampling the fields ask for, clamped to the limits; a field that
   * asked for more (or nonsense) is set to what will be used, and says so until
   * it is changed again.
   * @param {HTMLInputElement|null} [changed] the field the user just changed
   */
  function sampling(changed = null) {
    const rate = Number(control.rate.value);
    const most = Number(control.most.value);
    const used = clampSampling(control.rate.value.trim() === '' ? NaN : rate, control.most.value.trim() === '' ? NaN : most);
    if (changed === control.rate) fieldNotes.rate = '';
    if (changed === control.most) fieldNotes.most = '';
    if (used.perSecond !== rate) {
      fieldNotes.rate = `frames per second set to ${used.perSecond} `
        + `(from ${SAMPLING_LIMITS.minPerSecond} to ${SAMPLING_LIMITS.maxPerSecond})`;
      control.rate.value = String(used.perSecond);
    }
    if (used.maxFrames !== most) {
      fieldNotes.most = `most frames set to ${used.maxFrames} (from 1 to ${SAMPLING_LIMITS.maxFrames})`;
      control.most.value = String(used.maxFrames);
    }
    const said = [fieldNotes.rate, fieldNotes.most].filter(Boolean);
    $('settings-note').textContent = said.length ? `Video: ${said.join('; ')}: the field shows what is used.` : '';
    return used;
  }

  for (const field of [control.rate, control.most]) {
    field.addEventListener('change', () => {
      const used = sampling(field);
      remember(state, { videoRate: used.perSecond, videoMaxFrames: used.maxFrames });
    });
  }
  control.faces.addEventListener('change', () => remember(state, { faces: control.faces.checked }));
  show(starting);

  return {
    faces: () => control.faces.checked,
    sampling: () => sampling(),
    reset() {
      forgetSettings(storage);
      state.remembered = readSettings(null);
      show(DEFAULT_SETTINGS);
      fieldNotes.rate = '';
      fieldNotes.most = '';
      $('settings-note').textContent = 'Settings reset to their defaults.';
      if (heatmaps.on()) heatmaps.explainPending();
    },
  };
}
