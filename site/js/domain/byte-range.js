// @ts-check
/* A classic script (no import/export): the service worker loads it with
 * importScripts (sw.js), and tests/js/byte-range.test.js runs it in a
 * context of its own. */
/* exported byteRange */

/**
 * The part of a file of `size` bytes an HTTP Range header asks for (RFC 9110
 * section 14): one range of bytes, as media elements ask. A header that is
 * absent, malformed, of another unit or of several ranges is ignored (the
 * whole file, 200, as the RFC allows); a range starting past the end cannot
 * be satisfied (416).
 * @param {string|null} header the Range header
 * @param {number} size bytes
 * @returns {{ status: 200|206|416, start: number, end: number }} end exclusive
 */
function byteRange(header, size) {
  const whole = { status: /** @type {200} */ (200), start: 0, end: size };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return whole;
  let start;
  let end;
  if (match[1] === '') { // the last N bytes
    const suffix = Number(match[2]);
    if (suffix === 0) return { status: 416, start: 0, end: 0 };
    start = Math.max(0, size - suffix);
    end = size;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size : Math.min(size, Number(match[2]) + 1);
    if (match[2] !== '' && Number(match[2]) < start) return whole; // invalid: ignored
  }
  if (start >= size) return { status: 416, start: 0, end: 0 };
  return { status: 206, start, end };
}
