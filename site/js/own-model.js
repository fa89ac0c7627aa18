// @ts-check
/**
 * The user's own model in the page: its entry in the model picker (once its
 * files have loaded, or when a kept model is offered after a reload), and the
 * "keep my own model on this device" switch (model-store.js). main.js loads
 * models; this module says which files make the own model and keeps the
 * picker and the switch in step with them.
 */
import { forgetModel, keepModel, keptFiles, keptModel } from './model-store.js';

/** The picker's value for the own model. */
export const OWN_MODEL_ID = 'own-model';

/**
 * @param {{ select: HTMLSelectElement, keep: HTMLInputElement, note: HTMLElement,
 *   use: (files: File[]) => Promise<any> }} parts note: where the switch says what it
 *   did; use: loads a model's files into the engine, resolving to its metadata.json
 */
export function setupOwnModel({ select, keep, note, use }) {
  /** The own model's files, once picked or read back from this device. @type {File[]|null} */
  let files = null;
  let name = '';

  /** @param {string} where */
  function offer(where) {
    let option = /** @type {HTMLOptionElement|null} */ (select.querySelector(`option[value="${OWN_MODEL_ID}"]`));
    if (!option) {
      option = document.createElement('option');
      option.value = OWN_MODEL_ID;
      select.append(option);
    }
    option.textContent = `${name} (${where})`;
  }

  /** @param {string} text */
  function say(text) {
    note.textContent = text;
  }

  function withdraw() {
    select.querySelector(`option[value="${OWN_MODEL_ID}"]`)?.remove();
  }

  /** @param {File[]} chosen */
  async function keepFiles(chosen) {
    try {
      await keepModel(chosen);
      offer('kept on this device');
      say(`${name} is kept on this device: it is offered in the model list next time.`);
    } catch (error) {
      keep.checked = false;
      say(`${name} could not be kept on this device (${error instanceof Error ? error.message : error}).`);
    }
  }

  keep.addEventListener('change', async () => {
    if (keep.checked) {
      if (files) await keepFiles(files);
      return;
    }
    await forgetModel().catch(() => {});
    if (files) offer('your files');
    else withdraw();
    say('Your own model is no longer kept on this device.');
  });

  return {
    /** Start-up: a model kept on this device is offered again. */
    async restore() {
      const record = await keptModel().catch(() => null);
      if (!record) return;
      name = record.name;
      keep.checked = true;
      offer('kept on this device');
    },

    /**
     * Files the user just picked: the own model once they load (and kept, if asked).
     * @param {File[]} chosen
     */
    async pick(chosen) {
      const metadata = await use(chosen);
      files = chosen;
      name = metadata.name;
      offer('your files');
      if (keep.checked) await keepFiles(chosen);
      return metadata;
    },

    /** The own model again: from its files, or read back (and checked) from this device. */
    async load() {
      const chosen = files ?? await keptFiles();
      const metadata = await use(chosen);
      files = chosen;
      return metadata;
    },
  };
}
