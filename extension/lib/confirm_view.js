// What the "Open this link?" window says for a judged link. Pure.

const WEB_RE = /^https?:\/\//i;
const TITLES = {
  deceptive: "Deceptive link: open it anyway?",
  lookalike: "Lookalike site: open it anyway?",
  hidden: "Hidden destination: open it anyway?",
};

export function confirmView(url, kind, evidence) {
  const web = typeof url === "string" && WEB_RE.test(url) ? url : null;
  return {
    url: web,
    title: TITLES[kind] || "Open this link?",
    evidence: typeof evidence === "string" && evidence ? `Trackless: ${evidence}.` : "",
    // a hidden destination can be looked up first (Resolve tracking link…)
    canResolve: kind === "hidden" && Boolean(web),
  };
}
