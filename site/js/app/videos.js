// @ts-check
/**
 * A video through the engine and onto its card: opened by the reader
 * (sources/video-reader.js), its frames at the sample times the settings
 * ask for, analysed one after the other (analyse-video.js) with progress and
 * "Cancel", then its verdict, timeline and frames; a frame selected shows its
 * maps when heatmaps are on. The card keeps the video's URL and thumbnails
 * until it is cleared or analysed again.
 */
import { modelFields, videoFields } from '../domain/records.js';
import { VERDICT_LABELS, formatPercent } from '../domain/verdict.js';
import { sampleTimes, summariseVideo } from '../domain/video-summary.js';
import { grabVideoFrame } from '../sources/video-frames.js';
import { openVideo } from '../sources/video-reader.js';
import { markModel } from '../views/card.js';
import { showVideo, showVideoProgress } from '../views/video.js';
import { analyseVideo } from './analyse-video.js';
import { $, announce } from './page.js';

/**
 * @typedef {import('./state.js').Entry} Entry
 * @typedef {import('./state.js').ModelRecord} ModelRecord
 */

/**
 * @param {{ engine: import('./state.js').EnginePromise, ready: Promise<unknown>, state: import('./state.js').PageState,
 *   entries: import('./entries.js').Entries, overview: import('./overview.js').Overview,
 *   settings: import('./settings-panel.js').SettingsPanel, heatmaps: import('./heatmaps.js').Heatmaps }} parts
 *   ready: the models' start (models.js)
 * @returns {(entry: Entry) => import('../domain/pipeline.js').Job<any>}
 */
export function createVideoJob({ engine, ready, state, entries, overview, settings, heatmaps }) {
  /**
   * A video: its frames through the engine one after the other (alone in the
   * pipeline: a model switch cannot fall in the middle of it), then its card.
   * @param {Entry} entry
   */
  function videoJob(entry) {
    const { file, card } = entry;
    const faces = settings.faces();
    return {
      alone: true,
      async start() {
        if (entry.removed) return null;
        const e = await engine;
        await ready;
        entries.start(entry);
        const video = await openVideo(file, e);
        /** @type {ImageBitmap[]} */
        const thumbs = [];
        // The card keeps the file's URL (its player) and thumbnails until cleared.
        state.videos.set(card, { video, thumbs });
        const times = sampleTimes(video.duration, settings.sampling());
        const controller = new AbortController();
        const progress = showVideoProgress(card, times.length, () => controller.abort());
        const started = performance.now();
        card.dataset.engine = e.where;
        card.dataset.engineThreads = String(e.threads);
        if (e.why) card.dataset.engineWhy = e.why;
        const analysis = await analyseVideo(video, times, {
          faces,
          signal: controller.signal,
          onFrame: (frame, done) => {
            for (const t of frame.thumbs) if (t) thumbs.push(t);
            progress(done);
          },
        });
        const totalMs = performance.now() - started;
        return { video, times, analysis, totalMs, tensors: await e.tensors() };
      },
      async finish(/** @type {any} */ done) {
        if (!done.ok) {
          entries.fail(entry, await entries.failure(done.error, entry.kind?.sniffed));
          return;
        }
        if (!done.value || entry.removed) return;
        showVideoResult(entry, done.value);
      },
    };
  }

  /**
   * @param {Entry} entry
   * @param {{ video: import('../sources/video-reader.js').Video, times: number[],
   *   analysis: import('../domain/engine-api.js').VideoAnalysis, totalMs: number, tensors: number }} v
   */
  function showVideoResult(entry, { video, times, analysis, totalMs, tensors }) {
    const { file, card, result } = entry;
    const { url, duration, width, height } = video;
    const model = /** @type {ModelRecord} */ (state.model);
    const frames = analysis.frames.map((f) => ({ time: f.time, faces: f.analysis?.faces ?? [], error: f.error }));
    const summaryOf = summariseVideo(frames, model.thresholds);
    // Before the card shows "done": tests and the benchmark read them as soon as it does.
    card.dataset.totalMs = totalMs.toFixed(2);
    card.dataset.workerTensors = String(tensors);
    card.dataset.reader = analysis.reader;
    showVideo(card, {
      url, result: analysis, summary: summaryOf, total: times.length, duration, size: { width, height },
      thresholds: model.thresholds, backend: state.backend,
      framePicture: (time) => grabVideoFrame(url, time),
      onShowFrame: (frame, detail) => {
        if (frame.analysis?.faces.length) state.frameDetails.set(detail, { video, frame, modelKey: model.key });
        if (heatmaps.on()) heatmaps.explainPending();
      },
    });
    entry.model = model;
    state.models.set(model.key, model);
    markModel(card, model);
    Object.assign(result, { state: card.dataset.state, mode: card.dataset.mode, backend: state.backend,
      ...modelFields(model), total_ms: totalMs, width, height, duration, ...videoFields(analysis, summaryOf) });
    $('timing').textContent = `· ${(totalMs / Math.max(1, analysis.frames.length)).toFixed(0)} ms per video frame`;
    overview.touch(entry);
    entries.ensureHash(entry);
    announce(`${file.name}: ${summaryOf.pReal === null ? 'no face found'
      : `${VERDICT_LABELS[/** @type {'real'|'uncertain'|'fake'} */ (summaryOf.verdict)]}, P(real) ${formatPercent(summaryOf.pReal)}`}`
      + ` over ${analysis.frames.length} frames.`);
  }

  return videoJob;
}
