// Every time limit of the add-on, in one place (documented in extension/README.md).
//
// The display script hides the message body until the sanitized version is in.
// The limits are nested so that the innermost one decides and reports why:
//   host request (background -> helper)   sanitizeTimeoutMs(size): 4 s + 2 ms per KB of HTML
//   < display wait (display script -> bg)  displayTimeoutMs(size): that + 1 s
// On either, the user gets Thunderbird's normal (remote content blocked) view
// and an error badge, never a blank pane. Independently, hide.css reveals the
// body after FAILSAFE_CSS_SECONDS even if the script never runs; for a very
// large mail (over about 1.5 MB) whose sanitizing takes longer, Thunderbird's
// blocked view shows first and the sanitized one replaces it when ready.
// (The helper sanitizes 1 MB in about 1 s on a 2-core machine.)

export const SANITIZE_TIMEOUT_MS = 4000; // base, for an empty mail
export const PER_KB_MS = 2;
export const DISPLAY_MARGIN_MS = 1000;
export const DISPLAY_TIMEOUT_MS = SANITIZE_TIMEOUT_MS + DISPLAY_MARGIN_MS; // base; mirrored in display/display_core.js
export const FAILSAFE_CSS_SECONDS = 8; // mirrored in display/hide.css

export function sanitizeTimeoutMs(chars) {
  return SANITIZE_TIMEOUT_MS + Math.ceil(Math.max(0, chars | 0) / 1024) * PER_KB_MS;
}

export function displayTimeoutMs(chars) {
  return sanitizeTimeoutMs(chars) + DISPLAY_MARGIN_MS;
}
export const DEFAULT_TIMEOUT_MS = 4000; // other host requests
export const PING_TIMEOUT_MS = 3000;
export const RESOLVE_TIMEOUT_MS = 15000; // network resolution of an opaque link (the helper stops at 12 s)
export const UNCLOAK_TIMEOUT_MS = 20000; // DNS checks of a mail's hosts (only with dns_uncloaking on)
export const IMAGES_TIMEOUT_MS = 60000; // all allowed images of one mail (streamed one by one)

export const BACKOFF = Object.freeze({ baseMs: 500, factor: 2, maxMs: 30000 });
