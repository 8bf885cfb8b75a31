// Badge state of the message display action, per tab. Pure: state in, badge out.
//
// States:
//   {kind: "pending"}                                 sanitizing
//   {kind: "done", count, links, remoteAllowed}       sanitized (HTML or plain text):
//                                                     count = trackers blocked, links = tracking links cleaned
//   {kind: "unreachable", message}                    no helper answering: Thunderbird's blocked view
//   {kind: "error", code, message}                    helper answered badly / too slowly: blocked view
//   {kind: "none"}                                    nothing to show (no message, several messages)
// The badge number is the trackers blocked, and its tooltip says so first
// ("3 trackers blocked · 5 tracking links cleaned"). "remoteAllowed" wins over
// the count: trackers may already have loaded.

import { TIMEOUT, UNREACHABLE } from "./errors.js";
import { plural, t } from "./i18n.js";

export const COLORS = Object.freeze({
  pending: "#8a8a8a",
  clean: "#1e8e3e",
  trackers: "#c5221f",
  unreachable: "#5f6368",
  error: "#b06000",
  remoteAllowed: "#f29900",
});

// "3 trackers blocked · 5 tracking links cleaned": the one summary line of the
// badge tooltip, the popup and the options page.
export function summaryText(trackers, links) {
  const parts = [trackers ? plural("trackersBlocked", trackers) : t("noTrackers")];
  if (links) parts.push(plural("linksCleaned", links));
  return parts.join(" · ");
}

export function badgeFor(state) {
  switch (state && state.kind) {
    case "pending":
      return { text: "…", color: COLORS.pending, title: t("badgePending") };
    case "done": {
      const n = state.count | 0;
      const summary = summaryText(n, state.links | 0);
      if (state.remoteAllowed) {
        return { text: "!", color: COLORS.remoteAllowed, title: t("badgeRemoteAllowed", summary) };
      }
      return { text: n === 0 ? "✓" : n > 999 ? "999+" : String(n), color: n ? COLORS.trackers : COLORS.clean, title: `Trackless: ${summary}` };
    }
    case "unreachable":
      return { text: "off", color: COLORS.unreachable, title: t("badgeUnreachable") + (state.message ? `\n${state.message}` : "") };
    case "error":
      return {
        text: "err",
        color: COLORS.error,
        title:
          (state.code === TIMEOUT ? t("badgeTooSlow") : t("badgeError", state.code || "error")) +
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

// Trackers blocked in a sanitize result: the remote references judged trackers.
export function countOf(result) {
  const remote = Array.isArray(result && result.remote) ? result.remote : [];
  return remote.filter((r) => r && r.tracker).length;
}

// Does a link track the reader? `link.tracker` when the host says so; older
// hosts without that field: unwrapped, opaque or with parameters removed.
function tracksReader(l) {
  if (typeof l.tracker === "boolean") return l.tracker;
  return l.status === "unwrapped" || l.status === "opaque" || Boolean(l.removed && l.removed.length);
}

// Tracking links cleaned: links whose destination was restored, whose
// tracking was removed, or whose destination the sender's mail service hides.
export function countLinks(links) {
  return (Array.isArray(links) ? links : []).filter((l) => l && tracksReader(l)).length;
}

// The badge state of a finished result: {kind: "done", count, links}.
export function doneState(result) {
  return { kind: "done", count: countOf(result), links: countLinks(result && result.links) };
}
