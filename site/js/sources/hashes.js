// @ts-check
/**
 * The page's side of file hashing: files' sha256 computed in hash-worker.js
 * (started on the first file), answered by id; where a module worker cannot
 * run, the same code runs on the page's thread, a slice at a time.
 */

/**
 * @returns {{ hash: (blob: Blob) => Promise<string> }}
 */
export function createHasher() {
  /** @type {Worker|null} */
  let worker = null;
  let broken = false;
  let next = 0;
  /** @type {Map<number, { blob: Blob, resolve: (hex: string) => void, reject: (error: Error) => void }>} */
  const waiting = new Map();
  /** @type {Promise<unknown>} */
  let onPage = Promise.resolve();

  /** Where no worker can do it: on this thread, one file after the other. @param {Blob} blob */
  function hashOnPage(blob) {
    const done = onPage.then(async () => {
      const [{ sha256 }, { sha256OfBlob }] = await Promise.all([import('../../vendor/sha256.js'), import('../domain/file-hash.js')]);
      return sha256OfBlob(blob, { subtle: globalThis.crypto?.subtle ?? null, incremental: () => sha256.create() });
    });
    onPage = done.catch(() => {});
    return done;
  }

  function startWorker() {
    if (worker || broken) return worker;
    try {
      worker = new Worker(new URL('./hash-worker.js', import.meta.url), { type: 'module' });
    } catch {
      broken = true;
      return null;
    }
    worker.addEventListener('message', (event) => {
      const { id, sha256, error } = event.data;
      const pending = waiting.get(id);
      if (!pending) return;
      waiting.delete(id);
      if (error) pending.reject(new Error(error));
      else pending.resolve(sha256);
    });
    worker.addEventListener('error', (event) => {
      // The worker did not start (or died): what it had is hashed on the page instead.
      event.preventDefault();
      broken = true;
      worker?.terminate();
      worker = null;
      for (const pending of waiting.values()) hashOnPage(pending.blob).then(pending.resolve, pending.reject);
      waiting.clear();
    });
    return worker;
  }

  return {
    hash(blob) {
      const w = typeof Worker === 'undefined' ? null : startWorker();
      if (!w) return hashOnPage(blob);
      return new Promise((resolve, reject) => {
        const id = next;
        next += 1;
        waiting.set(id, { blob, resolve, reject });
        w.postMessage({ id, blob });
      });
    },
  };
}
