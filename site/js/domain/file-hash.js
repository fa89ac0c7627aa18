// @ts-check
/**
 * The sha256 of a file, so a result can be tied to the exact bytes it was
 * made from (pure: the hash functions are handed in; tests/js/file-hash.test.js).
 * SubtleCrypto has no streaming digest: a file is read whole into memory for
 * it, which is fine for photos and clips but not for a 2 GB video. So files up
 * to WHOLE_LIMIT go to SubtleCrypto (native, fast), larger ones are read in
 * CHUNK slices into an incremental SHA-256 (@noble/hashes, bundled into
 * vendor/sha256.js), which never holds more than one slice. The page runs
 * this in hash-worker.js, after a file's verdict, so it never delays one.
 */

/** Largest file read whole for SubtleCrypto. */
export const WHOLE_LIMIT = 64 * 1024 * 1024;
/** Slice read at a time for the incremental hash. */
export const CHUNK = 4 * 1024 * 1024;

/**
 * @typedef {{ update(bytes: Uint8Array): unknown, digest(): Uint8Array }} IncrementalHash
 * @typedef {object} HashTools
 * @property {SubtleCrypto|null} [subtle] crypto.subtle where available (secure contexts)
 * @property {() => IncrementalHash} incremental a new incremental SHA-256
 * @property {number} [wholeLimit]
 * @property {number} [chunk]
 */

/** @param {Uint8Array} bytes */
export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The sha256 of bytes in memory (a model's files), with the platform's
 * SubtleCrypto.
 * @param {ArrayBuffer} buffer
 * @param {SubtleCrypto} [subtle]
 * @returns {Promise<string>} lowercase hex sha256
 */
export async function sha256Hex(buffer, subtle = crypto.subtle) {
  return hex(new Uint8Array(await subtle.digest('SHA-256', buffer)));
}

/**
 * @param {Blob} blob a File
 * @param {HashTools} tools
 * @returns {Promise<string>} lowercase hex sha256
 */
export async function sha256OfBlob(blob, { subtle = null, incremental, wholeLimit = WHOLE_LIMIT, chunk = CHUNK }) {
  if (subtle && blob.size <= wholeLimit) {
    return hex(new Uint8Array(await subtle.digest('SHA-256', await blob.arrayBuffer())));
  }
  const hash = incremental();
  for (let offset = 0; offset < blob.size; offset += chunk) {
    hash.update(new Uint8Array(await blob.slice(offset, offset + chunk).arrayBuffer()));
  }
  return hex(hash.digest());
}
