// 支部 service worker. `cargo xtask build-app` fills in the build hash and
// the precache list; every build gets its own cache.
const CACHE = 'zhibu-{{BUILD_HASH}}';
const PRECACHE = {{PRECACHE}};
// A navigation that has not answered by then is served from the cache: on a
// weak network the shell beats a blank screen.
const NAVIGATION_TIMEOUT_MS = 6000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys
          .filter((key) => key.startsWith('zhibu-') && key !== CACHE)
          .map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API is network only: answers are per member and must never be stale.
  if (url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});

// Network first, so a new build shows at once; the cached shell when the
// network fails, stalls or the server is down; the offline page last.
async function navigation(request) {
  const cache = await caches.open(CACHE);
  const fallback = async () =>
    (await cache.match('/index.html')) || (await cache.match('/offline.html')) || Response.error();
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    return response.status >= 500 ? (await fallback()) : response;
  } catch (error) {
    return fallback();
  }
}

// Hashed assets never change, so a cached copy is always right.
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cached = await caches.match(request, { cacheName: CACHE });
    return cached || Response.error();
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}
