/*
 * cachewhy's service worker: keeps the app's own files so the page keeps working offline once it has
 * loaded (and reloads offline). It only ever handles GET requests to its own origin; there is nothing
 * else to handle, since the page talks to no other origin (see the CSP in index.html).
 *
 * - Build assets (assets/*, content-hashed names) never change: cache first.
 * - Everything else (the page, the built-in example) may change on a redeploy: network first, and the
 *   cached copy when the network is not there.
 */
const CACHE = 'cachewhy-v1';
const EXAMPLE = 'examples/seed-replica/';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(['./', EXAMPLE + 'manifest.json']);
      // The example's files are listed in its manifest; keep them too, so "Try the example" works offline.
      const manifest = await (await cache.match(EXAMPLE + 'manifest.json'))?.json().catch(() => null);
      if (manifest && Array.isArray(manifest.files)) {
        await cache.addAll(manifest.files.map((f) => EXAMPLE + f.name)).catch(() => undefined);
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const immutable = url.pathname.includes('/assets/');
  event.respondWith(immutable ? cacheFirst(request) : networkFirst(request));
});

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // The fragment is not part of the request URL, so `./#r=…` finds the cached page.
    const hit = (await cache.match(request, { ignoreSearch: true })) ?? (request.mode === 'navigate' ? await cache.match('./') : undefined);
    if (hit) return hit;
    throw error;
  }
}
