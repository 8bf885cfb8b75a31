// What the "Open this link?" window says for a judged link. Pure apart from
// the locale's words (lib/i18n.js).
import { t } from "./i18n.js";

const WEB_RE = /^https?:\/\//i;
const TITLES = {
  deceptive: "confirmTitleDeceptive",
  lookalike: "confirmTitleLookalike",
  hidden: "confirmTitleHidden",
};

export function confirmView(url, kind, evidence) {
  const web = typeof url === "string" && WEB_RE.test(url) ? url : null;
  return {
    url: web,
    title: Object.prototype.hasOwnProperty.call(TITLES, kind) ? t(TITLES[kind]) : t("confirmTitle"),
    evidence: typeof evidence === "string" && evidence ? t("confirmEvidence", evidence) : "",
    // a hidden destination can be looked up first (Resolve tracking link…)
    canResolve: kind === "hidden" && Boolean(web),
  };
}
