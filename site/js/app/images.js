// @ts-check
/**
 * A picture through the engine and onto its card: faces found (or the whole
 * picture, as the settings or the card's "score the whole picture" ask),
 * scored by the model in use, its verdict, heatmaps when they are on, the
 * timings the benchmark reads, the file's sha256 once shown.
 */
import { imageFields, modelFields } from '../domain/records.js';
import { VERDICT_LABELS, aggregateFaces, formatPercent } from '../domain/verdict.js';
import { markModel, showAnalysis, showHeatmaps } from '../views/card.js';
import { $, announce } from './page.js';

/**
 * @typedef {import('./state.js').Entry} Entry
 * @typedef {import('./state.js').ModelRecord} ModelRecord
 * @typedef {import('./state.js').FileKind} FileKind
 * @typedef {import('../domain/engine-api.js').Result} Result
 * @typedef {{ outcome: Result, started: number, kind: FileKind }|{ other: FileKind }|null} Analysed
 *   the picture's analysis, or what the file turned out to be instead
 *
 * @typedef {object} ImageOptions
 * @property {FileKind|Promise<FileKind>} kind what the file's bytes are, or the promise of it
 * @property {string|null} [guess] the picture format the file's name says (formats.js namedPictureFormat):
 *   the engine starts on it at once, and its analysis counts if the bytes say the same
 * @property {(kind: FileKind) => void} [otherwise] what to do with a file whose bytes say it is not a picture
 * @property {boolean} [whole] score the whole picture even with faces on
 *
 * @typedef {(entry: Entry, options: ImageOptions) => import('../domain/pipeline.js').Job<Analysed>} ImageJob
 */

/**
 * @param {{ engine: import('./state.js').EnginePromise, ready: Promise<unknown>, state: import('./state.js').PageState,
 *   pipeline: import('./state.js').Pipeline, entries: import('./entries.js').Entries,
 *   overview: import('./overview.js').Overview, settings: import('./settings-panel.js').SettingsPanel,
 *   heatmaps: import('./heatmaps.js').Heatmaps }} parts ready: the models' start (models.js)
 * @returns {ImageJob}
 */
export function createImageJob({ engine, ready, state, pipeline, entries, overview, settings, heatmaps }) {
  /**
   * A picture through the engine, then onto its card.
   * @param {Entry} entry
   * @param {ImageOptions} options
   * @returns {import('../domain/pipeline.js').Job<Analysed>}
   */
  function imageJob(entry, { kind, guess = null, otherwise = () => {}, whole = false }) {
    const faces = settings.faces() && !whole;
    return {
      async start() {
        if (entry.removed) return null;
        const e = await engine;
        await ready;
        const started = performance.now();
        /** @param {string} format */
        const analyse = (format) => e.analyseImage(entry.file, { faces, explain: heatmaps.on(), format });
        // A file named as a picture goes to the engine while its first bytes
        // are read (a few ms, and the page draws its card meanwhile).
        const early = guess ? analyse(guess) : null;
        early?.catch(() => {}); // its failure is told below, if it counts
        entries.start(entry);
        const known = await kind;
        if (early && known.sniffed.format === guess) return { outcome: await early, started, kind: known };
        early?.then(release, () => {});
        if (known.sniffed.kind !== 'image') return { other: known };
        return { outcome: await analyse(known.sniffed.format), started, kind: known };
      },
      async finish(done) {
        if (!done.ok) {
          entries.fail(entry, await entries.failure(done.error, (await kind).sniffed));
          return;
        }
        if (!done.value) return;
        if ('other' in done.value) {
          otherwise(done.value.other);
          return;
        }
        const { outcome, started, kind: { sniffed, notes } } = done.value;
        try {
          if (entry.removed) return;
          showImage(entry, outcome, notes, sniffed);
          // From the request to the verdict on the card: reading, decoding, faces, scores, drawing.
          entry.card.dataset.fileMs = (performance.now() - started).toFixed(2);
        } finally {
          release(outcome);
        }
      },
    };
  }

  /** What an outcome holds (its preview, its crops). @param {Result} outcome */
  function release(outcome) {
    outcome.preview?.close();
    outcome.crops.forEach((c) => c?.close());
  }

  /**
   * @param {Entry} entry
   * @param {Result} outcome
   * @param {string[]} notes
   * @param {import('../domain/formats.js').Sniffed} sniffed
   */
  function showImage(entry, outcome, notes, sniffed) {
    const { card, file, result } = entry;
    const { analysis } = outcome;
    const model = /** @type {ModelRecord} */ (state.model);
    const shown = aggregateFaces(analysis.faces, model.thresholds);
    showAnalysis(card, {
      picture: /** @type {ImageBitmap} */ (outcome.preview), width: outcome.width, height: outcome.height,
      analysis, verdict: shown, notes, backend: state.backend, thresholds: model.thresholds,
      onScoreWhole: analysis.mode === 'no-face'
        ? () => { pipeline.add(imageJob(entry, { kind: { sniffed, notes }, whole: true })); }
        : null,
    });
    entry.model = model;
    state.models.set(model.key, model);
    markModel(card, model);
    if (analysis.faces.length) {
      state.explainable.set(card, { file, width: outcome.width, boxes: analysis.faces.map((f) => f.box),
        modelKey: model.key });
      if (outcome.maps) showHeatmaps(card, outcome.width, analysis.faces.map((f) => f.box), outcome.maps, outcome.crops);
    }
    Object.assign(result, { state: 'done', backend: state.backend, ...modelFields(model), error: null,
      ...imageFields(outcome, shown) });
    // Timings for the benchmark (bench/image_pipeline.py) and the curious.
    card.dataset.detectMs = analysis.detectMs === null ? '' : analysis.detectMs.toFixed(2);
    card.dataset.classifyMs = analysis.faces.reduce((sum, f) => sum + f.ms, 0).toFixed(2);
    card.dataset.totalMs = outcome.ms.toFixed(2);
    if (analysis.faces.length) {
      const perFace = analysis.faces.reduce((sum, f) => sum + f.ms, 0) / analysis.faces.length;
      $('timing').textContent = `· ${perFace.toFixed(1)} ms per face`;
    }
    overview.touch(entry);
    entries.ensureHash(entry);
    announce(`${file.name}: ${shown.pReal === null ? 'no face found'
      : `${VERDICT_LABELS[/** @type {'real'|'uncertain'|'fake'} */ (shown.verdict)]}, P(real) ${formatPercent(shown.pReal)}`}.`);
  }

  return imageJob;
}
