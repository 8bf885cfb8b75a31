// The popup's model, built from what the background knows about a tab. Pure.
//
// record: {state, kind: "html"|"plain", result, undone: [original...]} where
//   result is the host's sanitize object ({html, remote, links, headers, badge})
//   or, for plain-text mails, {links} from the unwrap action.

import { badgeFor, countOf } from "./badge.js";

const CONFIDENCE_ORDER = { high: 0, medium: 1, low: 2 };
export const OPAQUE_LABEL = "tracked, destination hidden";

function str(v) {
  return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
}

export function groupRemote(remote) {
  const groups = new Map();
  for (const r of Array.isArray(remote) ? remote : []) {
    if (!r || typeof r !== "object") continue;
    const kind = str(r.kind) || "other";
    const vendor = str(r.vendor);
    const key = `${kind}\u0000${vendor}`;
    let g = groups.get(key);
    if (!g) {
      g = { kind, vendor: vendor || null, tracker: false, identifiesYou: false, items: [] };
      groups.set(key, g);
    }
    const item = {
      url: str(r.url),
      host: str(r.host),
      domain: str(r.domain),
      action: str(r.action) || "blocked",
      tracker: Boolean(r.tracker),
      confidence: str(r.confidence) || "low",
      reason: str(r.reason),
      identifiesYou: Boolean(r.identifies_you),
      element: str(r.element),
      attribute: str(r.attribute),
    };
    g.tracker = g.tracker || item.tracker;
    g.identifiesYou = g.identifiesYou || item.identifiesYou;
    g.items.push(item);
  }
  const list = [...groups.values()];
  // A group's confidence is that of its most certain tracker verdict; a group
  // without trackers has none (its items are blocked remote content only).
  for (const g of list) {
    g.confidence = g.items
      .filter((it) => it.tracker)
      .reduce((best, it) => (best === null || CONFIDENCE_ORDER[it.confidence] < CONFIDENCE_ORDER[best] ? it.confidence : best), null);
  }
  // Trackers first, then by confidence, then kind and vendor for a stable order.
  list.sort(
    (a, b) =>
      Number(b.tracker) - Number(a.tracker) ||
      (CONFIDENCE_ORDER[a.confidence] ?? 3) - (CONFIDENCE_ORDER[b.confidence] ?? 3) ||
      a.kind.localeCompare(b.kind) ||
      str(a.vendor).localeCompare(str(b.vendor)),
  );
  return list;
}

export function changedLinks(links, undone = []) {
  const undoneSet = new Set(undone);
  const out = [];
  for (const l of Array.isArray(links) ? links : []) {
    if (!l || typeof l !== "object" || l.status === "unchanged") continue;
    const opaque = l.status === "opaque";
    out.push({
      original: str(l.original),
      final: opaque ? null : l.final == null ? null : str(l.final),
      status: str(l.status),
      opaque,
      label: opaque ? OPAQUE_LABEL : str(l.status),
      removed: Array.isArray(l.removed) ? l.removed.map(str) : [],
      vendor: l.vendor == null ? null : str(l.vendor),
      identifiesYou: Boolean(l.identifies_you),
      rule: l.rule == null ? null : str(l.rule),
      chain: Array.isArray(l.chain) ? l.chain.map(str) : [],
      undone: undoneSet.has(str(l.original)),
      resolved: opaque && typeof l.resolved === "string" ? l.resolved : null,
      // Undo only makes sense where the displayed href was changed.
      canUndo: !opaque && l.final != null && str(l.final) !== str(l.original),
    });
  }
  return out;
}

// Links the helper judged by where they really go (deceptive, lookalike, then
// hidden), for the popup's first section.
const VERDICT_ORDER = { deceptive: 0, lookalike: 1, hidden: 2 };
export function deceptiveLinks(links) {
  const out = [];
  for (const l of Array.isArray(links) ? links : []) {
    const v = l && l.verdict;
    if (!v || typeof v !== "object" || !(str(v.kind) in VERDICT_ORDER)) continue;
    out.push({
      kind: str(v.kind),
      href: l.final == null ? str(l.original) : str(l.final),
      shown: str(v.shown),
      domain: str(v.domain),
      imitates: str(v.imitates),
      evidence: str(v.evidence),
    });
  }
  return out.sort((a, b) => VERDICT_ORDER[a.kind] - VERDICT_ORDER[b.kind]);
}

// Domains whose blocked, non-tracking images the user may choose to show.
export function imageDomains(remote) {
  const domains = new Set();
  const trackerDomains = new Set();
  for (const r of Array.isArray(remote) ? remote : []) {
    if (!r || !r.domain) continue;
    if (r.tracker) trackerDomains.add(str(r.domain));
    else if (r.action === "blocked" && r.kind === "image") domains.add(str(r.domain));
  }
  return [...domains].filter((d) => !trackerDomains.has(d)).sort();
}

export function buildReport(record) {
  if (!record) {
    return {
      badge: badgeFor({ kind: "none" }),
      status: "No report for this message yet. Reopen the message to check it.",
      groups: [],
      links: [],
      imageDomains: [],
      headers: [],
      count: 0,
      deceptive: [],
    };
  }
  const state = record.state || { kind: "none" };
  const badge = badgeFor(state);
  const result = record.result || {};
  const count = state.kind === "done" ? state.count | 0 : record.result ? countOf(result) : 0;
  let status;
  if (state.kind === "done") {
    status = count === 0 ? "Clean: no trackers found." : `${count} tracker${count === 1 ? "" : "s"} blocked.`;
    if (state.remoteAllowed) {
      status =
        "Remote content appears to be allowed in Thunderbird for this message: trackers may already have loaded. " +
        status;
    }
  } else {
    status = badge.title;
  }
  return {
    badge,
    status,
    count,
    plain: record.kind === "plain",
    groups: groupRemote(result.remote),
    links: changedLinks(result.links, record.undone),
    deceptive: deceptiveLinks(result.links),
    imageDomains: imageDomains(result.remote),
    headers: Array.isArray(result.headers) ? result.headers.map(str) : [],
    timingMs: Number.isFinite(record.timingMs) ? record.timingMs : null,
  };
}
