// @ts-check
/**
 * A file's entry as its analysis goes, the steps images.js, videos.js and
 * files.js share: its card set analysing, its error card (with what to say
 * when it could not be analysed), and the file's sha256, computed once in a
 * hashing worker of its own (sources/hashes.js) after the verdict or when
 * exporting.
 */
import { InputError } from '../engine/errors.js';
import { modelFields } from '../domain/records.js';
import { createHasher } from '../sources/hashes.js';
import { VideoError } from '../sources/video-reader.js';
import { markModel, setFileFacts, setProgress, showError } from '../views/card.js';
import { announce, messageOf } from './page.js';

/**
 * @typedef {import('./state.js').Entry} Entry
 * @typedef {import('../domain/formats.js').Sniffed} Sniffed
 *
 * @typedef {object} Entries
 * @property {(entry: Entry) => void} start its card says it is being analysed
 * @property {(entry: Entry, message: string) => void} fail its card shows this error
 * @property {(error: unknown, sniffed?: Sniffed) => Promise<string>} failure what to say when a file could not be analysed
 * @property {(entry: Entry) => Promise<void>} ensureHash the file's sha256, computed once
 */

/**
 * @param {{ state: import('./state.js').PageState, ready: Promise<unknown>,
 *   overview: import('./overview.js').Overview }} parts ready: the models' start (models.js)
 * @returns {Entries}
 */
export function createEntries({ state, ready, overview }) {
  const hasher = createHasher();

  /** @param {Entry} entry @param {string} message */
  function fail(entry, message) {
    if (entry.removed) return;
    const { card, result } = entry;
    showError(card, message);
    Object.assign(result, { state: 'error', error: message });
    if (state.model) {
      entry.model = state.model;
      markModel(card, state.model);
      Object.assign(result, modelFields(state.model));
    }
    overview.touch(entry);
    ensureHash(entry);
    announce(`${result.file}: ${message}`);
  }

  /**
   * What to say when a file could not be analysed.
   * @param {unknown} error
   * @param {Sniffed} [sniffed]
   * @returns {Promise<string>}
   */
  async function failure(error, sniffed) {
    // A picture this browser cannot decode whose kind has its own advice (HEIC).
    if (error instanceof InputError && sniffed?.undecodable) return sniffed.undecodable;
    if (error instanceof InputError || error instanceof VideoError) return error.message;
    try {
      await ready;
    } catch (why) {
      return `The model did not load, so nothing can be analysed: ${messageOf(why)}`;
    }
    return `The analysis failed: ${messageOf(error)}`;
  }

  /** @param {Entry} entry */
  function start(entry) {
    entry.card.dataset.state = 'analyzing';
    entry.result.state = 'analyzing';
    setProgress(entry.card, 'Analysing…');
    overview.touch(entry);
  }

  /**
   * The file's sha256, computed once (after its verdict, or when exporting).
   * @param {Entry} entry
   */
  function ensureHash(entry) {
    if (entry.hashing) return entry.hashing;
    entry.hashing = hasher.hash(entry.file).then((sha256) => {
      entry.facts.sha256 = sha256;
      entry.result.sha256 = sha256;
    }, (error) => {
      entry.facts.hashError = messageOf(error);
    }).then(() => {
      if (!entry.removed) setFileFacts(entry.card, entry.facts);
    });
    return entry.hashing;
  }

  return { start, fail, failure, ensureHash };
}
