// @ts-check
/**
 * The live mode's bookkeeping, pure (no DOM, no TF.js), unit-tested in
 * tests/js/live.test.js: which face in this frame is which face of the last
 * one (tracks), each track's smoothed score, the processed-frames-per-second
 * counter, and the gate that drops a frame arriving while the previous one is
 * still being processed (never queued: a queue would only add latency).
 */
import { greedyMatch, iou } from './faces.js';

/**
 * Scores averaged per face: the last this many processed frames. At 15 to
 * 25 frames a second that is a third to half a second, long enough to calm the
 * frame-to-frame jitter of a face that moves, short enough to follow a change.
 */
export const SMOOTHING_FRAMES = 8;
/**
 * A face in a new frame continues a track when its box overlaps the track's
 * last box by at least this intersection-over-union. Between two frames at
 * 15 fps or more a face moves a small part of its own width; another face does not
 * overlap this much.
 */
export const TRACK_MIN_IOU = 0.3;
/** Frames per second are counted over the processed frames of this window. */
export const FPS_WINDOW_MS = 2000;

/** @typedef {import('./faces.js').Box} Box */
/**
 * @typedef {{ box: Box, face: Box|null, pReal: number }} FrameFace one scored face of a frame
 * @typedef {{ id: number, box: Box, face: Box|null, pReal: number, raw: number,
 *   frames: number }} Track pReal: the smoothed score; raw: this frame's; frames: how many
 *   scores the mean holds
 */

/**
 * Faces kept apart by position across frames, each with the mean of its last
 * `window` scores. A track whose face is not in a frame ends (its history is
 * forgotten); a face that matches no track starts a new one.
 * @param {{ window?: number, minIou?: number }} [options]
 */
export function createTracker({ window = SMOOTHING_FRAMES, minIou = TRACK_MIN_IOU } = {}) {
  /** @type {{ id: number, box: Box, face: Box|null, scores: number[] }[]} */
  let tracks = [];
  let nextId = 1;
  const where = (/** @type {{ box: Box, face: Box|null }} */ f) => f.face || f.box;

  return {
    /**
     * One frame's scored faces in, the tracks (in the order of `faces`) out.
     * @param {FrameFace[]} faces
     * @returns {Track[]}
     */
    update(faces) {
      const trackOf = greedyMatch(faces, tracks, (f, t) => {
        const overlap = iou(where(f), where(t));
        return overlap >= minIou ? overlap : null;
      });
      const next = faces.map((f, i) => {
        const old = trackOf[i] === -1 ? null : tracks[trackOf[i]];
        const scores = [...(old ? old.scores : []), f.pReal].slice(-window);
        return { id: old ? old.id : nextId++, box: f.box, face: f.face, scores };
      });
      tracks = next;
      return next.map((t, i) => ({
        id: t.id, box: t.box, face: t.face, raw: faces[i].pReal, frames: t.scores.length,
        pReal: t.scores.reduce((sum, s) => sum + s, 0) / t.scores.length,
      }));
    },
    /** Forget every track (the camera stopped). */
    reset() {
      tracks = [];
    },
  };
}

/**
 * Processed frames per second over the last `windowMs`.
 * @param {number} [windowMs]
 */
export function createFpsCounter(windowMs = FPS_WINDOW_MS) {
  /** @type {number[]} */
  let times = [];
  return {
    /** A frame was processed at `now` (ms). @param {number} now */
    tick(now) {
      times.push(now);
      times = times.filter((t) => t > now - windowMs);
    },
    /**
     * Frames per second at `now`: frame intervals over their span, 0 with
     * fewer than two frames in the window.
     * @param {number} now
     */
    fps(now) {
      const recent = times.filter((t) => t > now - windowMs);
      if (recent.length < 2) return 0;
      return (recent.length - 1) / ((recent[recent.length - 1] - recent[0]) / 1000);
    },
    reset() {
      times = [];
    },
  };
}

/**
 * The "busy: drop the frame, never queue" rule, with its counters.
 * `offer(presented)` is called on every frame callback, with how many frames
 * the video presented since the previous callback (the browser merges
 * callbacks while the page's thread is busy); it says whether to process the
 * newest one. Only the newest frame can ever be processed: the others count
 * as dropped. `done()` is called when processing ends (in a finally): when a
 * frame was presented meanwhile, the newest one (the one the video shows
 * now) is taken at once rather than waiting for the next to be presented
 * (a camera at 30 frames/s leaves 17 ms on average between them); it says
 * so, and stays busy. Nothing older is ever queued. One gate per camera
 * session, so a frame still in flight from the last session cannot open the
 * new one.
 */
export function createFrameGate() {
  let busy = false;
  /** a frame was presented while busy, and the newest of them is still shown */
  let waiting = false;
  const counts = { frames: 0, callbacks: 0, processed: 0, dropped: 0 };
  return {
    /**
     * @param {number} [presented] frames presented since the last offer (>= 1)
     * @returns {boolean} true: process the newest frame now; false: it was dropped
     */
    offer(presented = 1) {
      const n = Math.max(1, Math.floor(presented));
      counts.callbacks += 1;
      counts.frames += n;
      counts.dropped += busy ? n : n - 1;
      if (busy) {
        waiting = true;
        return false;
      }
      busy = true;
      return true;
    },
    /**
     * @param {boolean} [next] whether a frame presented meanwhile may be taken now (false: stopping)
     * @returns {boolean} true: process the newest frame now (the gate stays busy)
     */
    done(next = true) {
      if (!busy) throw new Error('frame gate: done() without a frame in progress');
      counts.processed += 1;
      if (next && waiting) {
        waiting = false;
        counts.dropped -= 1;
        return true;
      }
      busy = false;
      waiting = false;
      return false;
    },
    get busy() {
      return busy;
    },
    /** @returns {{ frames: number, callbacks: number, processed: number, dropped: number }} */
    counts() {
      return { ...counts };
    },
  };
}
