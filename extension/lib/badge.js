// Badge state of the message display action, per tab. Pure: state in, badge out.
//
// States:
//   {kind: "pending"}                          sanitizing
//   {kind: "done", count, remoteAllowed}       sanitized (HTML or plain text)
//   {kind: "unreachable", message}             no helper answering: Thunderbird's blocked view
//   {kind: "error", code, message}             helper answered badly / too slowly: blocked view
//   {kind: "none"}                             nothing to show (no message, several messages)
// "remoteAllowed" wins over the count: trackers may already have loaded.

import { TIMEOUT, UNREACHABLE } from "./errors.js";

export const COLORS = Object.freeze({
  pending: "#8a8a8a",
  clean: "#1e8e3e",
  trackers: "#c5221f",
  unreachable: "#5f6368",
  error: "#b06000",
  remoteAllowed: "#f29900",
});

const FIX = "Run `trackless install` (or install/install.sh), then reopen the message.";

export function badgeFor(state) {
  switch (state && state.kind) {
    case "pending":
      return { text: "…", color: COLORS.pending, title: "Trackless: checking this message…" };
    case "done": {
      const n = state.count | 0;
      if (state.remoteAllowed) {
        return {
          text: "!",
          color: COLORS.remoteAllowed,
          title:
            "Trackless: remote content appears to be allowed in Thunderbird for this message, " +
            "so trackers may already have loaded. Keep Thunderbird's remote content blocked." +
            (n ? ` (${n} tracker${n === 1 ? "" : "s"} found)` : ""),
        };
      }
      if (n === 0) return { text: "✓", color: COLORS.clean, title: "Trackless: clean, no trackers found" };
      return {
        text: n > 999 ? "999+" : String(n),
        color: COLORS.trackers,
        title: `Trackless: ${n} tracker${n === 1 ? "" : "s"} blocked`,
      };
    }
    case "unreachable":
      return {
        text: "off",
        color: COLORS.unreachable,
        title:
          "Trackless helper not reachable: this message is shown with Thunderbird's own blocking only " +
          `(links not cleaned). ${FIX}` +
          (state.message ? `\n${state.message}` : ""),
      };
    case "error":
      return {
        text: "err",
        color: COLORS.error,
        title:
          (state.code === TIMEOUT
            ? "Trackless helper too slow: "
            : `Trackless could not sanitize this message (${state.code || "error"}): `) +
          "shown with Thunderbird's own blocking only (links not cleaned)." +
          (state.message ? `\n${state.message}` : ""),
      };
    default:
      return { text: "", color: COLORS.pending, title: "Trackless" };
  }
}

// Badge state after a failed host request.
export function stateForError(err) {
  const code = (err && err.code) || "internal";
  const message = (err && err.message) || code;
  if (code === UNREACHABLE) return { kind: "unreachable", message };
  return { kind: "error", code, message };
}

// Tracker count from a sanitize result: the host's own `badge` number when it
// sends one, else the same rule computed here (tracking remote references plus
// links that track the reader: `link.tracker` when the host says so; older
// hosts without that field: unwrapped, opaque or with parameters removed).
export function countOf(result) {
  if (result && Number.isInteger(result.badge) && result.badge >= 0) return result.badge;
  const remote = Array.isArray(result && result.remote) ? result.remote : [];
  const links = Array.isArray(result && result.links) ? result.links : [];
  return remote.filter((r) => r && r.tracker).length + countLinks(links);
}

function tracksReader(l) {
  if (typeof l.tracker === "boolean") return l.tracker;
  return l.status === "unwrapped" || l.status === "opaque" || Boolean(l.removed && l.removed.length);
}

// Tracked links among unwrap results (plain-text mails).
export function countLinks(links) {
  return (Array.isArray(links) ? links : []).filter((l) => l && tracksReader(l)).length;
}
