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
 * Colours: a stream that states no colour matrix (VP8 never does; many
 * H.264 files do not) is converted to RGB as BT.601, as VP8 specifies and
 * FFmpeg (so OpenCV, the reference frames of the tests) assumes. Chromium's
 * WebCodecs, as mediabunny configures it, assumes BT.709 there: its frames
 * of the VP8 test clip were 2.06 levels off OpenCV's, against 1.60 for its
 * own <video>, whose frames they now equal (2e-5 levels apart). WebKit
 * assumes BT.601 already; Firefox hands over RGB frames it converted itself.
 *
 * Whether a file is read here is chooseReader's call (video-choice.js); when
 * it is not, or when decoding fails part-way (a ReaderFailure), the <video>
 * reader (video-frames.js) takes over.
 */
import {
  ALL_FORMATS, BlobSource, Input, UnsupportedInputFormatError, VideoSample, VideoSampleSink,
} from '../../vendor/mediabunny.js';
import {
  ReaderFailure, chooseReader, decodeTimes, frameCovers, mediaDuration,
} from '../domain/video-choice.js';

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

/** YUV layouts whose conversion to RGB follows the frame's colour space (others are RGB already). */
const YUV_FORMATS = new Set(['I420', 'I420A', 'I422', 'I422A', 'I444', 'I444A', 'NV12']);

/**
 * The same frame, tagged BT.601 (its planes copied into a new frame): for a
 * stream that states no colour matrix, whose frame the decoder tagged
 * otherwise. Closes `sample`.
 * @param {VideoSample} sample
 * @param {boolean} fullRange
 * @returns {Promise<VideoSample>}
 */
async function asBt601(sample, fullRange) {
  try {
    const data = new Uint8Array(sample.allocationSize());
    const layout = await sample.copyTo(data);
    return new VideoSample(data, {
      format: /** @type {any} */ (sample.format), codedWidth: sample.visibleRect.width,
      codedHeight: sample.visibleRect.height, layout, timestamp: sample.timestamp, duration: sample.duration,
      rotation: sample.rotation, flip: sample.flip, displayWidth: sample.displayWidth,
      displayHeight: sample.displayHeight,
      colorSpace: { matrix: 'smpte170m', primaries: 'smpte170m', transfer: 'smpte170m', fullRange },
    });
  } finally {
    sample.close();
  }
}

/**
 * A decoded frame as an ImageBitmap, as a <video> shows it (rotated,
 * flipped, square pixels); BT.601 when its stream states no colour matrix.
 * Closes `sample`.
 * @param {VideoSample} sample
 * @param {VideoColorSpaceInit} stated the stream's own colour space
 * @returns {Promise<ImageBitmap>}
 */
async function picture(sample, stated) {
  const retag = !stated.matrix && sample.format !== null && YUV_FORMATS.has(sample.format)
    && sample.colorSpace.matrix !== 'smpte170m' && sample.colorSpace.matrix !== 'bt470bg';
  const shown = retag ? await asBt601(sample, stated.fullRange ?? false) : sample;
  try {
    const { displayWidth: width, displayHeight: height } = shown;
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
    const context = /** @type {OffscreenCanvasRenderingContext2D|CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    shown.drawWithFit(context, { fit: 'fill' });
    // moved, not copied, out of a new OffscreenCanvas
    return 'transferToImageBitmap' in canvas ? canvas.transferToImageBitmap() : await createImageBitmap(canvas);
  } finally {
    shown.close();
  }
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
    return { decoder: decoder(input, /** @type {Parameters<typeof decoder>[1]} */ (found)), why: null };
  } catch (error) {
    input.dispose();
    return { decoder: null, why: `WebCodecs reading failed (${messageOf(error)})` };
  }
}

/**
 * @param {Partial<import('../domain/video-choice.js').VideoFacts>} known
 * @returns {import('../domain/video-choice.js').VideoFacts}
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
  const stated = await track.getColorSpace();
  const codec = await track.getCodecParameterString();
  const decodable = codec !== null && await track.canDecode();
  // The track's stated length, as a <video> states it (measured equal for
  // the test clips); the whole file's when the track states none.
  const length = await input.getDurationFromMetadata([track]);
  const duration = mediaDuration(length ?? await track.computeDuration());
  return {
    facts: facts({ readable: true, track: true, codec, decodable, duration }),
    track,
    stated,
    first: await track.getFirstTimestamp(),
    width: await track.getDisplayWidth(),
    height: await track.getDisplayHeight(),
  };
}

/**
 * @param {Input} input
 * @param {{ facts: import('../domain/video-choice.js').VideoFacts, track: any, stated: VideoColorSpaceInit,
 *   first: number, width: number, height: number }} found the file as inspect() found it
 * @returns {Decoder}
 */
function decoder(input, { facts: known, track, stated, first, width, height }) {
  return {
    duration: known.duration,
    width,
    height,
    codec: /** @type {string} */ (known.codec),
    async* frames(times) {
      const asked = decodeTimes(times, first);
      const samples = new VideoSampleSink(track).samplesAtTimestamps(asked);
      try {
        for (let i = 0; i < times.length; i += 1) {
          /** @type {ImageBitmap|null} */
          let bitmap = null;
          let missing = '';
          try {
            const next = await samples.next();
            const sample = next.done ? null : /** @type {VideoSample} */ (next.value);
            if (sample && frameCovers(asked[i], sample.timestamp, sample.duration)) {
              bitmap = await picture(sample, stated);
            } else {
              missing = sample ? ` (its last frame starts at ${sample.timestamp.toFixed(1)} s)` : '';
              sample?.close();
            }
          } catch (error) {
            throw new ReaderFailure(`the WebCodecs decoder failed at ${times[i].toFixed(1)} s (${messageOf(error)})`);
          }
          yield bitmap ? { index: i, time: times[i], bitmap, error: null } : { index: i, time: times[i], bitmap: null,
            error: `The frame at ${times[i].toFixed(1)} s is missing from the file${missing}: it may be truncated.` };
        }
      } finally {
        await samples.return(undefined);
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
    const sample = await new VideoSampleSink(track).getSample(at);
    if (!sample) throw new Error(`The frame at ${time.toFixed(1)} s could not be decoded.`);
    return await picture(sample, await track.getColorSpace());
  } finally {
    input.dispose();
  }
}
