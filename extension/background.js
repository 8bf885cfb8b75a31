// Background entry point (an ES module): wires the real `messenger` into the
// logic in lib/background_core.js.

import "./display/display_core.js"; // defines globalThis.TracklessDisplay (its serializeParts is reused)
import { createBackground, HOST_NAME } from "./lib/background_core.js";
import { NativeClient } from "./lib/port_client.js";
import { renderedParts } from "./lib/presanitize.js";

const client = new NativeClient({
  connect: () => messenger.runtime.connectNative(HOST_NAME),
  timers: { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) },
});

// Rebuilds, for a mail that is not on screen, the HTML the display script
// would send (see lib/presanitize.js), with the background page's DOMParser.
const D = globalThis.TracklessDisplay;
const dom = {
  parse: (html) => new DOMParser().parseFromString(html, "text/html"),
  // The html element's own attributes do not matter here (they end up on the
  // message document's root, which the display script does not send).
  serializeDocument: (doc) => `<html>${doc.documentElement.getHTML()}</html>`,
  styleElements: (doc) => doc.querySelectorAll("style"),
  findParts: (doc) => D.findParts(doc),
  serializeParts: (doc, containers) => D.serializeParts(doc, containers),
};

const background = createBackground({
  messenger,
  client,
  log: (m) => console.warn(`Trackless: ${m}`),
  render: typeof DOMParser === "function" && D ? (full) => renderedParts(full, dom) : null,
});

background.start().catch((e) => console.error("Trackless: start-up failed:", e));
