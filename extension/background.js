// Background entry point (an ES module): wires the real `messenger` into the
// logic in lib/background_core.js.

import { createBackground, HOST_NAME } from "./lib/background_core.js";
import { NativeClient } from "./lib/port_client.js";

const client = new NativeClient({
  connect: () => messenger.runtime.connectNative(HOST_NAME),
  timers: { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) },
});

const background = createBackground({
  messenger,
  client,
  log: (m) => console.warn(`Trackless: ${m}`),
});

background.start().catch((e) => console.error("Trackless: start-up failed:", e));
