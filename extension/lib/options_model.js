// Pure helpers of the options page: the host's allowlist and settings answers
// turned into rows a person reads (labels, explanations, MB and seconds), and
// the status line of the helper check. Words come from the locale (lib/i18n.js).

import { t } from "./i18n.js";

// {"allowlist": {"<domain>": {images, keep_links, added}}} -> sorted rows;
// `filter` keeps the domains that contain it (the page's search box).
export function allowlistRows(result, filter = "") {
  const list = result && result.allowlist && typeof result.allowlist === "object" ? result.allowlist : {};
  const needle = String(filter || "").trim().toLowerCase();
  return Object.keys(list)
    .filter((domain) => !needle || domain.includes(needle))
    .sort()
    .map((domain) => {
      const e = list[domain] || {};
      return { domain, images: Boolean(e.images), keepLinks: Boolean(e.keep_links), added: e.added == null ? "" : String(e.added) };
    });
}

// How each known setting is shown: message keys of its label and explanation,
// and the unit it is edited in (value in the helper = shown value x scale).
// Settings the add-on does not know yet are shown with their own name and help.
export const SETTINGS_UI = Object.freeze({
  sender_images: { label: "optSenderImages", explain: "optSenderImagesHelp" },
  dns_uncloaking: { label: "optDnsUncloaking", explain: "optDnsUncloakingHelp" },
  image_max_bytes: { label: "optImageMax", explain: "optImageMaxHelp", unit: "unitMB", scale: 1024 * 1024 },
  request_timeout_ms: { label: "optTimeout", explain: "optTimeoutHelp", unit: "unitSeconds", scale: 1000 },
  max_redirects: { label: "optRedirects", explain: "optRedirectsHelp" },
  resolve_allow_private: { label: "optPrivate", explain: "optPrivateHelp" },
});
const ORDER = Object.keys(SETTINGS_UI);

function shown(value, scale) {
  if (typeof value !== "number" || !scale) return value;
  return Math.round((value / scale) * 1000) / 1000;
}

// {"settings": {name: value}, "schema": {name: {type, default, help, min?, max?}}} -> rows
export function settingRows(result) {
  const values = (result && result.settings) || {};
  const schema = (result && result.schema) || {};
  const names = [...new Set([...Object.keys(schema), ...Object.keys(values)])].sort(
    (a, b) => (ORDER.includes(a) ? ORDER.indexOf(a) : ORDER.length) - (ORDER.includes(b) ? ORDER.indexOf(b) : ORDER.length) || a.localeCompare(b),
  );
  return names.map((name) => {
    const s = schema[name] || {};
    const ui = SETTINGS_UI[name] || {};
    const v = name in values ? values[name] : s.default;
    const type = s.type || (typeof v === "boolean" ? "boolean" : typeof v === "number" ? "integer" : "string");
    const scale = ui.scale || 1;
    return {
      name,
      type,
      value: v,
      shown: shown(v, ui.scale),
      label: ui.label ? t(ui.label) : name,
      help: ui.explain ? t(ui.explain) : s.help ? String(s.help) : "",
      unit: ui.unit ? t(ui.unit) : "",
      scale,
      min: s.min ?? null,
      max: s.max ?? null,
    };
  });
}

// The value to send for an edited setting (typed in the row's unit), or an error text.
export function parseSetting(row, raw) {
  if (row.type === "boolean") return { value: Boolean(raw) };
  if (row.type === "integer") {
    const scale = row.scale || 1;
    const s = String(raw).trim().replace(",", ".");
    const ok = scale === 1 ? /^-?\d+$/.test(s) : /^-?\d+(\.\d+)?$/.test(s);
    if (!ok) return { error: t(scale === 1 ? "errWholeNumber" : "errNumber", row.label || row.name) };
    const n = Math.round(Number(s) * scale);
    const unit = row.unit ? ` ${row.unit}` : "";
    if (row.min !== null && n < row.min) return { error: t("errAtLeast", row.label || row.name, `${shown(row.min, row.scale === 1 ? 0 : row.scale)}${unit}`) };
    if (row.max !== null && n > row.max) return { error: t("errAtMost", row.label || row.name, `${shown(row.max, row.scale === 1 ? 0 : row.scale)}${unit}`) };
    return { value: n };
  }
  return { value: String(raw) };
}

// The helper check's answer ({ok, result} from `status`) -> what the page says.
export function statusView(answer) {
  if (answer && answer.ok && answer.result) {
    const r = answer.result;
    return { ok: true, text: t("helperOk", r.name || "trackless", r.version || "?", r.protocol ?? "?"), fix: null };
  }
  const e = (answer && answer.error) || {};
  return {
    ok: false,
    text: t("helperOff", e.code || t("noAnswer"), e.message || "").trim(),
    fix: (answer && answer.fix) || t("installFix"),
  };
}
