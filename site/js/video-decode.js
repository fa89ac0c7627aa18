// @ts-check
/**
 * Frames out of a video file with WebCodecs: mediabunny (vendor/mediabunny.js,
 * MPL-2.0) reads the container (MP4/MOV, WebM/MKV, Ogg, MPEG-TS) in slices
 * of the file, and the browser's VideoDecoder decodes each packet once, in
 * order, for all the sample times ("the last frame starting at or before t",
 * as a <video> shows it). No DOM: it runs in the analysis engine's worker
 * (engine/core.js), so the frames never cross to the page; or on the page
 * with the engine. Rotation metadata is applied, as a <video> does.
 *
 * Whether a file is read here is chooseReader's call (video-choice.js); when
 * it is not, or when decoding fails part-way (a ReaderFailure), the <video>
 * reader (video-frames.js) takes over.
 */
import {
  ALL_FORMATS, BlobSource, CanvasSink, Input, UnsupportedInputFormatError,
} from '../vendor/mediabunny.js';
import {
  ReaderFailure, chooseReader, decodeTimes, frameCovers, mediaDuration,
} from './video-choice.js';

/** Longest wait for a file's header and its track's facts. */
export const OPEN_TIMEOUT_MS = 15000;

/**
 * @typedef {{ index: number, time: number, bitmap: ImageBitmap|null, error: string|null }} Decoded
 *   bitmap: the caller's to close; null when the file has no frame at that time (error says why)
 *
 * @typedef {object} Decoder an open file
 * @property {number} duration seconds
 * @property {number} width
 * @property {number} height
 * @property {string} codec
 * @property {(times: number[]) => AsyncGenerator<Decoded>} frames the frames at `times` (ascending),
 *   in order; throws a ReaderFailure when the decoder fails (the rest must be read otherwise)
 * @property {() => void} close
 *
 * @typedef {{ decoder: Decoder, why: null } | { decoder: null, why: string }} Opened
 */

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} message
 * @returns {Promise<T>}
 */
function deadline(promise, ms, message) {
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return /** @type {Promise<T>} */ (Promise.race([promise, late])).finally(() => clearTimeout(timer));
}

/**
 * The picture of a canvas mediabunny drew, as an ImageBitmap (moved, not
 * copied, from an OffscreenCanvas: each is new, poolSize 0).
 * @param {HTMLCanvasElement|OffscreenCanvas} canvas
 * @returns {Promise<ImageBitmap>}
 */
async function bitmapOf(canvas) {
  return 'transferToImageBitmap' in canvas ? canvas.transferToImageBitmap() : createImageBitmap(canvas);
}

/**
 * Open a file for WebCodecs reading, or say why it is not read here.
 * @param {Blob} file
 * @returns {Promise<Opened>}
 */
export async function openDecoder(file) {
  const webcodecs = typeof VideoDecoder !== 'undefined';
  if (!webcodecs) return { decoder: null, why: chooseReader(facts({ webcodecs })).why ?? '' };
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    const found = await deadline(inspect(input), OPEN_TIMEOUT_MS, 'its header took too long to read');
    const choice = chooseReader(found.facts);
    if (choice.why !== null || !('track' in found)) {
      input.dispose();
      return { decoder: null, why: choice.why ?? 'no video track' };
    }
    return { decoder: decoder(input, found), why: null };
  } catch (error) {
    input.dispose();
    return { decoder: null, why: `WebCodecs reading failed (${messageOf(error)})` };
  }
}

/**
 * @param {Partial<import('./video-choice.js').VideoFacts>} known
 * @returns {import('./video-choice.js').VideoFacts}
 */
function facts(known) {
  return { webcodecs: true, readable: false, track: false, codec: null, decodable: false, duration: NaN, ...known };
}

/**
 * What mediabunny and the browser say about a file.
 * @param {Input} input
 */
async function inspect(input) {
  try {
    if (!(await input.canRead())) return { facts: facts({}) };
  } catch (error) {
    if (error instanceof UnsupportedInputFormatError) return { facts: facts({}) };
    throw error;
  }
  const track = await input.getPrimaryVideoTrack();
  if (!track) return { facts: facts({ readable: true }) };
  const codec = await track.getCodecParameterString();
  const decodable = codec !== null && await track.canDecode();
  // The track's stated length, as a <video> states it (measured equal for
  // the test clips); the whole file's when the track states none.
  const stated = await input.getDurationFromMetadata([track]);
  const duration = mediaDuration(stated ?? await track.computeDuration());
  return {
    facts: facts({ readable: true, track: true, codec, decodable, duration }),
    track,
    first: await track.getFirstTimestamp(),
    width: await track.getDisplayWidth(),
    height: await track.getDisplayHeight(),
  };
}

/**
 * @param {Input} input
 * @param {{ facts: import('./video-choice.js').VideoFacts, track: any, first: number, width: number,
 *   height: number }} found the file as inspect() found it
 * @returns {Decoder}
 */
function decoder(input, { facts: known, track, first, width, height }) {
  return {
    duration: known.duration,
    width,
    height,
    codec: /** @type {string} */ (known.codec),
    async* frames(times) {
      const asked = decodeTimes(times, first);
      const canvases = new CanvasSink(track, { poolSize: 0 }).canvasesAtTimestamps(asked);
      try {
        for (let i = 0; i < times.length; i += 1) {
          /** @type {IteratorResult<import('../vendor/mediabunny.js').WrappedCanvas|null>} */
          let next;
          try {
            next = await canvases.next();
          } catch (error) {
            throw new ReaderFailure(`the WebCodecs decoder failed at ${times[i].toFixed(1)} s (${messageOf(error)})`);
          }
          const wrapped = next.done ? null : next.value;
          if (wrapped && frameCovers(asked[i], wrapped.timestamp, wrapped.duration)) {
            yield { index: i, time: times[i], bitmap: await bitmapOf(wrapped.canvas), error: null };
          } else {
            const end = wrapped ? ` (its last frame starts at ${wrapped.timestamp.toFixed(1)} s)` : '';
            yield { index: i, time: times[i], bitmap: null,
              error: `The frame at ${times[i].toFixed(1)} s is missing from the file${end}: it may be truncated.` };
          }
        }
      } finally {
        await canvases.return(undefined);
      }
    },
    close: () => input.dispose(),
  };
}

/**
 * One frame of a video file, read on its own (again, for its heatmap): the
 * same pixels as the frame read by `frames` at that time.
 * @param {Blob} file
 * @param {number} time seconds
 * @returns {Promise<ImageBitmap>}
 */
export async function decodeFrame(file, time) {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new Error('This video has no video track.');
    const [at] = decodeTimes([time], await track.getFirstTimestamp());
    const wrapped = await new CanvasSink(track, { poolSize: 0 }).getCanvas(at);
    if (!wrapped) throw new Error(`The frame at ${time.toFixed(1)} s could not be decoded.`);
    return await bitmapOf(wrapped.canvas);
  } finally {
    input.dispose();
  }
}
