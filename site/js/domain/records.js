// @ts-check
/**
 * The results as the page exports them (JSON, CSV) and the overview lists
 * them (pure; tests/js/records.test.js): one mapping from an analysis (the
 * engine's names: pReal, face) to a record (the export's: p_real, face_box),
 * for pictures and videos alike, and the CSV and JSON texts made from
 * records. Saving them is views/export.js's.
 */
import { boxText } from './faces.js';

/**
 * @typedef {object} FileResult
 * @property {string} file
 * @property {'image'|'video'} kind
 * @property {'queued'|'analyzing'|'done'|'cancelled'|'error'} state
 * @property {string|null} verdict
 * @property {number|null} p_real
 * @property {string|null} mode faces | tight | no-face | whole
 * @property {string|null} model
 * @property {string|null} backend
 * @property {number|null} detect_ms
 * @property {{ box: string, face_box: string|null, p_real: number, confidence: number|null, ms: number }[]} faces
 * @property {string|null} error
 * @property {string|null} sha256 of the file's bytes (null until computed)
 * @property {number} size bytes
 * @property {string|null} type media type from the file's bytes (formats.js), else the browser's guess
 * @property {string|null} [model_name] the model that produced the result
 * @property {string[]} [model_sha256] sha256 of that model's weight files
 * @property {boolean} [stale] the model has been changed since: made with another model than the one in use
 * @property {VideoFrame[]} [frames] videos: every analysed frame
 *
 * @typedef {{ time: number, p_real: number|null, error: string|null, faces: { box: string,
 *   face_box: string|null, p_real: number, confidence: number|null, person: number }[] }} VideoFrame
 */

/** The file's identity comes last, so columns older exports had keep their places. */
export const CSV_COLUMNS = Object.freeze(['file', 'kind', 'state', 'verdict', 'p_real', 'mode', 'time',
  'face', 'face_p_real', 'box', 'face_box', 'confidence', 'model', 'backend', 'error', 'sha256', 'size', 'type']);

/**
 * One CSV row per face (one per file without faces); for a video, per face
 * in each frame (one per frame without faces), its face number being the
 * person it was matched to across frames.
 * @param {FileResult[]} results
 * @returns {(string|number|null)[][]}
 */
export function csvRows(results) {
  const rows = [];
  for (const r of results) {
    const base = [r.file, r.kind, r.state, r.verdict, r.p_real, r.mode];
    const identity = [r.sha256 ?? null, r.size ?? null, r.type ?? null];
    const tail = [r.model, r.backend, r.error, ...identity];
    if (r.frames) {
      for (const frame of r.frames) {
        const tailFrame = [r.model, r.backend, frame.error ?? r.error, ...identity];
        if (frame.faces.length === 0) rows.push([...base, frame.time, null, null, null, null, null, ...tailFrame]);
        frame.faces.forEach((f) => rows.push([...base, frame.time, f.person, f.p_real, f.box, f.face_box,
          f.confidence, ...tailFrame]));
      }
      if (r.frames.length) continue;
    }
    if (r.faces.length === 0) rows.push([...base, null, null, null, null, null, null, ...tail]);
    r.faces.forEach((f, i) => rows.push([...base, null, i + 1, f.p_real, f.box, f.face_box, f.confidence, ...tail]));
  }
  return rows;
}

/**
 * RFC 4180 CSV. Cells that a spreadsheet would run as a formula get a leading
 * apostrophe (a file name is user-controlled text).
 * @param {FileResult[]} results
 * @returns {string}
 */
export function toCsv(results) {
  const cell = (/** @type {string|number|null} */ v) => {
    if (v === null || v === undefined) return '';
    let text = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [CSV_COLUMNS, ...csvRows(results)].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * @param {FileResult[]} results
 * @param {object} about model, backend, page version: what produced them
 * @returns {string}
 */
export function toJson(results, about) {
  return JSON.stringify({ ...about, exported_at: new Date().toISOString(), results }, null, 2);
}

/**
 * @typedef {object} ModelFacts a model as a result names it
 * @property {string} id
 * @property {string} name
 * @property {{ file: string, sha256: string }[]} weights
 */

/**
 * The model that made a result, as the record names it.
 * @param {ModelFacts} model
 */
export function modelFields(model) {
  return { model: model.id, model_name: model.name, model_sha256: model.weights.map((w) => w.sha256), stale: false };
}

/**
 * One scored face as a record.
 * @param {import('./engine-api.js').ScoredFace} face
 */
function faceFields(face) {
  return { box: boxText(face.box), face_box: face.face ? boxText(face.face) : null, p_real: face.pReal,
    confidence: face.confidence };
}

/**
 * A picture's analysis and verdict as a record's fields.
 * @param {import('./engine-api.js').Result} outcome
 * @param {import('./verdict.js').ImageVerdict} verdict
 */
export function imageFields(outcome, verdict) {
  const { analysis } = outcome;
  return {
    verdict: verdict.verdict, p_real: verdict.pReal, mode: analysis.mode,
    detect_ms: analysis.detectMs, total_ms: outcome.ms, width: outcome.width, height: outcome.height,
    faces: analysis.faces.map((face) => ({ ...faceFields(face), ms: face.ms })),
  };
}

/**
 * A video's analysis and summary as a record's fields: every frame, each
 * face with the person it was followed as (from 1).
 * @param {import('./engine-api.js').VideoAnalysis} analysis
 * @param {import('./video-summary.js').VideoSummary} summary
 */
export function videoFields(analysis, summary) {
  return {
    verdict: summary.verdict, p_real: summary.pReal, detect_ms: null, error: analysis.failure,
    reader: analysis.reader, reader_why: analysis.readerWhy, reader_switched: analysis.switched,
    face_share: summary.faceShare, frames_read: summary.decoded, spread: summary.spread,
    frames: analysis.frames.map((frame, i) => ({
      time: frame.time, p_real: summary.frameScores[i], error: frame.error, reader: frame.reader,
      faces: (frame.analysis?.faces ?? []).map((face, k) => ({ ...faceFields(face), person: summary.ids[i][k] + 1 })),
    })),
  };
}
