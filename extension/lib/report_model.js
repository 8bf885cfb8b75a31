// The popup's model, built from what the background knows about a tab. Pure.
//
// record: {state, kind: "html"|"plain", result, undone: [original...],
//          receipts: [{header, to, thunderbird}], timingMs} where
//   result is the host's sanitize object ({html, remote, links, headers,
//   badge, sender_images}) or, for plain-text mails, {links} from unwrap.
// Every sentence comes from the locale's messages (lib/i18n.js).

import { badgeFor, countLinks, countOf, summaryText } from "./badge.js";
import { plural, t } from "./i18n.js";

const CONFIDENCE_ORDER = { high: 0, medium: 1, low: 2 };
// Link states in words (message keys).
export const LINK_STATES = Object.freeze({
  unwrapped: "linkRestored",
  cleaned: "linkCleaned",
  opaque: "linkHidden",
});
// Kinds of remote content in words (message keys).
export const KIND_WORDS = Object.freeze({
  pixel: "kindPixel",
  image: "kindImage",
  css: "kindCss",
  font: "kindFont",
  media: "kindMedia",
  frame: "kindFrame",
  prefetch: "kindPrefetch",
  script: "kindScript",
  refresh: "kindRefresh",
  other: "kindOther",
});
// Which element-attribute pairs the helper can fetch as an image (the
// core's vectors.PROXIABLE): only these can be shown by allowing a domain.
const PROXIABLE = new Set(["img src", "input src"]);

function str(v) {
  return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
}

export function kindText(kind) {
  return t(KIND_WORDS[kind] || "kindOther");
}

// The confidence of a tracker verdict, in words.
export function confidenceText(confidence) {
  return confidence === "high" ? t("confidenceHigh") : confidence === "medium" ? t("confidenceMedium") : t("confidenceLow");
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
      g = { kind, kindText: kindText(kind), vendor: vendor || null, tracker: false, identifiesYou: false, items: [] };
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
    g.confidenceText = g.confidence ? confidenceText(g.confidence) : null;
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
      label: LINK_STATES[l.status] ? t(LINK_STATES[l.status]) : str(l.status),
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

// Per registrable domain: its content images that allowing would show
// (blocked, not trackers, in an <img src>), those shown and why, and its
// trackers (which stay blocked either way).
export function imageSummary(remote) {
  const by = new Map();
  const of = (d) => {
    if (!by.has(d)) by.set(d, { domain: d, blocked: 0, shown: 0, allowedBy: "", trackers: 0 });
    return by.get(d);
  };
  for (const r of Array.isArray(remote) ? remote : []) {
    if (!r || !r.domain) continue;
    const d = of(str(r.domain));
    if (r.tracker) d.trackers += 1;
    else if (r.action === "allowed") {
      d.shown += 1;
      d.allowedBy = d.allowedBy || str(r.allowed_by) || "allowlist";
    } else if (r.kind === "image" && PROXIABLE.has(`${str(r.element)} ${str(r.attribute)}`)) d.blocked += 1;
  }
  return [...by.values()].filter((d) => d.blocked || d.shown).sort((a, b) => a.domain.localeCompare(b.domain));
}

// Domains whose blocked content images the user may choose to show, whether
// or not the domain also serves trackers (those stay blocked).
export function imageDomains(remote) {
  return imageSummary(remote)
    .filter((d) => d.blocked && !d.shown)
    .map((d) => d.domain);
}

// One line per image domain: what is shown and what stays blocked.
export function imageLine(d) {
  if (d.shown) {
    const why = d.allowedBy === "sender" ? t("imagesShownSender", d.domain) : t("imagesShownAllowlist", d.domain);
    return d.trackers ? `${why} ${plural("imagesTrackersStay", d.trackers)}` : why;
  }
  const line = t("imagesBlocked", d.domain);
  return d.trackers ? `${line} ${plural("imagesTrackersStay", d.trackers)}` : line;
}

// The sender-domain policy's line, or null when it is off.
export function senderLine(policy) {
  if (!policy || typeof policy !== "object" || !policy.enabled) return null;
  if (policy.active) return t("senderShown", str(policy.domain), str(policy.reason));
  return t("senderNotShown", str(policy.domain) || "?", str(policy.reason));
}

export function receiptLines(receipts) {
  return (Array.isArray(receipts) ? receipts : [])
    .filter((r) => r && typeof r.header === "string")
    .map((r) => ({
      header: r.header,
      to: str(r.to),
      what: r.thunderbird === "asks" ? t("receiptAsks") : t("receiptIgnored"),
    }));
}

export function buildReport(record) {
  if (!record) {
    return {
      badge: badgeFor({ kind: "none" }),
      status: t("noReport"),
      groups: [],
      links: [],
      imageDomains: [],
      images: [],
      receipts: [],
      sender: null,
      remoteAllowed: false,
      headers: [],
      count: 0,
      deceptive: [],
    };
  }
  const state = record.state || { kind: "none" };
  const badge = badgeFor(state);
  const result = record.result || {};
  const count = state.kind === "done" ? state.count | 0 : record.result ? countOf(result) : 0;
  const links = state.kind === "done" && Number.isInteger(state.links) ? state.links : countLinks(result.links);
  const summary = summaryText(count, links);
  const status = state.kind === "done" ? `${summary.charAt(0).toUpperCase()}${summary.slice(1)}.` : badge.title;
  const images = imageSummary(result.remote);
  return {
    badge,
    status,
    count,
    remoteAllowed: state.kind === "done" && Boolean(state.remoteAllowed),
    plain: record.kind === "plain",
    groups: groupRemote(result.remote),
    links: changedLinks(result.links, record.undone),
    deceptive: deceptiveLinks(result.links),
    imageDomains: images.filter((d) => d.blocked && !d.shown).map((d) => d.domain),
    images: images.map((d) => ({ ...d, line: imageLine(d) })),
    sender: senderLine(result.sender_images),
    receipts: receiptLines(record.receipts),
    headers: Array.isArray(result.headers) ? result.headers.map(str) : [],
    timingMs: Number.isFinite(record.timingMs) ? record.timingMs : null,
  };
}
