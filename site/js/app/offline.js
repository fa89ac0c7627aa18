// @ts-check
/** Registers the service worker that makes the site work offline after one visit. */

/**
 * @returns {Promise<ServiceWorkerRegistration|null>} null where unsupported
 */
export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return null;
  try {
    const root = new URL('../../', import.meta.url);
    return await navigator.serviceWorker.register(new URL('sw.js', root), { scope: root.href });
  } catch {
    return null; // the site still works online without it
  }
}
