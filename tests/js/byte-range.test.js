// The service worker's Range rule (site/js/domain/byte-range.js, a classic script
// it loads with importScripts): run here in a context of its own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const context = vm.createContext({});
vm.runInContext(readFileSync(new URL('../../site/js/domain/byte-range.js', import.meta.url), 'utf8'), context);
/** @type {(header: string|null, size: number) => { status: number, start: number, end: number }} */
const byteRange = (header, size) => ({ ...context.byteRange(header, size) });

test('no Range: the whole file, 200', () => {
  assert.deepEqual(byteRange(null, 1000), { status: 200, start: 0, end: 1000 });
  assert.deepEqual(byteRange('', 1000), { status: 200, start: 0, end: 1000 });
});

test('a range of bytes: 206, the end inclusive in the header and exclusive here', () => {
  assert.deepEqual(byteRange('bytes=0-99', 1000), { status: 206, start: 0, end: 100 });
  assert.deepEqual(byteRange('bytes=500-', 1000), { status: 206, start: 500, end: 1000 });
  assert.deepEqual(byteRange('bytes=0-', 1000), { status: 206, start: 0, end: 1000 }, 'what media elements ask first');
  assert.deepEqual(byteRange('bytes = 10 - 19', 1000), { status: 206, start: 10, end: 20 });
  assert.deepEqual(byteRange('Bytes=10-19', 1000), { status: 206, start: 10, end: 20 });
});

test('a range past the end is cut at the end; one starting past it cannot be satisfied', () => {
  assert.deepEqual(byteRange('bytes=900-5000', 1000), { status: 206, start: 900, end: 1000 });
  assert.deepEqual(byteRange('bytes=999-', 1000), { status: 206, start: 999, end: 1000 });
  assert.equal(byteRange('bytes=1000-', 1000).status, 416);
  assert.equal(byteRange('bytes=2000-3000', 1000).status, 416);
  assert.equal(byteRange('bytes=0-', 0).status, 416, 'an empty file has no byte 0');
});

test('the last N bytes', () => {
  assert.deepEqual(byteRange('bytes=-100', 1000), { status: 206, start: 900, end: 1000 });
  assert.deepEqual(byteRange('bytes=-5000', 1000), { status: 206, start: 0, end: 1000 });
  assert.equal(byteRange('bytes=-0', 1000).status, 416);
});

test('what is not one valid range of bytes is ignored: the whole file', () => {
  for (const header of ['bytes=0-1,5-6', 'items=0-10', 'bytes=-', 'bytes=abc', 'bytes=20-10', 'bytes 0-10']) {
    assert.deepEqual(byteRange(header, 1000), { status: 200, start: 0, end: 1000 }, header);
  }
});
