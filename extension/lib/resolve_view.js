// What the resolve window says for a background answer. Pure.

export function resolveView(answer) {
  if (!answer) return { status: "No answer from Trackless.", final: null };
  if (!answer.ok) {
    const e = answer.error || {};
    return { status: e.message || e.code || "failed", final: null, code: e.code || null };
  }
  const r = answer.result || {};
  const final = typeof r.final === "string" && /^https?:\/\//i.test(r.final) ? r.final : null;
  if (!final) return { status: "The destination could not be determined.", final: null };
  return { status: "This link leads to:", final };
}
