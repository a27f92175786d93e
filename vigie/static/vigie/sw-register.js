// Registers Vigie's service worker on every page: the offline page and push both need it.
// push.js asks for the registration through window.vigieServiceWorker, so it is made once.
"use strict";

(() => {
  let pending = null;
  window.vigieServiceWorker = () => {
    if (!pending) {
      pending = navigator.serviceWorker.register("/sw.js", { scope: "/" });
    }
    return pending;
  };
  if (window.isSecureContext && "serviceWorker" in navigator) {
    window.addEventListener("load", () => {
      // A browser refusing workers (private mode, a policy) leaves the page as it is.
      window.vigieServiceWorker().catch(() => {});
    });
  }
})();
