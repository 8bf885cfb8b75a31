// Trackless message display script, part 2: runs the controller from
// display_core.js against this message's document (injected at document_start).
"use strict";

(function () {
  // Injected twice into one document (registered script plus the injection into
  // messages already open at start-up): run once.
  if (globalThis.tracklessDisplayStarted) return;
  globalThis.tracklessDisplayStarted = true;
  const D = globalThis.TracklessDisplay;
  const controller = D.createController({
    ops: D.domOps(document),
    send: (msg) => browser.runtime.sendMessage(msg),
    now: () => performance.now(),
    setTimeout: (f, ms) => setTimeout(f, ms),
    clearTimeout: (t) => clearTimeout(t),
  });
  document.documentElement && document.documentElement.setAttribute("data-trackless-state", "pending");
  browser.runtime.onMessage.addListener((msg) => controller.onCommand(msg));
  D.guardLinks(document, (msg) => browser.runtime.sendMessage(msg));
  const start = () => controller.run();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
  // Images may finish loading after the swap (when remote content is allowed).
  window.addEventListener("load", () => controller.checkRemote(), { once: true });
})();
