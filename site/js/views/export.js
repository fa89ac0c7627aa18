// @ts-check
/**
 * Exporting results (JSON, CSV) made in the page and the print report. The
 * row building and CSV text are pure (tests/js/export.test.js); download()
 * is the only DOM here.
 */

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
 * Save text as a file, made in the page (a blob: URL, nothing sent anywhere).
 * @param {string} text
 * @param {string} name
 * @param {string} type
 */
export function download(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
