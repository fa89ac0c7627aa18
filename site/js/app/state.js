// @ts-check
/**
 * The page's state, shared by the app's modules (main.js makes it once and
 * hands it to each): the model in use and every model that produced a
 * result, the files on the page (their entries), what the user chose as
 * remembered on this device, and what cards hold on to so that their maps
 * can be drawn later and their videos released.
 */
import { cleanSettings, readSettings, writeSettings } from '../domain/settings.js';

/**
 * @typedef {import('../domain/records.js').FileResult} FileResult
 * @typedef {import('../domain/faces.js').Box} Box
 * @typedef {import('../domain/formats.js').Sniffed} Sniffed
 * @typedef {import('../sources/video-reader.js').Video} Video
 * @typedef {{ sniffed: Sniffed, notes: string[] }} FileKind what a file's bytes are (formats.js), and what to say of them
 *
 * The other pieces main.js makes once and hands to the app's modules:
 * @typedef {Promise<import('../domain/engine-api.js').Engine>} EnginePromise the page's engine, once started
 * @typedef {ReturnType<typeof import('../domain/pipeline.js').createPipeline>} Pipeline analyses, model
 *   switches and maps, in the order asked for
 *
 * @typedef {object} ModelRecord a model as loaded: what a result names
 * @property {string} key id and weights: two different own models are two models
 * @property {string} id the picker's value (a published model's id, or own-model)
 * @property {string} name
 * @property {{ file: string, sha256: string }[]} weights
 * @property {import('../domain/verdict.js').Thresholds} thresholds
 *
 * @typedef {object} Entry a file, its card, its result
 * @property {string} id the card's element id
 * @property {number} order 1 for the first file added
 * @property {File} file kept on the page, so the file can be analysed again
 * @property {HTMLElement} card
 * @property {FileResult} result
 * @property {import('../views/summary.js').Row} row what the overview shows of it
 * @property {import('../views/card.js').FileFacts} facts
 * @property {FileKind|null} kind what the bytes are, once read
 * @property {ModelRecord|null} model the model that produced the result shown
 * @property {Promise<void>|null} hashing
 * @property {boolean} removed cleared from the page
 *
 * @typedef {object} PageState
 * @property {ModelRecord|null} model the model in use
 * @property {any} metadata the model in use's metadata.json
 * @property {Map<string, ModelRecord>} models every model that produced a result, by key
 * @property {string} backend
 * @property {number} threads
 * @property {{ version: string, commit: string|null }|null} version
 * @property {Entry[]} entries
 * @property {import('../domain/settings.js').Settings} remembered what the user chose, as
 *   remembered on this device (the address's options do not change it)
 * @property {Map<HTMLElement, { file: File, width: number, boxes: Box[], modelKey: string }>} explainable
 *   image cards whose maps can be drawn later: the file, its width, its scored boxes, the model that scored them
 * @property {Map<HTMLElement, { video: Video, thumbs: ImageBitmap[] }>} videos video cards' files
 *   (video-reader.js: their URLs) and thumbnails, released when the results are cleared or analysed again
 * @property {Map<HTMLElement, { video: Video, frame: import('../domain/engine-api.js').FrameResult, modelKey: string }>} frameDetails
 *   video frames shown in a card's detail panel whose maps can be drawn
 * @property {Promise<void>} adding files being read, in the order added, before they join the pipeline
 */

/** localStorage, where the browser allows it. */
export const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
})();

/** @returns {PageState} */
export function createPageState() {
  return {
    model: null,
    metadata: null,
    models: new Map(),
    backend: '',
    threads: 1,
    version: null,
    entries: [],
    remembered: readSettings(storage),
    explainable: new Map(),
    videos: new Map(),
    frameDetails: new Map(),
    adding: Promise.resolve(),
  };
}

/**
 * Settings the user just changed, remembered on this device.
 * @param {PageState} state
 * @param {Partial<import('../domain/settings.js').Settings>} changed
 */
export function remember(state, changed) {
  state.remembered = cleanSettings({ ...state.remembered, ...changed });
  writeSettings(storage, state.remembered);
}
