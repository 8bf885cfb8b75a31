// Fills a page's static words from the locale's messages: every element with
// data-i18n="key" gets t(key) as its text, data-i18n-placeholder="key" its
// placeholder, data-i18n-title="key" its title; <html lang> follows the UI.
import { t } from "./i18n.js";

export function localizePage(doc, lang = null) {
  for (const e of doc.querySelectorAll("[data-i18n]")) e.textContent = t(e.getAttribute("data-i18n"));
  for (const e of doc.querySelectorAll("[data-i18n-placeholder]")) e.setAttribute("placeholder", t(e.getAttribute("data-i18n-placeholder")));
  for (const e of doc.querySelectorAll("[data-i18n-title]")) e.setAttribute("title", t(e.getAttribute("data-i18n-title")));
  const ui = lang || t("@@ui_locale");
  if (doc.documentElement && ui && !ui.startsWith("[")) doc.documentElement.setAttribute("lang", ui.replace("_", "-"));
}
