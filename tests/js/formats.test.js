import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jpegLooksComplete, sniffFormat } from '../../site/js/formats.js';

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
