// @ts-check
/**
 * A module worker that computes files' sha256 (file-hash.js), one file at a
 * time in the order asked, off the page's thread and outside the analysis
 * engine. Message in: { id, blob }; out: { id, sha256 } or { id, error }.
 */
import { sha256 } from '../../vendor/sha256.js';
import { sha256OfBlob } from '../domain/file-hash.js';

/** @type {Promise<void>} */
let queue = Promise.resolve();

self.addEventListener('message', (event) => {
  const { id, blob } = /** @type {MessageEvent} */ (event).data;
  queue = queue.then(async () => {
    try {
      const digest = await sha256OfBlob(blob, { subtle: self.crypto?.subtle ?? null, incremental: () => sha256.create() });
      self.postMessage({ id, sha256: digest });
    } catch (error) {
      self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
