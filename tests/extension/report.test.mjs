import "./i18n_setup.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildReport, changedLinks, groupRemote, imageDomains, imageSummary } from "../../extension/lib/report_model.js";
import { renderReport } from "../../extension/lib/report_render.js";
import { FakeDocument, flush } from "./fakes.mjs";

const HOSTILE = `<img src=x onerror="alert(1)"><script>alert(2)</script>&amp;"'`;

const RESULT = {
  html: "<p>x</p>",
  badge: 4,
  headers: ["Disposition-Notification-To"],
  remote: [
    { url: "https://t.sendgrid.example/wf/open?upn=abc", kind: "pixel", action: "blocked", tracker: true, vendor: "SendGrid", reason: "open-tracking path /wf/open", identifies_you: false, confidence: "high", element: "img", attribute: "src", host: "t.sendgrid.example", domain: "sendgrid.example", token: "abc" },
    { url: "https://cdn.shop.example/hero.png", kind: "image", action: "blocked", tracker: false, vendor: null, reason: "remote image", identifies_you: false, confidence: "low", element: "img", attribute: "src", host: "cdn.shop.example", domain: "shop.example", token: null },
    { url: "https://t.sendgrid.example/wf/open?u=reader%40example.org", kind: "pixel", action: "blocked", tracker: true, vendor: "SendGrid", reason: "address in URL", identifies_you: true, confidence: "medium", element: "td", attribute: "background", host: "t.sendgrid.example", domain: "sendgrid.example", token: null },
    { url: "https://evil.example/a.png", kind: "image", action: "blocked", tracker: false, vendor: HOSTILE, reason: HOSTILE, identifies_you: false, confidence: "low", element: "img", attribute: "src", host: "evil.example", domain: "evil.example", token: null },
  ],
  links: [
    { original: "https://shop.example/p?utm_source=nl&id=7", final: "https://shop.example/p?id=7", status: "cleaned", removed: ["utm_source"], vendor: "utm", identifies_you: false, rule: "params.utm", chain: [] },
    { original: "https://click.example/ls/click?upn=zzz", final: null, status: "opaque", removed: [], vendor: "SendGrid", identifies_you: false, rule: "sendgrid", chain: [] },
    { original: "https://shop.example/about", final: "https://shop.example/about", status: "unchanged", removed: [], vendor: null, identifies_you: false, rule: null, chain: [] },
    { original: `https://x.example/?q=${HOSTILE}`, final: `https://x.example/${HOSTILE}`, status: "unwrapped", removed: [HOSTILE], vendor: HOSTILE, identifies_you: true, rule: "r", chain: [] },
  ],
};

test("remote references are grouped by kind and vendor, trackers first", () => {
  const groups = groupRemote(RESULT.remote);
  assert.deepEqual(
    groups.map((g) => [g.kind, g.vendor, g.items.length, g.confidence, g.tracker, g.identifiesYou]),
    [
      ["pixel", "SendGrid", 2, "high", true, true],
      ["image", null, 1, null, false, false],
      ["image", HOSTILE, 1, null, false, false],
    ],
  );
  // a mixed group: confidence from its tracker items only
  const mixed = groupRemote([
    { url: "a", kind: "image", tracker: false, confidence: "high" },
    { url: "b", kind: "image", tracker: true, confidence: "medium" },
  ]);
  assert.equal(mixed[0].confidence, "medium");
  assert.deepEqual(groupRemote(null), []);
  assert.deepEqual(groupRemote([null, 3]), []);
});

test("only changed links are listed; opaque ones are marked and cannot be undone", () => {
  const links = changedLinks(RESULT.links, ["https://shop.example/p?utm_source=nl&id=7"]);
  assert.deepEqual(links.map((l) => [l.status, l.label, l.canUndo, l.undone]), [
    ["cleaned", "tracking removed", true, true],
    ["opaque", "destination hidden by the sender's mail service", false, false],
    ["unwrapped", "destination restored", true, false],
  ]);
  assert.equal(links[1].final, null);
  assert.deepEqual(links[0].removed, ["utm_source"]);
});

test("image domains offered: blocked content images in <img src>, also on a domain that serves trackers", () => {
  assert.deepEqual(imageDomains(RESULT.remote), ["evil.example", "shop.example"]);
  const remote = [
    { domain: "t.example", kind: "image", action: "blocked", tracker: false, element: "img", attribute: "src" },
    { domain: "t.example", kind: "pixel", action: "blocked", tracker: true, element: "img", attribute: "src" },
    { domain: "t.example", kind: "pixel", action: "blocked", tracker: true, element: "img", attribute: "src" },
    { domain: "ok.example", kind: "image", action: "allowed", allowed_by: "allowlist", tracker: false, element: "img", attribute: "src" },
    { domain: "ok.example", kind: "pixel", action: "blocked", tracker: true, element: "img", attribute: "src" },
    { domain: "css.example", kind: "image", action: "blocked", tracker: false, element: "div", attribute: "style" },
    { domain: "me.example", kind: "image", action: "allowed", allowed_by: "sender", tracker: false, element: "img", attribute: "src" },
  ];
  // a CSS background cannot be shown by allowing its domain: not offered
  assert.deepEqual(imageDomains(remote), ["t.example"]);
  assert.deepEqual(
    imageSummary(remote).map((d) => [d.domain, d.blocked, d.shown, d.allowedBy, d.trackers]),
    [["me.example", 0, 1, "sender", 0], ["ok.example", 0, 1, "allowlist", 1], ["t.example", 1, 0, "", 2]],
  );
  const model = buildReport({ kind: "html", state: { kind: "done", count: 3 }, result: { remote } });
  assert.deepEqual(model.images.map((d) => d.line), [
    "Images from me.example are shown (the sender's own domain).",
    "Images from ok.example are shown (you allowed them). Its 1 tracker stays blocked.",
    "Images from t.example are blocked. Its 2 trackers stay blocked.",
  ]);
});

test("buildReport states", () => {
  assert.match(buildReport(null).status, /No report/);
  const done = buildReport({ kind: "html", state: { kind: "done", count: 2, links: 3 }, result: RESULT, undone: [], timingMs: 12 });
  assert.equal(done.count, 2);
  assert.equal(done.status, "2 trackers blocked · 3 tracking links cleaned.");
  assert.equal(done.badge.text, "2");
  assert.equal(done.timingMs, 12);
  const clean = buildReport({ kind: "html", state: { kind: "done", count: 0, links: 0 }, result: { html: "", remote: [], links: [] } });
  assert.equal(clean.status, "No trackers found.");
  const warn = buildReport({ kind: "html", state: { kind: "done", count: 1, remoteAllowed: true }, result: RESULT });
  assert.equal(warn.remoteAllowed, true);
  const off = buildReport({ kind: null, state: { kind: "unreachable", message: "No such native application" }, result: null });
  assert.match(off.status, /not reachable.*trackless install/s);
  assert.deepEqual(off.links, []);
});

function render(record, actions = {}) {
  const doc = new FakeDocument();
  const root = renderReport(doc, buildReport(record), {
    allowImages: async () => {},
    blockImages: async () => {},
    undoLink: async () => ({ ok: true }),
    ...actions,
  });
  return { doc, root };
}

test("hostile report strings are rendered as text, never as markup", () => {
  const { doc, root } = render({ kind: "html", state: { kind: "done", count: 4 }, result: RESULT, undone: [] });
  // no element other than the renderer's own vocabulary was created
  const tags = new Set(doc.created.map((e) => e.localName));
  for (const t of tags) assert.ok(["div", "header", "span", "p", "section", "h2", "ul", "ol", "li", "details", "summary", "code", "button"].includes(t), t);
  assert.ok(!root.all().some((e) => e.localName === "img" || e.localName === "script"));
  // the hostile text is present verbatim as text, escaped in serialization
  assert.ok(root.textContent.includes(HOSTILE));
  const html = root.serialize();
  assert.ok(!html.includes("<img src=x"), "no raw markup from a report string");
  assert.ok(!html.includes("<script>"));
  assert.ok(html.includes("&lt;img src=x onerror=\"alert(1)\"&gt;&lt;script&gt;"));
  // no attribute carries an event handler
  for (const e of root.all()) for (const k of e.attributes.keys()) assert.ok(!/^on/i.test(k));
});

test("report content: groups, links with before/after/removed in plain words, read receipts, timing", () => {
  const receipts = [{ header: "Disposition-Notification-To", to: "track@shop.example", thunderbird: "asks" }];
  const { root } = render({ kind: "html", state: { kind: "done", count: 4 }, result: RESULT, undone: [], timingMs: 33.4, receipts });
  const text = root.textContent;
  assert.equal(root.byClass("group").length, 3);
  assert.equal(root.byClass("not-tracker").length, 2);
  // words never run together: kind, vendor, confidence in words, each separated
  assert.match(text, /tracking pixel ×2 · SendGrid · certain: a known tracker[^·]*· identifies you/);
  const links = root.byClass("link");
  assert.equal(links.length, 3);
  assert.equal(links[0].byClass("head")[0].textContent, "tracking removed · utm");
  assert.match(links[0].textContent, /before: https:\/\/shop\.example\/p\?utm_source=nl&id=7/);
  assert.match(links[0].textContent, /after: https:\/\/shop\.example\/p\?id=7/);
  assert.match(links[0].textContent, /tracking parts removed: utm_source/);
  assert.equal(links[1].byClass("head")[0].textContent, "destination hidden by the sender's mail service · SendGrid");
  assert.match(links[1].textContent, /Resolve tracking link/);
  assert.equal(links[1].byTag("button").length, 0, "no undo for opaque links");
  assert.match(links[2].byClass("head")[0].textContent, /^destination restored · /);
  assert.doesNotMatch(text, /cleaned[A-Z]|hidden[A-Z]|unwrapped|opaque/);
  assert.match(text, /Read receipt requestedDisposition-Notification-Toto track@shop\.exampleThunderbird asks you/);
  assert.match(text, /cleaned in 33 ms/);
  assert.deepEqual(root.byClass("allow").map((b) => b.textContent), ["Show images from evil.example", "Show images from shop.example"]);
});

test("remote content allowed: the popup says how to turn Thunderbird's blocking back on", () => {
  const { root } = render({ kind: "html", state: { kind: "done", count: 1, remoteAllowed: true }, result: RESULT });
  const warning = root.byClass("warning");
  assert.equal(warning.length, 1);
  assert.match(warning[0].textContent, /Allow remote content in messages.*Exceptions…/s);
  const { root: calm } = render({ kind: "html", state: { kind: "done", count: 1 }, result: RESULT });
  assert.equal(calm.byClass("warning").length, 0);
});

test("sender-domain policy: the popup says why images were or were not shown", () => {
  const on = { enabled: true, active: true, domain: "shop.example", reason: "DMARC passed for shop.example" };
  const { root } = render({ kind: "html", state: { kind: "done", count: 1 }, result: { ...RESULT, sender_images: on } });
  assert.equal(root.byClass("sender")[0].textContent, "Images from the sender's domain shop.example are shown: DMARC passed for shop.example.");
  const off = { enabled: true, active: false, domain: "shop.example", reason: "the sender is not authenticated: no Authentication-Results header from your provider" };
  const { root: r2 } = render({ kind: "html", state: { kind: "done", count: 1 }, result: { ...RESULT, sender_images: off } });
  assert.match(r2.byClass("sender")[0].textContent, /are not shown: .*not authenticated/);
  const { root: r3 } = render({ kind: "html", state: { kind: "done", count: 1 }, result: { ...RESULT, sender_images: { enabled: false } } });
  assert.equal(r3.byClass("sender").length, 0);
});

test("an allowlisted domain's shown images can be blocked again from the same place", async () => {
  const remote = [
    { domain: "ok.example", kind: "image", action: "allowed", allowed_by: "allowlist", tracker: false, element: "img", attribute: "src" },
    { domain: "ok.example", kind: "pixel", action: "blocked", tracker: true, element: "img", attribute: "src" },
  ];
  const calls = [];
  const { root } = render({ kind: "html", state: { kind: "done", count: 1 }, result: { remote, links: [] } }, { blockImages: async (d) => calls.push(d) });
  assert.equal(root.byClass("allow").length, 0);
  const block = root.byClass("block")[0];
  assert.equal(block.textContent, "Block images from ok.example again");
  await block.dispatch("click");
  assert.deepEqual(calls, ["ok.example"]);
  assert.equal(block.textContent, "Images from ok.example blocked again");
});

test("undo and allow buttons call their actions and update", async () => {
  const calls = [];
  const { root } = render(
    { kind: "html", state: { kind: "done", count: 4 }, result: RESULT, undone: [] },
    {
      undoLink: async (o) => calls.push(["undo", o]),
      allowImages: async (d) => {
        calls.push(["allow", d]);
        throw new Error("store_corrupt");
      },
    },
  );
  const undo = root.byClass("undo")[0];
  await undo.dispatch("click");
  assert.equal(undo.textContent, "undone");
  assert.ok(undo.hasAttribute("disabled"));
  const allow = root.byClass("allow")[1];
  await allow.dispatch("click");
  await flush();
  assert.equal(allow.textContent, "failed: store_corrupt");
  assert.ok(!allow.hasAttribute("disabled"));
  assert.deepEqual(calls, [["undo", "https://shop.example/p?utm_source=nl&id=7"], ["allow", "shop.example"]]);
});

test("an already undone link shows a disabled 'undone' button", () => {
  const { root } = render({ kind: "html", state: { kind: "done", count: 4 }, result: RESULT, undone: ["https://shop.example/p?utm_source=nl&id=7"] });
  const b = root.byClass("undo")[0];
  assert.equal(b.textContent, "undone");
  assert.ok(b.hasAttribute("disabled"));
});

test("plain-text reports have no remote section", () => {
  const { root } = render({ kind: "plain", state: { kind: "done", count: 1 }, result: { links: [RESULT.links[0]] } });
  assert.equal(root.byClass("findings").length, 0);
  assert.equal(root.byClass("link").length, 1);
});

test("a resolved opaque link shows its destination", () => {
  const links = [{ original: "https://click.example/ls/click?upn=1", final: null, status: "opaque", removed: [], resolved: "https://shop.example/p" }];
  const { root } = render({ kind: "html", state: { kind: "done", count: 1 }, result: { html: "", remote: [], links } });
  assert.match(root.textContent, /after \(looked up\): https:\/\/shop\.example\/p/);
  assert.doesNotMatch(root.textContent, /right-click/);
});
