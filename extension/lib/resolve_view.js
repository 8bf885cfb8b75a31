// What the resolve window says for a background answer. Pure.
//
// answer: {ok: true, result: {url, final, chain: [{url, status, method}], vendor,
//          warning, stop, removed, cached}} or {ok: false, error: {code, message}}

const FINAL_RE = /^(https?:\/\/|mailto:)/i;

export function resolveView(answer) {
  if (!answer) return { status: "No answer from Trackless.", final: null, warning: null, hops: [], removed: [] };
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
  if (!final) return { status: "The destination could not be determined.", final: null, warning, hops, removed };
  const via = r.cached ? " (from the cache: nothing was contacted now)" : hops.length ? "" : " (decoded without contacting anyone)";
  return { status: `This link leads to${via}:`, final, warning, hops, removed };
}
