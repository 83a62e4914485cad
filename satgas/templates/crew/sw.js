/* SATGAS crew app: service worker (scope {{ page }}).
 * Keeps the app shell — page, modules, styles, icons, vendor libraries — so the app opens and
 * works with no network. The API is never cached here: the app keeps its own copies of logs and
 * photos in IndexedDB and deletes them only once the server confirms it holds them. */
'use strict';

const VERSION = {{ version|tojson }};
const CACHE = `satgas-crew-${VERSION}`;
const PAGE = {{ page|tojson }};
const SHELL = {{ shell|tojson }};

self.addEventListener('install', (event) => {
  // `reload`: take the files from the server, never from an older HTTP cache.
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('satgas-crew-') && n !== CACHE)
        .map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname.startsWith(PAGE)) {
    event.respondWith(fromCache(PAGE, request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(fromCache(url.pathname, request));
  }
  // Everything else (the API above all) goes to the network as usual.
});

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreSearch: true });
  return hit || fetch(request);
}
