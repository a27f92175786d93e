// Vigie's service worker: shows the alerts pushed by the server and opens them on click,
// and shows the offline page (with the emergency numbers) when a page cannot load.
// It must be served from /sw.js so that its scope covers the whole site.
"use strict";

const DEFAULT_TITLE = "Vigie";
const ICON = "/static/vigie/icon-192.png";

// The /sw.js view writes the real values over these two placeholders: a version that
// changes with every deployment (so the new worker replaces the old cache), and the
// offline page followed by the static files it needs, as the server names them.
const CACHE_VERSION = "__VIGIE_CACHE_VERSION__";
const PRECACHE = ["__VIGIE_PRECACHE__"];
const CACHE_PREFIX = "vigie-offline-";
const CACHE_NAME = CACHE_PREFIX + CACHE_VERSION;
const OFFLINE_URL = PRECACHE[0];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE_NAME);
      // Fetched without cookies: the offline page kept on the device is the anonymous one,
      // with nothing of the person in it.
      await cache.addAll(PRECACHE.map((url) => new Request(url, { credentials: "omit" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

// Pages always come from the network and are never stored (they hold personal data);
// only when the network fails does the offline page answer. API calls and everything
// else are left to the browser. The precached static files answer from the cache.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(async () => {
        const offline = await caches.match(OFFLINE_URL, { ignoreVary: true });
        return offline || Response.error();
      }),
    );
    return;
  }
  const url = new URL(request.url);
  if (url.origin === self.location.origin && PRECACHE.includes(url.pathname)) {
    event.respondWith(
      caches
        .match(url.pathname, { ignoreVary: true })
        .then((cached) => cached || fetch(request)),
    );
  }
});

// Only pages of this site are opened: a message cannot send someone elsewhere.
function sameOriginUrl(candidate) {
  try {
    const url = new URL(candidate || "/", self.location.origin);
    return url.origin === self.location.origin ? url.href : self.location.origin + "/";
  } catch {
    return self.location.origin + "/";
  }
}

function readMessage(data) {
  if (!data) {
    return {};
  }
  try {
    const message = data.json();
    return message && typeof message === "object" ? message : {};
  } catch {
    return { body: data.text() };
  }
}

self.addEventListener("push", (event) => {
  const message = readMessage(event.data);
  const urgent = Boolean(message.urgent);
  const options = {
    body: typeof message.body === "string" ? message.body : "",
    icon: ICON,
    // An urgent alert stays on screen until dismissed.
    requireInteraction: urgent,
    data: { url: sameOriginUrl(message.url) },
  };
  if (message.tag) {
    // The same tag replaces the earlier notification instead of stacking a second one;
    // renotify makes an urgent replacement ring again (browsers refuse it without a tag).
    options.tag = String(message.tag);
    options.renotify = urgent;
  }
  const title = typeof message.title === "string" && message.title ? message.title : DEFAULT_TITLE;
  // Browsers revoke the subscription of a worker that receives a push and shows nothing,
  // so a notification is shown even when the message is malformed.
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = sameOriginUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (client.url === target && "focus" in client) {
          return client.focus();
        }
      }
      return self.clients.openWindow(target);
    })(),
  );
});
