// @ts-check
/**
 * Which reader reads a video's frames, and how its answers are checked
 * (pure, tests/js/video-choice.test.js). Two readers (docs/browsers.md):
 *   - 'webcodecs': mediabunny demuxes the file and the browser's WebCodecs
 *     decodes each packet once, in order (video-decode.js, in the engine);
 *   - 'video-element': a detached <video> seeks to each time
 *     (video-frames.js, on the page), whatever the browser plays.
 * WebCodecs is tried first: it is 2-20 times faster. The <video> reads the
 * video when WebCodecs cannot (chooseReader says why), and reads the rest of
 * it when WebCodecs fails part-way (withFallback).
 */

/** @typedef {'webcodecs'|'video-element'} ReaderName */
export const WEBCODECS = 'webcodecs';
export const VIDEO_ELEMENT = 'video-element';

/**
 * H.264 profiles (profile_idc) read with WebCodecs: Baseline, Main, High.
 * Others go to the <video>: High 4:4:4 Predictive (the FF++ clips) was
 * refused by Chromium's and Firefox's WebCodecs and decoded wrongly from
 * 10.5 s on by WebKitGTK's, with no error (docs/browsers.md); High 10, 4:2:2
 * and the rest are rarely decodable by WebCodecs without hardware.
 */
export const H264_PROFILES = Object.freeze(new Map([[66, 'Baseline'], [77, 'Main'], [100, 'High']]));
/** Names of the other H.264 profiles, for the reason given. */
const OTHER_H264 = Object.freeze(new Map([[44, 'CAVLC 4:4:4 Intra'], [88, 'Extended'], [110, 'High 10'],
  [122, 'High 4:2:2'], [244, 'High 4:4:4 Predictive']]));

/**
 * A frame read by WebCodecs belongs to a time when it is shown until at
 * least that time, give or take this (s): beyond it, the file has no frame
 * there (it ends early: truncated), and the last frame before is not given
 * in its place.
 */
export const FRAME_END_TOLERANCE_S = 0.25;

/**
 * H.264's profile_idc in a codec string ('avc1.640028' -> 100), or null.
 * @param {string|null} codec an RFC 6381 codec string
 * @returns {number|null}
 */
export function h264Profile(codec) {
  const match = /^avc[13]\.([0-9a-f]{2})[0-9a-f]{4}$/i.exec(codec ?? '');
  return match ? parseInt(match[1], 16) : null;
}

/**
 * @typedef {object} VideoFacts what mediabunny and the browser said about a file
 * @property {boolean} webcodecs the browser has VideoDecoder (here: in the engine)
 * @property {boolean} readable mediabunny knows its container
 * @property {boolean} track it has a video track
 * @property {string|null} codec the track's codec string, null when mediabunny does not know the codec
 * @property {boolean} decodable the browser's WebCodecs says it can decode that codec
 * @property {number} duration seconds
 *
 * @typedef {{ reader: ReaderName, why: string|null }} Choice why: why not WebCodecs
 */

/**
 * The reader for a video, and why not WebCodecs (in words for the card).
 * @param {VideoFacts} facts
 * @returns {Choice}
 */
export function chooseReader(facts) {
  const element = (/** @type {string} */ why) => ({ reader: /** @type {ReaderName} */ (VIDEO_ELEMENT), why });
  if (!facts.webcodecs) return element('this browser has no WebCodecs');
  if (!facts.readable) return element('its container is not one WebCodecs reading knows');
  if (!facts.track) return element('no video track was found by WebCodecs reading');
  if (!facts.codec) return element('its video codec is not one WebCodecs reading knows');
  const profile = h264Profile(facts.codec);
  if (profile !== null && !H264_PROFILES.has(profile)) {
    return element(`H.264 ${OTHER_H264.get(profile) ?? `profile ${profile}`} is left to the browser's player: `
      + 'WebCodecs refuses it or decodes it wrongly in some browsers');
  }
  if (!facts.decodable) return element(`this browser's WebCodecs cannot decode ${facts.codec}`);
  if (!Number.isFinite(facts.duration) || facts.duration <= 0) return element('its length is unknown');
  return { reader: WEBCODECS, why: null };
}

/**
 * A length in seconds as browsers' <video> states it (whole microseconds), so
 * the sample times do not depend on the reader.
 * @param {number} seconds
 */
export function mediaDuration(seconds) {
  return Math.round(seconds * 1e6) / 1e6;
}

/**
 * The times to ask a WebCodecs reader for: a time before the first frame
 * (a video whose first frame starts after 0) is that first frame's, as a
 * <video> shows it there.
 * @param {number[]} times ascending
 * @param {number} first the video track's first timestamp (s)
 */
export function decodeTimes(times, first) {
  return times.map((t) => Math.max(t, first));
}

/**
 * Whether a frame shown from `timestamp` for `duration` is the frame at `time`.
 * @param {number} time
 * @param {number} timestamp
 * @param {number} duration
 */
export function frameCovers(time, timestamp, duration) {
  return timestamp <= time + 1e-6 && time < timestamp + Math.max(0, duration) + FRAME_END_TOLERANCE_S;
}

/**
 * Whether a <video>'s frame presentation, at `mediaTime`, is of the frame
 * for `time` rather than a late one of the time sought before (`previous`):
 * nearer the one than the other. Media times may run a little ahead of the
 * time sought (0.067 s for the DFDC clip in WebKit: its frames' composition
 * offset), so sample times closer together than twice that are not told
 * apart.
 * @param {number} mediaTime the presented frame's, from requestVideoFrameCallback
 * @param {number} time the time sought
 * @param {number|null} previous the time sought before on that element, if any
 */
export function presentedFor(mediaTime, time, previous) {
  return previous === null || Math.abs(mediaTime - time) <= Math.abs(mediaTime - previous);
}

/**
 * @typedef {{ index: number, time: number, reader: ReaderName }} ReadFrame one frame's answer
 *   (each reader adds its own fields: a picture, an analysis, an error)
 *
 * @typedef {object} Switch WebCodecs gave up part-way: the rest was read by the <video>
 * @property {number} time the first time read by the <video>
 * @property {string} why
 */

/** A reader giving up on the rest of a video (a decoder error): its message says why. */
export class ReaderFailure extends Error {
  name = 'ReaderFailure';
}

/**
 * The frames at `times` from `first`, and from where it gives up (throws a
 * ReaderFailure) the rest from `rest`: no time is skipped or read twice, and
 * no frame comes from a reader after it failed.
 * @template {ReadFrame} F
 * @param {number[]} times
 * @param {(times: number[]) => AsyncGenerator<F>} first yields each time's frame in order
 * @param {(times: number[], offset: number) => AsyncGenerator<F>} rest yields the frames of the
 *   remaining times (indices from `offset`)
 * @param {(change: Switch) => void} [onSwitch]
 * @returns {AsyncGenerator<F>}
 */
export async function* withFallback(times, first, rest, onSwitch) {
  let done = 0;
  try {
    for await (const frame of first(times)) {
      yield frame;
      done += 1;
    }
    return;
  } catch (error) {
    if (!(error instanceof ReaderFailure)) throw error;
    if (done >= times.length) return;
    onSwitch?.({ time: times[done], why: error.message });
  }
  yield* rest(times.slice(done), done);
}
