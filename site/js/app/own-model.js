// @ts-check
/**
 * The user's own model in the page: its entry in the model picker (once its
 * files have loaded, or when a kept model is offered after a reload), and the
 * "keep my own model on this device" switch (model-store.js). models.js loads
 * models; this module says which files make the own model and keeps the
 * picker and the switch in step with them.
 */
import { forgetModel, keepModel, keptFiles, keptModel } from '../sources/model-store.js';

/** The picker's value for the own model. */
export const OWN_MODEL_ID = 'own-model';

/** File names that are photos or videos, not a model's files. */
const MEDIA_NAME = /\.(jpe?g|png|webp|avif|gif|bmp|heic|heif|tiff?|mp4|m4v|mov|webm|mkv|avi|3gp)$/i;

/**
 * What is wrong with the files chosen as "my own model", before any is read:
 * a converted model is model.json, its .bin weight files and metadata.json,
 * chosen together. A photo chosen there by mistake is named as such.
 * @param {string[]} names the chosen files' names
 * @returns {string|null} a message for the user, or null when the set looks whole
 */
export function ownModelProblem(names) {
  const missing = ['model.json', 'metadata.json'].filter((name) => !names.includes(name));
  if (!names.some((name) => name.endsWith('.bin'))) missing.push('the .bin weight files');
  if (missing.length === 0) return null;
  const media = names.filter((name) => MEDIA_NAME.test(name));
  const listed = missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)} are` : `${missing[0]} is`;
  let text = `These files are not a whole converted model: ${listed} missing. Choose the model's model.json, `
    + 'its .bin weight files and metadata.json together (the files convert/export_tfjs.py wrote).';
  if (media.length) {
    text += ` ${media[0]} is a ${/\.(mp4|m4v|mov|webm|mkv|avi|3gp)$/i.test(media[0]) ? 'video' : 'photo'}: `
      + 'to check it, drop it in the box at the top of the page instead.';
  }
  return text;
}

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
