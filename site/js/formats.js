// @ts-check
/**
 * What a file is, from its first bytes (pure): the name and the browser's MIME
 * guess can lie (a text file renamed .jpg), the bytes do not.
 */

/**
 * @typedef {{ kind: 'image'|'video'|'unsupported', format: string, message?: string }} Sniffed
 */

/**
 * @param {Uint8Array} head the first bytes of the file (32 are enough)
 * @param {string} [mime] the browser's type for the file, used only for videos it cannot sniff
 * @returns {Sniffed}
 */
export function sniffFormat(head, mime = '') {
  const at = (/** @type {number} */ i, /** @type {number[]} */ bytes) => bytes.every((b, k) => head[i + k] === b);
  const ascii = (/** @type {number} */ i, /** @type {string} */ text) => at(i, [...text].map((c) => c.charCodeAt(0)));
  if (head.length === 0) return { kind: 'unsupported', format: 'empty', message: 'This file is empty (0 bytes).' };
  if (at(0, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', format: 'png' };
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return { kind: 'image', format: 'webp' };
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return { kind: 'image', format: 'gif' };
  if (ascii(0, 'BM') && head.length >= 26) return { kind: 'image', format: 'bmp' };
  const audio = { kind: /** @type {const} */ ('unsupported'), format: 'audio',
    message: 'This is an audio file: there is no picture, so no face to analyse.' };
  if ((ascii(0, 'RIFF') && ascii(8, 'WAVE')) || ascii(0, 'ID3') || ascii(0, 'fLaC') || ascii(8, 'M4A ')
    || (ascii(0, 'OggS') && !mime.startsWith('video/')) || mime.startsWith('audio/')) {
    return audio;
  }
  if (ascii(4, 'ftyp') || at(0, [0x1a, 0x45, 0xdf, 0xa3]) || (ascii(0, 'RIFF') && ascii(8, 'AVI ')) || ascii(0, 'OggS')) {
    return { kind: 'video', format: 'video' };
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && mime === 'image/svg+xml') || mime === 'image/svg+xml') {
    return { kind: 'unsupported', format: 'svg',
      message: 'SVG drawings are not supported: the model judges photographs of faces (JPEG, PNG, WebP, GIF, BMP).' };
  }
  if (mime.startsWith('video/')) return { kind: 'video', format: 'video' };
  return { kind: 'unsupported', format: 'unknown',
    message: 'Unsupported file: this is not a JPEG, PNG, WebP, GIF or BMP image, nor a video (MP4, WebM, MOV).' };
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
