// Service worker: after one visit the site works offline. It precaches the
// files listed in precache-manifest.js (generated at build time) under a cache
// named after their content hash; a new deployment installs a new cache and
// deletes the old ones. Only same-origin GETs are handled; nothing is sent
// anywhere. Other models and the docs are cached when first used.
// Converted models (model/: the list and each model's files) are asked of the
// network first and cached, so a model exported into the site, or exported
// again, reaches a returning visitor at once; offline, the cached copy is used.
// It also makes the pages it serves cross-origin isolated (see isolate below),
// and serves the user's video files to the page's <video> elements from a
// same-origin URL (see files below).
/* global self, caches, importScripts, byteRange */
importScripts('precache-manifest.js', 'js/domain/byte-range.js');

const PREFIX = 'mesonet-';
const CACHE = `${PREFIX}${self.PRECACHE.version}`;
const MODELS = new URL('model/', self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(self.PRECACHE.files.map((file) => new Request(file, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

// Cross-origin isolation lets the WASM backend use threads (SharedArrayBuffer):
// pages and workers need COOP and COEP headers, which static hosts like GitHub
// Pages cannot send, so they are added here. The site loads nothing from other
// origins, so require-corp blocks nothing. It takes effect from the second load,
// once this worker controls the page.
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** @param {Request} request @param {Response} response */
function isolate(request, response) {
  if (request.mode !== 'navigate' && request.destination !== 'worker') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

// The user's video files, handed over by the page (js/sources/video-url.js) and
// answered at video-file/<id> with Range requests (206), so a <video> reads
// them from a same-origin URL: WebKit cannot play an H.264 MP4 from a blob:
// URL, and plays it from here (docs/browsers.md). Held in this worker's
// memory only (a File is a handle on the user's file: nothing is copied or
// stored), forgotten when the page says so. If this worker was stopped and
// restarted meanwhile, the file is asked again of the page that wants it.
const FILES = new URL('video-file/', self.registration.scope).href;
/** @type {Map<string, Blob>} */
const files = new Map();

self.addEventListener('message', (event) => {
  const { type, id, file } = event.data || {};
  if (type === 'serve-file' && typeof id === 'string' && file instanceof Blob) {
    files.set(id, file);
    event.ports[0]?.postMessage({ served: FILES + id });
  } else if (type === 'forget-file') {
    files.delete(id);
  }
});

/** The file `id` from the page that asks for it (or any window of the site), or null. */
async function askForFile(clientId, id) {
  const asked = clientId ? [await self.clients.get(clientId)] : await self.clients.matchAll({ type: 'window' });
  for (const client of asked.filter(Boolean)) {
    const file = await new Promise((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => resolve(null), 2000);
      channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data?.file ?? null); };
      client.postMessage({ type: 'file-wanted', id }, [channel.port2]);
    });
    if (file instanceof Blob) return file;
  }
  return null;
}

/** @param {FetchEvent} event */
async function fileResponse(event) {
  const id = event.request.url.slice(FILES.length).split(/[?#]/)[0];
  let file = files.get(id);
  if (!file) {
    file = await askForFile(event.clientId, id);
    if (file) files.set(id, file);
  }
  if (!file) return new Response('This file is no longer available: add it again.', { status: 404 });
  const { status, start, end } = byteRange(event.request.headers.get('Range'), file.size);
  const headers = { 'Accept-Ranges': 'bytes', 'Content-Type': file.type || 'application/octet-stream',
    'Cache-Control': 'no-store' };
  if (status === 416) {
    return new Response(null, { status, headers: { ...headers, 'Content-Range': `bytes */${file.size}` } });
  }
  if (status === 206) headers['Content-Range'] = `bytes ${start}-${end - 1}/${file.size}`;
  headers['Content-Length'] = String(end - start);
  return new Response(file.slice(start, end), { status, headers });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.url.startsWith(FILES)) {
    event.respondWith(fileResponse(event));
    return;
  }
  event.respondWith(respond(request).then((response) => isolate(request, response)));
});

/** The cached copy, else the network's (cached for next time), else offline the page. */
async function respond(request) {
  // caches.open would re-create a cache an activating successor just deleted
  const cache = await caches.has(CACHE) ? await caches.open(CACHE) : null;
  if (request.mode !== 'navigate' && request.url.startsWith(MODELS)) return networkFirst(request, cache);
  const cached = cache && await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
  if (cached) return cached;
  try {
    const response = await fetch(request);
    if (response.ok && cache) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const fallback = request.mode === 'navigate' && cache ? await cache.match('./') : undefined;
    if (fallback) return fallback;
    throw error;
  }
}

/**
 * The network's copy, revalidated past the HTTP cache and cached for offline
 * use; the cached copy when the network fails or has no good answer.
 * @param {Request} request @param {Cache|null} cache
 */
async function networkFirst(request, cache) {
  let response;
  try {
    response = await fetch(new Request(request, { cache: 'no-cache' }));
  } catch (error) {
    const cached = cache && await cache.match(request);
    if (cached) return cached;
    throw error;
  }
  if (response.ok) {
    if (cache) await cache.put(request, response.clone());
    return response;
  }
  return (cache && await cache.match(request)) || response;
}
