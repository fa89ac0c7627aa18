// Service worker: after one visit the site works offline. It precaches the
// files listed in precache-manifest.js (generated at build time) under a cache
// named after their content hash; a new deployment installs a new cache and
// deletes the old ones. Only same-origin GETs are handled; nothing is sent
// anywhere. Other models and the docs are cached when first used.
/* global self, caches, importScripts */
importScripts('precache-manifest.js');

const PREFIX = 'mesonet-';
const CACHE = `${PREFIX}${self.PRECACHE.version}`;

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

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    // caches.open would re-create a cache an activating successor just deleted
    const cache = await caches.has(CACHE) ? await caches.open(CACHE) : null;
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
  })());
});
