import "./i18n_setup.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { addressOf, addressesOf, partiesOf, singleMessage } from "../../extension/lib/addresses.js";
import { allowlistRows, parseSetting, settingRows, statusView } from "../../extension/lib/options_model.js";
import { resolveView } from "../../extension/lib/resolve_view.js";
import { errorInfo, HostError } from "../../extension/lib/errors.js";

test("addresses from header strings", () => {
  const rows = [
    ["Shop News <news@shop.example>", "news@shop.example"],
    ["reader@example.org", "reader@example.org"],
    ["  reader@example.org ", "reader@example.org"],
    ['"Doe, Jane" <jane@x.example>', "jane@x.example"],
    ["Undisclosed recipients:;", null],
    ["", null],
    [null, null],
    ["a b@c", null],
  ];
  for (const [input, want] of rows) assert.equal(addressOf(input), want, String(input));
  assert.deepEqual(addressesOf(["A <a@x.example>", "a@x.example", "bad", "b@x.example"]), ["a@x.example", "b@x.example"]);
  assert.deepEqual(partiesOf({ author: "S <s@x.example>", recipients: ["r@x.example"], ccList: ["c@x.example"], bccList: ["r@x.example"] }), {
    from: "s@x.example",
    to: ["r@x.example", "c@x.example"],
  });
  assert.deepEqual(partiesOf(null), { from: "", to: [] });
});

test("singleMessage handles MV3 MessageList and MV2 arrays", () => {
  assert.deepEqual(singleMessage({ id: null, messages: [{ id: 1 }] }), { id: 1 });
  assert.deepEqual(singleMessage([{ id: 2 }]), { id: 2 });
  assert.equal(singleMessage({ messages: [{ id: 1 }, { id: 2 }] }), null);
  assert.equal(singleMessage(null), null);
});

test("options model: allowlist rows, settings rows, parsing, status", () => {
  assert.deepEqual(
    allowlistRows({ allowlist: { "z.example": { images: true, keep_links: false, added: "2026-11-26" }, "a.example": { images: false, keep_links: true } } }),
    [
      { domain: "a.example", images: false, keepLinks: true, added: "" },
      { domain: "z.example", images: true, keepLinks: false, added: "2026-11-26" },
    ],
  );
  assert.deepEqual(allowlistRows(null), []);
  assert.deepEqual(
    allowlistRows({ allowlist: { "shop.example": { images: true }, "news.example": { images: true }, "a.example": {} } }, " SHOP").map((r) => r.domain),
    ["shop.example"],
  );
  const rows = settingRows({
    settings: { dns_uncloaking: true, request_timeout_ms: 5000, image_max_bytes: 5242880 },
    schema: {
      dns_uncloaking: { type: "boolean", default: false, help: "h" },
      request_timeout_ms: { type: "integer", default: 5000, help: "t", min: 100, max: 60000 },
      max_redirects: { type: "integer", default: 10, help: "r", min: 0, max: 30 },
      image_max_bytes: { type: "integer", default: 5242880, help: "i", min: 1024, max: 52428800 },
      future_option: { type: "boolean", default: false, help: "added by a newer helper" },
    },
  });
  // known settings in a fixed order with labels and units; an unknown one last, with its own help
  assert.deepEqual(rows.map((r) => [r.name, r.label, r.shown, r.unit]), [
    ["dns_uncloaking", "Find trackers hidden behind the sender's own domain (DNS uncloaking)", true, ""],
    ["image_max_bytes", "Largest image the helper fetches", 5, "MB"],
    ["request_timeout_ms", "Network time limit", 5, "seconds"],
    ["max_redirects", "Redirects followed when resolving a link", 10, ""],
    ["future_option", "future_option", false, ""],
  ]);
  assert.match(rows[0].help, /What this sends: those host names, to your resolver/);
  assert.equal(rows[4].help, "added by a newer helper");
  for (const r of rows) assert.doesNotMatch(r.label + r.help, /_ms|_bytes|dns_uncloaking|resolve_allow_private/);
  const t = rows[2];
  assert.deepEqual(parseSetting(t, "2.5"), { value: 2500 });
  assert.deepEqual(parseSetting(t, "2,5"), { value: 2500 });
  assert.match(parseSetting(t, "0.05").error, /at least 0.1 seconds/);
  assert.match(parseSetting(t, "70").error, /at most 60 seconds/);
  assert.match(parseSetting(t, "1e3").error, /a number is needed/);
  assert.deepEqual(parseSetting(rows[1], "10"), { value: 10485760 });
  assert.match(parseSetting(rows[1], "60").error, /at most 50 MB/);
  assert.deepEqual(parseSetting(rows[3], "7"), { value: 7 });
  assert.match(parseSetting(rows[3], "7.5").error, /whole number/);
  assert.match(parseSetting(rows[3], "31").error, /at most 30$/);
  assert.deepEqual(parseSetting(rows[0], false), { value: false });
  assert.deepEqual(statusView({ ok: true, result: { name: "trackless", version: "0.1.0", protocol: 1 } }), {
    ok: true,
    text: "Helper answering: trackless 0.1.0 (protocol 1).",
    fix: null,
  });
  const off = statusView({ ok: false, error: { code: "host_unreachable", message: "No such native application trackless" } });
  assert.equal(off.ok, false);
  assert.match(off.text, /host_unreachable.*No such native application/);
  assert.match(off.fix, /trackless install/);
});

test("resolve view", () => {
  const ok = resolveView({
    ok: true,
    result: { final: "https://shop.example/p", chain: [{ url: "https://t.example/c", status: 302 }], warning: "The vendor has probably recorded a click.", removed: ["utm_source"], cached: false },
  });
  assert.deepEqual(ok, {
    status: "This link leads to:",
    final: "https://shop.example/p",
    warning: "The vendor has probably recorded a click.",
    hops: ["302 https://t.example/c"],
    removed: ["utm_source"],
  });
  assert.equal(resolveView({ ok: true, result: { final: "mailto:a@b.example", chain: [] } }).final, "mailto:a@b.example");
  assert.match(resolveView({ ok: true, result: { final: "https://x.example/", chain: [], cached: true } }).status, /from the cache/);
  assert.match(resolveView({ ok: true, result: { final: "https://x.example/", chain: [] } }).status, /decoded without contacting/);
  assert.equal(resolveView({ ok: true, result: { final: "javascript:alert(1)" } }).final, null);
  const v = resolveView({ ok: false, error: { code: "unknown_action", message: "not available yet" } });
  assert.equal(v.status, "not available yet");
  assert.equal(v.final, null);
  assert.equal(resolveView({ ok: false, error: { code: "refused", message: "refused: loopback address" } }).code, "refused");
  assert.equal(resolveView(null).final, null);
});

test("errorInfo", () => {
  assert.deepEqual(errorInfo(new HostError("timeout", "slow")), { code: "timeout", message: "slow" });
  assert.deepEqual(errorInfo(new Error("boom")), { code: "internal", message: "boom" });
  assert.deepEqual(errorInfo("x"), { code: "internal", message: "x" });
});

test("manifest: MV3, gecko id, minimum version, permissions, no remote code", () => {
  const m = JSON.parse(readFileSync(new URL("../../extension/manifest.json", import.meta.url), "utf8"));
  assert.equal(m.manifest_version, 3);
  assert.equal(m.browser_specific_settings.gecko.id, "trackless@trackless.email");
  assert.equal(m.browser_specific_settings.gecko.strict_min_version, "128.0");
  assert.equal(m.background.type, "module");
  assert.deepEqual([...m.permissions].sort(), ["accountsRead", "menus", "messagesRead", "nativeMessaging", "scripting"]);
  assert.equal(m.message_display_action.default_popup, "popup/popup.html");
  for (const page of ["popup/popup.html", "options/options.html", "resolve/resolve.html"]) {
    const html = readFileSync(new URL(`../../extension/${page}`, import.meta.url), "utf8");
    assert.match(html, /Content-Security-Policy" content="default-src 'self'"/, page);
    assert.doesNotMatch(html, /<script>(?!<)/, `${page}: inline script`);
  }
});

test("no add-on page or module writes HTML strings into the DOM", () => {
  const files = [
    "popup/popup.js", "options/options.js", "resolve/resolve.js", "lib/report_render.js", "lib/background_core.js", "background.js",
  ];
  for (const f of files) {
    const src = readFileSync(new URL(`../../extension/${f}`, import.meta.url), "utf8");
    assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, f);
  }
});
