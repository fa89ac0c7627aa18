import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEAD_BYTES, ftypBrands, jpegLooksComplete, namedPictureFormat, sizeText, sniffFormat } from '../../site/js/domain/formats.js';

const bytes = (/** @type {string|number[]} */ v) => (typeof v === 'string'
  ? new TextEncoder().encode(v) : Uint8Array.from(v));

test('images are recognised by their bytes', () => {
  assert.equal(sniffFormat(bytes([0xff, 0xd8, 0xff, 0xe0])).format, 'jpeg');
  assert.equal(sniffFormat(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])).format, 'png');
  assert.equal(sniffFormat(bytes('RIFF\0\0\0\0WEBPVP8 ')).format, 'webp');
  assert.equal(sniffFormat(bytes('GIF89a')).format, 'gif');
  assert.equal(sniffFormat(bytes('BM' + '\0'.repeat(30))).format, 'bmp');
});

test('empty, text renamed .jpg and SVG are unsupported, with a message', () => {
  assert.match(sniffFormat(bytes([])).message, /empty/);
  const text = sniffFormat(bytes('not really a JPEG'), 'image/jpeg');
  assert.equal(text.kind, 'unsupported');
  assert.match(text.message, /not a JPEG, PNG/);
  assert.equal(sniffFormat(bytes('not a video'), 'video/mp4').kind, 'video', 'a video the bytes cannot tell: the browser decides');
  assert.equal(sniffFormat(bytes('<svg xmlns="http://www.w3.org/2000/svg">')).format, 'svg');
  assert.equal(sniffFormat(bytes('<?xml version="1.0"?><svg'), 'image/svg+xml').format, 'svg');
});

test('videos are recognised (MP4, WebM) or taken from the MIME type', () => {
  assert.equal(sniffFormat(bytes('\0\0\0\x18ftypmp42')).kind, 'video');
  assert.equal(sniffFormat(bytes([0x1a, 0x45, 0xdf, 0xa3])).kind, 'video');
  assert.equal(sniffFormat(bytes('????'), 'video/quicktime').kind, 'video');
});

test('audio files are recognised and refused with a message saying so', () => {
  for (const [head, mime] of [['RIFF\0\0\0\0WAVEfmt ', ''], ['ID3\x04', ''], ['fLaC', ''],
    ['\0\0\0\x20ftypM4A ', ''], ['OggS', ''], ['\x1a\x45\xdf\xa3', 'audio/webm']]) {
    const sniffed = sniffFormat(bytes(head), mime);
    assert.equal(sniffed.kind, 'unsupported', head);
    assert.match(sniffed.message, /audio file/);
  }
  assert.equal(sniffFormat(bytes('OggS'), 'video/ogg').kind, 'video');
});

test('a JPEG without its end marker looks truncated', () => {
  assert.equal(jpegLooksComplete(bytes([1, 2, 0xff, 0xd9])), true);
  assert.equal(jpegLooksComplete(bytes([1, 2, 0xff, 0xd9, 0, 0])), true);
  assert.equal(jpegLooksComplete(bytes([1, 2, 3, 4])), false);
});

/** An ftyp box: size, 'ftyp', major brand, minor version, compatible brands. */
function ftyp(major, ...compatible) {
  const size = 16 + 4 * compatible.length;
  const body = `ftyp${major}\0\0\0\0${compatible.join('')}`;
  return bytes([0, 0, 0, size, ...new TextEncoder().encode(body), 0, 0, 0, 8, ...new TextEncoder().encode('meta')]);
}

test('an ISO media file is what its brands say: HEIC and AVIF are pictures, MP4 and MOV videos, M4A audio', () => {
  assert.deepEqual(ftypBrands(ftyp('heic', 'mif1', 'heic')), ['heic', 'mif1', 'heic']);
  const iphone = sniffFormat(ftyp('heic', 'mif1', 'heic'), 'video/mp4');
  assert.equal(iphone.kind, 'image');
  assert.equal(iphone.format, 'heic');
  assert.equal(iphone.type, 'image/heic');
  assert.match(iphone.undecodable, /HEIC/);
  assert.match(iphone.undecodable, /JPEG/, 'says how to convert it');
  assert.equal(sniffFormat(ftyp('mif1', 'heic')).format, 'heic');
  assert.equal(sniffFormat(ftyp('heix')).format, 'heic');
  assert.equal(sniffFormat(ftyp('avif', 'mif1', 'miaf')).format, 'avif');
  assert.equal(sniffFormat(ftyp('mif1', 'avif', 'miaf')).format, 'avif');
  assert.equal(sniffFormat(ftyp('avif')).undecodable, undefined, 'Chromium decodes AVIF');
  assert.deepEqual([sniffFormat(ftyp('isom', 'iso2', 'avc1', 'mp41')).kind, sniffFormat(ftyp('isom')).type], ['video', 'video/mp4']);
  assert.equal(sniffFormat(ftyp('qt  ', 'qt  ')).type, 'video/quicktime');
  assert.equal(sniffFormat(ftyp('3gp5', 'isom')).format, '3gp');
  assert.equal(sniffFormat(ftyp('M4A ', 'isom')).format, 'audio');
  assert.equal(sniffFormat(ftyp('isom'), 'audio/mp4').format, 'audio', 'an MP4 the browser calls audio');
  assert.equal(sniffFormat(ftyp('crx ')).kind, 'unsupported');
});

test('a JPEG named .mp4 is an image, a WebM named .jpg a video', () => {
  const jpeg = sniffFormat(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'video/mp4');
  assert.deepEqual([jpeg.kind, jpeg.type, jpeg.label], ['image', 'image/jpeg', 'JPEG image']);
  const webm = sniffFormat(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 1, 0x42, 0x82, 0x84, ...new TextEncoder().encode('webm')]), 'image/jpeg');
  assert.deepEqual([webm.kind, webm.type], ['video', 'video/webm']);
  const mkv = sniffFormat(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x42, 0x82, 0x88, ...new TextEncoder().encode('matroska')]));
  assert.equal(mkv.type, 'video/x-matroska');
  assert.ok(HEAD_BYTES >= 40, 'enough bytes for the brands and the DocType');
});

test('sizes in words, decimal units', () => {
  assert.equal(sizeText(0), '0 bytes');
  assert.equal(sizeText(1), '1 byte');
  assert.equal(sizeText(999), '999 bytes');
  assert.equal(sizeText(14_200), '14.2 kB');
  assert.equal(sizeText(3_456_789), '3.46 MB');
  assert.equal(sizeText(123_456_789), '123 MB');
  assert.equal(sizeText(1_200_000_000), '1.20 GB');
});

test('the picture format a media type names, to be checked against the bytes', () => {
  assert.equal(namedPictureFormat('image/jpeg'), 'jpeg');
  assert.equal(namedPictureFormat('image/png'), 'png');
  assert.equal(namedPictureFormat('image/heic'), 'heic');
  // what sniffFormat names a picture of that type
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(56).fill(0)]);
  assert.equal(namedPictureFormat('image/png'), sniffFormat(png).format);
  for (const type of ['video/mp4', 'image/svg+xml', 'image/x-unknown', 'text/plain', '']) {
    assert.equal(namedPictureFormat(type), null, type);
  }
});
