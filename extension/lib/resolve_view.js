// What the resolve window says for a background answer. Pure (words from lib/i18n.js).
//
// answer: {ok: true, result: {url, final, chain: [{url, status, method}], vendor,
//          warning, stop, removed, cached}} or {ok: false, error: {code, message}}

import { t } from "./i18n.js";

const FINAL_RE = /^(https?:\/\/|mailto:)/i;

export function resolveView(answer) {
  if (!answer) return { status: t("resolveNoAnswer"), final: null, warning: null, hops: [], removed: [] };
  if (!answer.ok) {
    const e = answer.error || {};
    return { status: e.message || e.code || "failed", final: null, code: e.code || null, warning: null, hops: [], removed: [] };
  }
  const r = answer.result || {};
  const final = typeof r.final === "string" && FINAL_RE.test(r.final) ? r.final : null;
  const hops = Array.isArray(r.chain)
    ? r.chain.filter((h) => h && typeof h.url === "string").map((h) => `${h.status ?? "?"} ${h.url}`)
    : [];
  const removed = Array.isArray(r.removed) ? r.removed.filter((x) => typeof x === "string") : [];
  const warning = typeof r.warning === "string" && r.warning ? r.warning : null;
  if (!final) return { status: t("resolveUnknown"), final: null, warning, hops, removed };
  const status = r.cached ? t("resolveLeadsToCached") : hops.length ? t("resolveLeadsTo") : t("resolveLeadsToDecoded");
  return { status, final, warning, hops, removed };
}
