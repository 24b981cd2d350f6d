/* Convene's service worker: the app shell and recently read discussions for offline reading,
   push notifications, and nothing private left behind after signing out. */
/* global self, caches, clients, OFFLINE */
const SHELL = 'convene-shell-v1';
const PAGES = 'convene-pages';
const KEEP_PAGES = 30;
const SHELL_FILES = ['/assets/uswds/css/uswds.min.css', '/assets/convene.css', '/assets/convene.js', '/assets/favicon.svg', '/offline'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('convene-shell-') && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function keepPage(path, response) {
  const cache = await caches.open(PAGES);
  await cache.delete(path);
  await cache.put(path, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - KEEP_PAGES))) await cache.delete(old);
}

const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** An offline copy says so, in the page's language, at the top of its main content. */
async function markedOffline(response) {
  const html = await response.text();
  const lang = /<html lang="es"/.test(html) ? 'es' : 'en';
  const banner = `<div class="usa-alert usa-alert--warning convene-offline" role="status"><div class="usa-alert__body"><p class="usa-alert__text">${escapeHtml(OFFLINE[lang])}</p></div></div>`;
  return new Response(html.replace(/(<main[^>]*>)/, `$1${banner}`), { headers: { 'content-type': 'text/html; charset=utf-8', 'x-convene-offline': '1' } });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          // Discussions read while online are kept for reading offline (the newest thirty).
          if (response.ok && !response.redirected && /^\/threads\/\d+$/.test(url.pathname)) event.waitUntil(keepPage(url.pathname, response.clone()));
          return response;
        } catch (err) {
          const kept = await (await caches.open(PAGES)).match(url.pathname);
          if (kept) return markedOffline(kept);
          const offline = await caches.match('/offline');
          if (offline) return offline;
          throw err;
        }
      })(),
    );
    return;
  }
  // The shell's files: from the cache when offline.
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(fetch(request).catch(() => caches.match(request, { ignoreSearch: true }).then((r) => r || Response.error())));
  }
});

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = { title: 'Convene', body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Convene', {
      body: data.body || '',
      // One notification per discussion: a newer one replaces it.
      tag: data.tag,
      renotify: Boolean(data.tag),
      data: { url: data.url },
      icon: '/icons/192.png',
      badge: '/icons/192.png',
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const raw = event.notification.data && event.notification.data.url;
  const url = raw && new URL(raw, self.location.origin).origin === self.location.origin ? raw : '/';
  event.waitUntil(
    clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const c of list) if (c.url === url && 'focus' in c) return c.focus();
      return clients.openWindow(url);
    }),
  );
});

// Signing out: every cached page goes (the sign-out answer's Clear-Site-Data does the same where supported).
self.addEventListener('message', (event) => {
  if (event.data === 'convene:clear') event.waitUntil(caches.keys().then((keys) => Promise.all(keys.map((k) => caches.delete(k)))));
});
