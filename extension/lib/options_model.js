// Pure helpers of the options page: the host's allowlist and settings answers
// turned into rows, and the status line of the helper check.

// {"allowlist": {"<domain>": {images, keep_links, added}}} -> sorted rows
export function allowlistRows(result) {
  const list = result && result.allowlist && typeof result.allowlist === "object" ? result.allowlist : {};
  return Object.keys(list)
    .sort()
    .map((domain) => {
      const e = list[domain] || {};
      return { domain, images: Boolean(e.images), keepLinks: Boolean(e.keep_links), added: e.added == null ? "" : String(e.added) };
    });
}

// {"settings": {name: value}, "schema": {name: {type, default, help, min?, max?}}} -> rows
export function settingRows(result) {
  const values = (result && result.settings) || {};
  const schema = (result && result.schema) || {};
  const names = [...new Set([...Object.keys(schema), ...Object.keys(values)])].sort();
  return names.map((name) => {
    const s = schema[name] || {};
    const v = name in values ? values[name] : s.default;
    const type = s.type || (typeof v === "boolean" ? "boolean" : typeof v === "number" ? "integer" : "string");
    return { name, type, value: v, help: s.help ? String(s.help) : "", min: s.min ?? null, max: s.max ?? null };
  });
}

// The value to send for an edited setting, or an error text.
export function parseSetting(row, raw) {
  if (row.type === "boolean") return { value: Boolean(raw) };
  if (row.type === "integer") {
    const s = String(raw).trim();
    if (!/^-?\d+$/.test(s)) return { error: `${row.name}: a whole number is needed` };
    const n = Number(s);
    if (row.min !== null && n < row.min) return { error: `${row.name}: at least ${row.min}` };
    if (row.max !== null && n > row.max) return { error: `${row.name}: at most ${row.max}` };
    return { value: n };
  }
  return { value: String(raw) };
}

// The helper check's answer ({ok, result} from `status`) -> what the page says.
export function statusView(answer) {
  if (answer && answer.ok && answer.result) {
    const r = answer.result;
    return {
      ok: true,
      text: `Helper answering: ${r.name || "trackless"} ${r.version || "?"} (protocol ${r.protocol ?? "?"}).`,
      fix: null,
    };
  }
  const e = (answer && answer.error) || {};
  return {
    ok: false,
    text: `Helper not answering (${e.code || "no answer"}): ${e.message || ""}`.trim(),
    fix:
      (answer && answer.fix) ||
      "Install the helper: run `trackless install` or install/install.sh, then check again.",
  };
}
