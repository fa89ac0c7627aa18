// Service worker: after one visit the site works offline. It precaches the
// files listed in precache-manifest.js (generated at build time) under a cache
// named after their content hash; a new deployment installs a new cache and
// deletes the old ones. Only same-origin GETs are handled; nothing is sent
// anywhere. Other models and the docs are cached when first used.
// Converted models (model/: the list and each model's files) are asked of the
// network first and cached, so a model exported into the site, or exported
// again, reaches a returning visitor at once; offline, the cached copy is used.
// It also makes the pages it serves cross-origin isolated (see isolate below).
/* global self, caches, importScripts */
importScripts('precache-manifest.js');

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

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
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
