// Vigie's service worker: shows the alerts pushed by the server and opens them on click.
// It must be served from /sw.js so that its scope covers the whole site.
"use strict";

const DEFAULT_TITLE = "Vigie";
const ICON = "/static/vigie/icon-192.png";

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
