// Every time limit of the add-on, in one place (documented in extension/README.md).
//
// The display script hides the message body until the sanitized version is in.
// The limits are nested so that the innermost one decides and reports why:
//   host request (background -> helper)      SANITIZE_TIMEOUT_MS
//   < display wait (display script -> bg)    DISPLAY_TIMEOUT_MS
//   < CSS fail-safe (hide.css animation)     FAILSAFE_CSS_SECONDS
// On any of them the user gets Thunderbird's normal (remote content blocked)
// view and an error badge, never a blank pane.

export const SANITIZE_TIMEOUT_MS = 4000;
export const DISPLAY_TIMEOUT_MS = 5000; // mirrored in display/display_core.js
export const FAILSAFE_CSS_SECONDS = 8; // mirrored in display/hide.css
export const DEFAULT_TIMEOUT_MS = 4000; // other host requests
export const PING_TIMEOUT_MS = 3000;
export const RESOLVE_TIMEOUT_MS = 15000; // network resolution of an opaque link

export const BACKOFF = Object.freeze({ baseMs: 500, factor: 2, maxMs: 30000 });
