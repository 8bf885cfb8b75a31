// Node tests read the add-on's words from the English messages.json, through
// the same substitution rules as the browser's i18n.getMessage.
import { readFileSync } from "node:fs";
import { fromMessages, setGetMessage } from "../../extension/lib/i18n.js";

export function messagesOf(lang) {
  return JSON.parse(readFileSync(new URL(`../../extension/_locales/${lang}/messages.json`, import.meta.url), "utf-8"));
}

export function useLocale(lang) {
  setGetMessage(fromMessages(messagesOf(lang)));
}

useLocale("en");
