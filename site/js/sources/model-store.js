// @ts-check
/**
 * Keeping the user's own model on this device, when they ask: its files in
 * this browser's IndexedDB, never uploaded. One model is kept at a time.
 * What comes back out is checked: every file against the sha256 recorded
 * when it was kept (here), then model.json and its shards against
 * metadata.json (model-files.js, as for any model). A damaged or changed
 * store is refused with a message, never used.
 */
import { sha256Hex } from '../domain/file-hash.js';

const DB_NAME = 'mesonet-own-model';
const STORE = 'models';
const KEY = 'kept';

/**
 * @typedef {{ name: string, type: string, bytes: ArrayBuffer, sha256: string }} KeptFile
 * @typedef {{ id: string, name: string, keptAt: string, files: KeptFile[] }} KeptModel
 */

const DAMAGED = 'The model kept on this device is damaged or was changed';

/**
 * The record kept for a converted model's files (model.json, shards, metadata.json).
 * @param {File[]} files
 * @returns {Promise<KeptModel>}
 */
export async function keptRecord(files) {
  /** @type {KeptFile[]} */
  const kept = [];
  for (const file of files) {
    const bytes = await file.arrayBuffer();
    kept.push({ name: file.name, type: file.type, bytes, sha256: await sha256Hex(bytes) });
  }
  const meta = kept.find((f) => f.name === 'metadata.json');
  if (!meta) throw new Error('metadata.json is not among the model files.');
  const metadata = JSON.parse(new TextDecoder().decode(meta.bytes));
  return { id: String(metadata.id ?? ''), name: String(metadata.name ?? 'My model'),
    keptAt: new Date().toISOString(), files: kept };
}

/**
 * The files of a kept record, each checked against the sha256 recorded with it.
 * @param {KeptModel|null|undefined} record
 * @returns {Promise<File[]>}
 */
export async function verifiedFiles(record) {
  const entries = Array.isArray(record?.files) ? record.files : [];
  if (entries.length === 0) throw new Error(`${DAMAGED} (it holds no files): add it again.`);
  const files = [];
  for (const entry of entries) {
    const ok = entry?.bytes instanceof ArrayBuffer && await sha256Hex(entry.bytes) === entry.sha256;
    if (!ok) {
      throw new Error(`${DAMAGED} (${entry?.name ?? 'a file'} does not match the sha256 recorded `
        + 'when it was kept): untick "Keep my own model on this device" and add it again.');
    }
    files.push(new File([entry.bytes], entry.name, { type: entry.type }));
  }
  return files;
}

// ------------------------------------------------------------------ IndexedDB

/** @returns {Promise<IDBDatabase>} */
function openStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * @template T
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} action
 * @returns {Promise<T>}
 */
async function run(mode, action) {
  const db = await openStore();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

/**
 * Keep these files (replacing the model kept before).
 * @param {File[]} files
 * @returns {Promise<KeptModel>}
 */
export async function keepModel(files) {
  const record = await keptRecord(files);
  await run('readwrite', (store) => store.put(record, KEY));
  return record;
}

/** @returns {Promise<KeptModel|null>} the kept record, unchecked (to offer it), or null */
export async function keptModel() {
  return (await run('readonly', (store) => store.get(KEY))) ?? null;
}

/** @returns {Promise<File[]>} the kept model's files, checked */
export async function keptFiles() {
  return verifiedFiles(await keptModel());
}

/** Remove the kept model from this device. */
export async function forgetModel() {
  await run('readwrite', (store) => store.delete(KEY));
}
