// @ts-check
/**
 * A URL a <video> can read the user's file from: a same-origin URL answered
 * by the site's service worker (sw.js: Range requests, 206) when it controls
 * the page, else a blob: URL. WebKit cannot play an H.264 MP4 from blob:
 * (docs/browsers.md) and plays it from the service worker; other engines
 * play both. Nothing leaves the device: the worker holds the File (a handle)
 * in memory until released.
 */

/**
 * Longest wait, on a first visit, for the service worker to take control of
 * the page (it does once its install, the offline cache, is done).
 */
export const CONTROL_WAIT_MS = 10000;
/** Longest wait for the service worker to accept a file (an older one never answers). */
export const HANDOVER_TIMEOUT_MS = 2000;

/** @typedef {{ url: string, via: 'service-worker'|'blob', release: () => void }} FileUrl */

/** Files handed to the service worker, by id, to hand again if it restarted. */
const handed = new Map();
let listening = false;

/** Answers the service worker's "file-wanted" (it was stopped and lost its files). */
function listen() {
  if (listening) return;
  listening = true;
  navigator.serviceWorker.addEventListener('message', (event) => {
    const { type, id } = event.data || {};
    if (type === 'file-wanted') event.ports[0]?.postMessage({ file: handed.get(id) ?? null });
  });
  navigator.serviceWorker.startMessages();
}

/**
 * The service worker controlling the page, waiting for one still installing
 * or activating (a first visit), or null.
 * @returns {Promise<ServiceWorker|null>}
 */
async function controller() {
  if (!('serviceWorker' in navigator)) return null;
  const sw = navigator.serviceWorker;
  if (sw.controller) return sw.controller;
  const registration = await sw.getRegistration();
  if (!registration || !(registration.installing || registration.waiting || registration.active)) return null;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, CONTROL_WAIT_MS);
    sw.addEventListener('controllerchange', () => { clearTimeout(timer); resolve(undefined); }, { once: true });
  });
  return sw.controller;
}

/**
 * Hand a file to the service worker; its URL, or null if it did not take it.
 * @param {ServiceWorker} worker
 * @param {string} id
 * @param {Blob} file
 * @returns {Promise<string|null>}
 */
function handOver(worker, id, file) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), HANDOVER_TIMEOUT_MS);
    channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data?.served ?? null); };
    worker.postMessage({ type: 'serve-file', id, file }, [channel.port2]);
  });
}

/**
 * @param {Blob} file
 * @returns {Promise<FileUrl>}
 */
export async function fileUrl(file) {
  const worker = await controller().catch(() => null);
  if (worker) {
    const id = crypto.randomUUID();
    listen();
    handed.set(id, file);
    const url = await handOver(worker, id, file);
    if (url) {
      return {
        url, via: 'service-worker',
        release: () => {
          handed.delete(id);
          navigator.serviceWorker.controller?.postMessage({ type: 'forget-file', id });
        },
      };
    }
    handed.delete(id);
  }
  const url = URL.createObjectURL(file);
  return { url, via: 'blob', release: () => URL.revokeObjectURL(url) };
}
