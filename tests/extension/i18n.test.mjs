import "./i18n_setup.mjs";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { badgeFor, summaryText } from "../../extension/lib/badge.js";
import { fromMessages, plural, t } from "../../extension/lib/i18n.js";
import { buildReport } from "../../extension/lib/report_model.js";
import { messagesOf, useLocale } from "./i18n_setup.mjs";

const EXT = new URL("../../extension/", import.meta.url).pathname;
const LANGS = ["en", "fr", "de"];

function sources(dir = EXT) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(js|html|json)$/.test(name) && !p.includes("_locales")) out.push(p);
  }
  return out;
}

// Every message key the add-on's code and pages name.
function usedKeys() {
  const keys = new Set();
  for (const file of sources()) {
    const text = readFileSync(file, "utf-8");
    for (const m of text.matchAll(/\bt\("([A-Za-z0-9_]+)"/g)) keys.add(m[1]);
    for (const m of text.matchAll(/\bplural\("([A-Za-z0-9_]+)"/g)) for (const f of ["_one", "_other"]) keys.add(m[1] + f);
    for (const m of text.matchAll(/data-i18n(?:-placeholder|-title)?="([A-Za-z0-9_]+)"/g)) if (m[1] !== "key") keys.add(m[1]);
    for (const m of text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) keys.add(m[1]);
    for (const m of text.matchAll(/(?:label|explain|unit): "([A-Za-z0-9_]+)"/g)) keys.add(m[1]);
    if (file.endsWith("report_model.js")) for (const m of text.matchAll(/: "((?:kind|link)[A-Z][A-Za-z0-9]*)"/g)) keys.add(m[1]);
    for (const m of text.matchAll(/"(remoteAllowedStep\d|errNumber|errWholeNumber)"/g)) keys.add(m[1]);
  }
  return keys;
}

test("en, fr and de are complete: the same keys and the same placeholders", () => {
  const en = messagesOf("en");
  for (const lang of LANGS) {
    const m = messagesOf(lang);
    assert.deepEqual(Object.keys(m).sort(), Object.keys(en).sort(), lang);
    for (const [key, entry] of Object.entries(m)) {
      assert.ok(entry.message.trim(), `${lang} ${key} is empty`);
      assert.deepEqual(Object.keys(entry.placeholders || {}), Object.keys(en[key].placeholders || {}), `${lang} ${key}`);
      for (const name of Object.keys(entry.placeholders || {})) {
        assert.ok(entry.message.includes(`$${name.toUpperCase()}$`), `${lang} ${key} does not use $${name.toUpperCase()}$`);
      }
    }
  }
});

test("every key the add-on uses exists, and the translations differ from English", () => {
  const en = messagesOf("en");
  const used = usedKeys();
  assert.ok(used.size > 80, `${used.size} keys found`);
  for (const key of used) assert.ok(key in en, `missing message ${key}`);
  for (const lang of ["fr", "de"]) {
    const m = messagesOf(lang);
    const same = Object.keys(en).filter((k) => m[k].message === en[k].message && en[k].message.length > 12);
    assert.deepEqual(same, [], `${lang}: left in English`);
  }
});

test("the manifest is localised", () => {
  const manifest = JSON.parse(readFileSync(join(EXT, "manifest.json"), "utf-8"));
  assert.equal(manifest.default_locale, "en");
  assert.equal(manifest.name, "__MSG_extName__");
  assert.equal(manifest.description, "__MSG_extDescription__");
});

test("fromMessages follows the browser's placeholder rules", () => {
  const get = fromMessages({
    a: { message: "$WHO$ owes $$$AMOUNT$ ($1)", placeholders: { who: { content: "$1" }, amount: { content: "$2" } } },
  });
  assert.equal(get("a", ["Ann", "5"]), "Ann owes $5 (Ann)");
  assert.equal(get("missing", []), "");
  assert.equal(t("noSuchMessage"), "[noSuchMessage]");
});

test("one vocabulary in three languages, with each language's plural rule", () => {
  try {
    useLocale("fr");
    assert.equal(summaryText(3, 5), "3 traqueurs bloqués · 5 liens de suivi nettoyés");
    assert.equal(plural("trackersBlocked", 0), "0 traqueur bloqué");
    assert.equal(badgeFor({ kind: "done", count: 1, links: 1 }).title, "Trackless: 1 traqueur bloqué · 1 lien de suivi nettoyé");
    assert.match(buildReport({ kind: "html", state: { kind: "done", count: 0 }, result: { remote: [], links: [{ original: "a", final: null, status: "opaque" }] } }).links[0].label, /destination cachée/);
    useLocale("de");
    assert.equal(summaryText(3, 1), "3 Tracker blockiert · 1 Tracking-Link bereinigt");
    assert.equal(plural("linksCleaned", 0), "0 Tracking-Links bereinigt");
  } finally {
    useLocale("en");
  }
});
