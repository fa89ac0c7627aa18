// @ts-check
/**
 * Videos without the DOM (pure, tests/js/video-summary.test.js): which times
 * to sample, which faces in different frames are the same person, and the
 * video's verdict.
 *
 * The verdict follows the MesoNet paper (Afchar et al. 2018, section 4.3):
 * the mean P(real) over the frames where a face was found. With several
 * people, each is followed by position and averaged alone, and the verdict
 * rests on the most suspicious one, as for a photo with several faces.
 */
import { greedyMatch, iou } from './faces.js';
import { mostSuspiciousIndex, verdictFor } from './verdict.js';

/** Default sampling: one frame per second, at most 64 frames (an hour-long video stays bounded). */
export const DEFAULT_SAMPLING = Object.freeze({ perSecond: 1, maxFrames: 64 });
/** Limits of what the user may ask for. */
export const SAMPLING_LIMITS = Object.freeze({ minPerSecond: 0.1, maxPerSecond: 10, maxFrames: 256 });
/**
 * Two boxes in different frames belong to one person when they overlap by at
 * least this intersection over union, or, failing that, when their centres are
 * closer than TRACK_MAX_SHIFT times the larger box side (a head turning or
 * moving between samples a second apart).
 */
export const TRACK_MIN_IOU = 0.3;
export const TRACK_MAX_SHIFT = 0.75;
/**
 * A person counts for the verdict when found in at least this share of the
 * frames that have a face: one false detection in one frame must not decide
 * a video. If nobody reaches it, the person seen most often counts.
 */
export const MIN_TRACK_SHARE = 0.25;

/**
 * @typedef {import('./faces.js').Box} Box
 * @typedef {{ box: Box, pReal: number }} FrameFace
 * @typedef {{ time: number, faces: FrameFace[], error?: string|null }} Frame error: the frame
 *   could not be read (it has no faces and does not count as a frame looked at)
 */

/**
 * Sample times (seconds): evenly spread, each in the middle of its slice of
 * the video, so a 30 s video at 1 per second gives 0.5, 1.5, ..., 29.5.
 * @param {number} duration seconds
 * @param {{ perSecond: number, maxFrames: number }} sampling
 * @returns {number[]} empty for a video without a usable length
 */
export function sampleTimes(duration, sampling) {
  if (!Number.isFinite(duration) || duration <= 0) return [];
  const n = Math.max(1, Math.min(sampling.maxFrames, Math.floor(duration * sampling.perSecond)));
  return Array.from({ length: n }, (_, i) => ((i + 0.5) * duration) / n);
}

/**
 * The user's sampling settings, clamped to the limits; bad input gives the default.
 * @param {number} perSecond
 * @param {number} maxFrames
 */
export function clampSampling(perSecond, maxFrames) {
  const rate = Number.isFinite(perSecond) && perSecond > 0 ? perSecond : DEFAULT_SAMPLING.perSecond;
  const most = Number.isFinite(maxFrames) && maxFrames >= 1 ? Math.floor(maxFrames) : DEFAULT_SAMPLING.maxFrames;
  return {
    perSecond: Math.min(SAMPLING_LIMITS.maxPerSecond, Math.max(SAMPLING_LIMITS.minPerSecond, rate)),
    maxFrames: Math.min(SAMPLING_LIMITS.maxFrames, most),
  };
}

/** @param {Box} a @param {Box} b */
function sameBySight(a, b) {
  if (iou(a, b) >= TRACK_MIN_IOU) return true;
  const dx = (a.x + a.w / 2) - (b.x + b.w / 2);
  const dy = (a.y + a.h / 2) - (b.y + b.h / 2);
  return Math.hypot(dx, dy) <= TRACK_MAX_SHIFT * Math.max(a.w, a.h, b.w, b.h);
}

/**
 * Which person each face is: faces are matched, best overlap first, to the
 * person last seen nearest; unmatched faces start a new person.
 * @param {Frame[]} frames in time order
 * @returns {number[][]} person id of each face, frame by frame (ids from 0)
 */
export function trackFaces(frames) {
  /** @type {Box[]} last box of each person */
  const last = [];
  return frames.map((frame) => {
    const ids = greedyMatch(frame.faces, last,
      (face, box) => (sameBySight(face.box, box) ? iou(face.box, box) : null));
    ids.forEach((id, i) => {
      if (id === -1) {
        ids[i] = last.length;
        last.push(frame.faces[i].box);
      } else {
        last[id] = frame.faces[i].box;
      }
    });
    return ids;
  });
}

/**
 * @typedef {object} VideoSummary
 * @property {import('./verdict.js').Verdict|'no-face'} verdict
 * @property {number|null} pReal the verdict's score: mean P(real) of the person it rests on
 * @property {number} frames frames sampled and reached (read or not)
 * @property {number} decoded frames read and looked at (frames without the unreadable ones)
 * @property {number} framesWithFace
 * @property {number} faceShare framesWithFace / decoded (0 without decoded frames)
 * @property {{ sd: number, min: number, max: number }|null} spread of that person's frame scores
 * @property {{ id: number, frames: number, meanPReal: number }[]} people
 * @property {number} person id of the person the verdict rests on (-1 without faces)
 * @property {(number|null)[]} frameScores per frame, the most suspicious face's P(real)
 * @property {number[][]} ids person id of each face, frame by frame
 */

/**
 * @param {Frame[]} frames in time order
 * @param {import('./verdict.js').Thresholds} thresholds
 * @returns {VideoSummary}
 */
export function summariseVideo(frames, thresholds) {
  const ids = trackFaces(frames);
  /** @type {Map<number, number[]>} */
  const scores = new Map();
  frames.forEach((frame, f) => frame.faces.forEach((face, i) => {
    const list = scores.get(ids[f][i]) || [];
    list.push(face.pReal);
    scores.set(ids[f][i], list);
  }));
  const frameScores = frames.map((frame) => {
    const worst = mostSuspiciousIndex(frame.faces, (face) => face.pReal);
    return worst < 0 ? null : frame.faces[worst].pReal;
  });
  const framesWithFace = frameScores.filter((s) => s !== null).length;
  // A frame that could not be read was not looked at: it counts neither for nor against a face.
  const decoded = frames.filter((frame) => !frame.error).length;
  const people = [...scores].map(([id, list]) => ({ id, frames: list.length, meanPReal: mean(list) }));
  const base = { frames: frames.length, decoded, framesWithFace, faceShare: decoded ? framesWithFace / decoded : 0,
    people, frameScores, ids };
  if (people.length === 0) return { ...base, verdict: 'no-face', pReal: null, spread: null, person: -1 };
  const needed = MIN_TRACK_SHARE * framesWithFace;
  let counted = people.filter((p) => p.frames >= needed);
  if (counted.length === 0) counted = [people.reduce((a, b) => (b.frames > a.frames ? b : a))];
  const chosen = counted[mostSuspiciousIndex(counted, (person) => person.meanPReal)];
  const list = /** @type {number[]} */ (scores.get(chosen.id));
  const m = chosen.meanPReal;
  const spread = {
    sd: Math.sqrt(list.reduce((sum, v) => sum + (v - m) ** 2, 0) / list.length),
    min: Math.min(...list),
    max: Math.max(...list),
  };
  return { ...base, verdict: verdictFor(m, thresholds), pReal: m, spread, person: chosen.id };
}

/** @param {number[]} values */
function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The most suspicious frames, lowest P(real) first.
 * @param {(number|null)[]} frameScores
 * @param {number} count
 * @returns {number[]} frame indices
 */
export function mostSuspicious(frameScores, count) {
  return frameScores
    .map((score, index) => ({ score, index }))
    .filter((f) => f.score !== null)
    .sort((a, b) => /** @type {number} */ (a.score) - /** @type {number} */ (b.score))
    .slice(0, count)
    .map((f) => f.index);
}

/**
 * The frames worth showing as "most suspicious": only those the model puts
 * in the "likely manipulated" band, lowest P(real) first. When every frame is
 * uncertain or real, the lowest of them is not suspicious, only lowest, and
 * none is returned.
 * @param {(number|null)[]} frameScores
 * @param {Pick<import('./verdict.js').Thresholds, 'fake_below'>} thresholds
 * @param {number} count
 * @returns {number[]} frame indices
 */
export function suspiciousFrames(frameScores, thresholds, count) {
  const fake = frameScores.map((score) => (score !== null && score < thresholds.fake_below ? score : null));
  return mostSuspicious(fake, count);
}

/**
 * A time in a video as its player shows it: m:ss, or h:mm:ss once the video
 * is an hour long or more, with tenths of a second for sample times.
 * @param {number} seconds
 * @param {{ hours?: boolean, tenths?: boolean }} [options] hours: always show hours (a video an
 *   hour long or more: every label of it does); tenths: one decimal (else whole seconds, floored,
 *   like the player's)
 * @returns {string}
 */
export function clock(seconds, { hours = seconds >= 3600, tenths = true } = {}) {
  const t = Math.max(0, tenths ? Math.round(seconds * 10) / 10 : Math.floor(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t - h * 3600) / 60);
  const s = t - h * 3600 - m * 60;
  const sec = tenths ? s.toFixed(1).padStart(4, '0') : String(s).padStart(2, '0');
  return hours ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
