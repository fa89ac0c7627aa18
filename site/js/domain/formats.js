// @ts-check
/**
 * What a file is, from its first bytes (pure): the name and the browser's MIME
 * guess can lie (a text file renamed .jpg, a JPEG named .mp4), the bytes do
 * not. An ISO media file ("ftyp") is not blindly a video: its brands say
 * whether it is a HEIC or AVIF photo, an M4A song or an MP4/MOV video.
 */

/** Bytes to read from the start of a file: enough for an ftyp box's brands and a WebM's DocType. */
export const HEAD_BYTES = 64;

/**
 * @typedef {object} Sniffed
 * @property {'image'|'video'|'unsupported'} kind
 * @property {string} format short name: jpeg, png, webp, gif, bmp, heic, avif, mp4, mov, 3gp, webm, mkv, avi, ogg, video, ...
 * @property {string} [type] media type from the bytes (image/jpeg, video/webm, ...)
 * @property {string} [label] the same in words ("JPEG image")
 * @property {string} [message] why it cannot be analysed (unsupported)
 * @property {string} [undecodable] what to say if this browser cannot decode it (HEIC)
 */

/** ftyp brands of HEIF pictures (HEIC and its sequences) and of AVIF. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1', 'mif2']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);

export const HEIC_MESSAGE = 'This is a HEIC photo (the format iPhones save by default). This browser cannot '
  + 'decode HEIC pictures (only Safari can), so it cannot be analysed here. Convert it to JPEG first, then '
  + 'add the JPEG: on a Mac, open it in Preview and choose File > Export, format JPEG; on Windows, open it '
  + 'in Photos and choose Save as, type JPG; on an iPhone, Settings > Camera > Formats > Most Compatible '
  + 'makes the camera save JPEG from then on.';

const AUDIO_MESSAGE = 'This is an audio file: there is no picture, so no face to analyse.';

/** @type {Record<string, { type: string, label: string }>} */
const NAMES = {
  jpeg: { type: 'image/jpeg', label: 'JPEG image' },
  png: { type: 'image/png', label: 'PNG image' },
  webp: { type: 'image/webp', label: 'WebP image' },
  gif: { type: 'image/gif', label: 'GIF image' },
  bmp: { type: 'image/bmp', label: 'BMP image' },
  heic: { type: 'image/heic', label: 'HEIC image' },
  avif: { type: 'image/avif', label: 'AVIF image' },
  mp4: { type: 'video/mp4', label: 'MP4 video' },
  mov: { type: 'video/quicktime', label: 'QuickTime (MOV) video' },
  '3gp': { type: 'video/3gpp', label: '3GP video' },
  webm: { type: 'video/webm', label: 'WebM video' },
  mkv: { type: 'video/x-matroska', label: 'Matroska (MKV) video' },
  avi: { type: 'video/x-msvideo', label: 'AVI video' },
  ogg: { type: 'video/ogg', label: 'Ogg video' },
};

/**
 * @param {Sniffed['kind']} kind
 * @param {string} format
 * @param {Partial<Sniffed>} [extra]
 * @returns {Sniffed}
 */
function named(kind, format, extra = {}) {
  return { kind, format, ...(NAMES[format] ?? {}), ...extra };
}

/**
 * The brands of an ISO media file's ftyp box: the major brand first.
 * @param {Uint8Array} head
 * @returns {string[]}
 */
export function ftypBrands(head) {
  const text = (/** @type {number} */ i) => String.fromCharCode(...head.subarray(i, i + 4));
  if (head.length < 12 || text(4) !== 'ftyp') return [];
  const size = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  const end = Math.min(head.length, size >= 16 ? size : head.length);
  const brands = [text(8)];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(text(i));
  return brands;
}

/**
 * What an ISO media file (ftyp) is, from its brands.
 * @param {string[]} brands major brand first
 * @returns {Sniffed}
 */
function isoMedia(brands) {
  const [major] = brands;
  if (AUDIO_BRANDS.has(major)) return { kind: 'unsupported', format: 'audio', message: AUDIO_MESSAGE };
  if (AVIF_BRANDS.has(major) || ((major === 'mif1' || major === 'msf1') && brands.some((b) => AVIF_BRANDS.has(b)))) {
    return named('image', 'avif');
  }
  if (HEIF_BRANDS.has(major) || brands.some((b) => b === 'heic' || b === 'heix')) {
    return named('image', 'heic', { undecodable: HEIC_MESSAGE });
  }
  if (major === 'crx ') {
    return { kind: 'unsupported', format: 'raw',
      message: 'This is a camera raw photo (Canon CR3): convert it to JPEG or PNG first.' };
  }
  if (major === 'qt  ') return named('video', 'mov');
  if (major.startsWith('3g')) return named('video', '3gp');
  return named('video', 'mp4');
}

/**
 * @param {Uint8Array} head the first bytes of the file (HEAD_BYTES are enough)
 * @param {string} [mime] the browser's type for the file, used only for what the bytes cannot tell
 * @returns {Sniffed}
 */
export function sniffFormat(head, mime = '') {
  const at = (/** @type {number} */ i, /** @type {number[]} */ bytes) => bytes.every((b, k) => head[i + k] === b);
  const ascii = (/** @type {number} */ i, /** @type {string} */ text) => at(i, [...text].map((c) => c.charCodeAt(0)));
  if (head.length === 0) return { kind: 'unsupported', format: 'empty', message: 'This file is empty (0 bytes).' };
  if (at(0, [0xff, 0xd8, 0xff])) return named('image', 'jpeg');
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return named('image', 'png');
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return named('image', 'webp');
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return named('image', 'gif');
  if (ascii(0, 'BM') && head.length >= 26) return named('image', 'bmp');
  if (ascii(4, 'ftyp')) {
    const iso = isoMedia(ftypBrands(head));
    return iso.kind === 'video' && mime.startsWith('audio/')
      ? { kind: 'unsupported', format: 'audio', message: AUDIO_MESSAGE } : iso;
  }
  const audio = { kind: /** @type {const} */ ('unsupported'), format: 'audio', message: AUDIO_MESSAGE };
  if ((ascii(0, 'RIFF') && ascii(8, 'WAVE')) || ascii(0, 'ID3') || ascii(0, 'fLaC')
    || (ascii(0, 'OggS') && !mime.startsWith('video/')) || mime.startsWith('audio/')) {
    return audio;
  }
  if (at(0, [0x1a, 0x45, 0xdf, 0xa3])) {
    const text = String.fromCharCode(...head);
    return named('video', text.includes('matroska') ? 'mkv' : 'webm');
  }
  if (ascii(0, 'RIFF') && ascii(8, 'AVI ')) return named('video', 'avi');
  if (ascii(0, 'OggS')) return named('video', 'ogg');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && mime === 'image/svg+xml') || mime === 'image/svg+xml') {
    return { kind: 'unsupported', format: 'svg',
      message: 'SVG drawings are not supported: the model judges photographs of faces (JPEG, PNG, WebP, AVIF, GIF, BMP).' };
  }
  if (mime.startsWith('video/')) return { kind: 'video', format: 'video', type: mime, label: 'video' };
  return { kind: 'unsupported', format: 'unknown',
    message: 'Unsupported file: this is not a JPEG, PNG, WebP, AVIF, GIF or BMP image, nor a video (MP4, WebM, MOV).' };
}

/**
 * The picture format a media type names (image/jpeg -> jpeg), or null: the
 * browser's guess from the file's name, to be checked against the bytes.
 * @param {string} type
 * @returns {string|null}
 */
export function namedPictureFormat(type) {
  if (!type.startsWith('image/')) return null;
  return Object.entries(NAMES).find(([, name]) => name.type === type)?.[0] ?? null;
}

/**
 * Whether a JPEG's bytes end where a JPEG ends (FF D9, allowing trailing padding).
 * @param {Uint8Array} tail the last bytes of the file
 */
export function jpegLooksComplete(tail) {
  for (let i = tail.length - 2; i >= Math.max(0, tail.length - 64); i -= 1) {
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  }
  return false;
}

/**
 * A file size in words: "812 bytes", "14.2 kB", "3.4 MB", "1.20 GB" (decimal units, as file managers show).
 * @param {number} bytes
 */
export function sizeText(bytes) {
  if (bytes < 1000) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit]}`;
}
