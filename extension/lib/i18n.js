// The add-on's words, through the WebExtension _locales mechanism
// (_locales/<lang>/messages.json, read by i18n.getMessage). Pure apart from
// the injected getMessage: the add-on's pages and background use
// messenger.i18n; node tests inject one built from a messages.json with
// fromMessages().

let injected = null;

// Use this getMessage(key, substitutions) from now on (tests, pages).
export function setGetMessage(getMessage) {
  injected = getMessage;
}

function getMessage() {
  if (injected) return injected;
  const api = globalThis.messenger || globalThis.browser;
  if (api && api.i18n && typeof api.i18n.getMessage === "function") return (k, s) => api.i18n.getMessage(k, s);
  return null;
}

// The message `key` with its substitutions (numbers are written as text).
// A missing message shows as the key in brackets, never as an empty string.
export function t(key, ...subs) {
  const get = getMessage();
  const text = get ? get(key, subs.map((s) => String(s))) : "";
  return text || `[${key}]`;
}

// "1 tracker" / "3 trackers": messages `<key>_one` and `<key>_other`. Which
// numbers take `_one` is the locale's `pluralRule` message: "one" (only 1, as
// in English and German) or "zeroOne" (0 and 1, as in French).
export function plural(key, n) {
  const rule = t("pluralRule");
  const one = rule === "zeroOne" ? n === 0 || n === 1 : n === 1;
  return t(`${key}_${one ? "one" : "other"}`, n);
}

// A getMessage over a parsed messages.json, with the browser's substitution
// rules: $NAME$ names a placeholder whose content is "$1".."$9" (or text);
// "$$" is a dollar sign.
export function fromMessages(messages) {
  return (key, subs = []) => {
    const entry = messages[key];
    if (!entry || typeof entry.message !== "string") return "";
    const list = Array.isArray(subs) ? subs : [subs];
    const positional = (text) => text.replace(/\$(\d)/g, (_, d) => (list[Number(d) - 1] ?? ""));
    const named = entry.placeholders || {};
    // one pass, so that a substituted value is never substituted again
    return entry.message.replace(/\$([A-Za-z0-9_@]+)\$|\$(\d)|\$\$/g, (whole, name, digit) => {
      if (name) {
        const p = named[name.toLowerCase()];
        return p ? positional(String(p.content)) : whole;
      }
      return digit ? (list[Number(digit) - 1] ?? "") : "$";
    });
  };
}
