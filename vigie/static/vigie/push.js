// Push notifications on this device: subscribe and unsubscribe buttons, and a status line.
//
// Expects, somewhere in the page:
//   <div data-push data-vapid-key="…" data-subscriptions-url="…" data-csrf-token="…">
//     <p data-push-status data-text-on="…" data-text-off="…" data-text-unsupported="…"
//        data-text-denied="…"></p>
//     <button type="button" data-push-subscribe hidden>…</button>
//     <button type="button" data-push-unsubscribe hidden>…</button>
//   </div>
// The data-text-* attributes may sit on the status element or on the [data-push] element;
// the texts come from the server so that they are translated there.
"use strict";

(() => {
  const root = document.querySelector("[data-push]");
  if (!root) {
    return;
  }
  const status = root.querySelector("[data-push-status]");
  const subscribeButton = root.querySelector("[data-push-subscribe]");
  const unsubscribeButton = root.querySelector("[data-push-unsubscribe]");
  const vapidKey = root.dataset.vapidKey || "";
  const subscriptionsUrl = root.dataset.subscriptionsUrl || "";
  const csrfToken = root.dataset.csrfToken || "";
  const supported =
    window.isSecureContext &&
    "serviceWorker" in navigator &&
    "PushManager" in window &&
    "Notification" in window &&
    Boolean(vapidKey && subscriptionsUrl);

  // state: "on", "off", "unsupported" or "denied".
  function show(state) {
    const attribute = "text" + state.charAt(0).toUpperCase() + state.slice(1);
    if (status) {
      status.textContent = status.dataset[attribute] || root.dataset[attribute] || "";
    }
    if (subscribeButton) {
      subscribeButton.hidden = state !== "off";
      subscribeButton.disabled = false;
    }
    if (unsubscribeButton) {
      unsubscribeButton.hidden = state !== "on";
      unsubscribeButton.disabled = false;
    }
  }

  function busy() {
    if (subscribeButton) {
      subscribeButton.disabled = true;
    }
    if (unsubscribeButton) {
      unsubscribeButton.disabled = true;
    }
  }

  // The server gives the key as base64url; pushManager wants the raw bytes.
  function keyBytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
  }

  function sameKey(buffer, expected) {
    if (!buffer) {
      return false;
    }
    const actual = new Uint8Array(buffer);
    return (
      actual.length === expected.length &&
      actual.every((byte, index) => byte === expected[index])
    );
  }

  function tellServer(method, body) {
    return fetch(subscriptionsUrl, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
  }

  async function currentSubscription() {
    const registration = await navigator.serviceWorker.getRegistration("/");
    return registration ? registration.pushManager.getSubscription() : null;
  }

  async function refresh() {
    if (Notification.permission === "denied") {
      show("denied");
      return;
    }
    show((await currentSubscription()) ? "on" : "off");
  }

  async function subscribe() {
    busy();
    // Asked first, while the click still counts as the person's own gesture.
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      show(permission === "denied" ? "denied" : "off");
      return;
    }
    const applicationServerKey = keyBytes(vapidKey);
    const registration = await window.vigieServiceWorker();
    await navigator.serviceWorker.ready;
    const existing = await registration.pushManager.getSubscription();
    if (existing && !sameKey(existing.options?.applicationServerKey, applicationServerKey)) {
      // Made for an earlier server key: subscribing again would fail until it is gone.
      await existing.unsubscribe();
    }
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey,
    });
    const keys = subscription.toJSON().keys || {};
    const response = await tellServer("POST", {
      endpoint: subscription.endpoint,
      keys: { p256dh: keys.p256dh, auth: keys.auth },
    });
    if (!response.ok) {
      // A subscription the server does not know would never receive anything.
      await subscription.unsubscribe();
      show("off");
      return;
    }
    show("on");
  }

  async function unsubscribe() {
    busy();
    const subscription = await currentSubscription();
    if (subscription) {
      try {
        await tellServer("DELETE", { endpoint: subscription.endpoint });
      } catch {
        // Unsubscribing below still works: the server forgets the endpoint at its next 410.
      }
      await subscription.unsubscribe();
    }
    show("off");
  }

  // Failures (blocked storage, a service worker refused, no network) leave the page usable;
  // the status line then shows whatever state the browser is really in.
  function quietly(action) {
    return () => {
      action().catch(() => refresh().catch(() => show("unsupported")));
    };
  }

  if (!supported) {
    show("unsupported");
    return;
  }
  if (subscribeButton) {
    subscribeButton.addEventListener("click", quietly(subscribe));
  }
  if (unsubscribeButton) {
    unsubscribeButton.addEventListener("click", quietly(unsubscribe));
  }
  quietly(refresh)();
})();
