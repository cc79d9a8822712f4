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

// Web Push from the server (server/src/notify/push.rs): the payload is
// JSON `{title, body, url, id}`. One notification per message, tagged by id
// so a message delivered twice shows once.
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = { body: event.data ? event.data.text() : '' };
  }
  const title = message.title || '支部';
  const options = {
    body: message.body || '',
    icon: '/icons/icon-192.png',
    lang: 'zh-CN',
    data: { url: message.url || '/notifications', id: message.id },
  };
  if (message.id !== undefined) options.tag = 'zhibu-' + message.id;
  event.waitUntil(self.registration.showNotification(title, options));
});

// Tapping a notification opens its page: in a window of the app already
// open when there is one, else in a new one. Only paths of the app itself.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = (event.notification.data && event.notification.data.url) || '/notifications';
  const target = new URL(path, self.location.origin);
  const url = target.origin === self.location.origin ? target.href : self.location.origin + '/notifications';
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
    if (open) {
      await open.focus();
      if ('navigate' in open) {
        try {
          await open.navigate(url);
        } catch (error) {
          // An uncontrolled window refuses `navigate`; it is focused at least.
        }
      }
      return;
    }
    await self.clients.openWindow(url);
  })());
});
