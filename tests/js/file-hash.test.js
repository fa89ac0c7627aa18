import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { CHUNK, WHOLE_LIMIT, hex, sha256OfBlob } from '../../site/js/domain/file-hash.js';

const expected = (/** @type {Uint8Array} */ bytes) => createHash('sha256').update(bytes).digest('hex');
const incremental = () => sha256.create();

test('small files: SubtleCrypto, equal to sha256sum', async () => {
  const bytes = randomBytes(100_003);
  assert.equal(await sha256OfBlob(new Blob([bytes]), { subtle: crypto.subtle, incremental }), expected(bytes));
  assert.equal(await sha256OfBlob(new Blob([]), { subtle: crypto.subtle, incremental }),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('large files: read in slices into the incremental hash, equal to sha256sum', async () => {
  const bytes = randomBytes(1_000_037);
  // slices that do not fall on SHA-256's 64-byte blocks
  for (const chunk of [1000, 65_537, 4096]) {
    assert.equal(await sha256OfBlob(new Blob([bytes]), { subtle: crypto.subtle, incremental, wholeLimit: 10_000, chunk }),
      expected(bytes), `chunk ${chunk}`);
  }
  assert.equal(await sha256OfBlob(new Blob([bytes]), { subtle: null, incremental }), expected(bytes), 'no SubtleCrypto');
  assert.ok(WHOLE_LIMIT >= CHUNK);
});

test('only one slice is read at a time', async () => {
  const bytes = randomBytes(50_000);
  const blob = new Blob([bytes]);
  const read = [];
  const spy = { size: blob.size, slice: (a, b) => { read.push(Math.min(b, blob.size) - a); return blob.slice(a, b); } };
  assert.equal(await sha256OfBlob(/** @type {any} */ (spy), { incremental, wholeLimit: 0, chunk: 8192 }), expected(bytes));
  assert.ok(read.every((n) => n <= 8192) && read.reduce((a, b) => a + b) === bytes.length);
});

test('hex', () => assert.equal(hex(Uint8Array.from([0, 15, 255])), '000fff'));
