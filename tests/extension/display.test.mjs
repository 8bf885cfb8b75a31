import "./i18n_setup.mjs";
// The display script's flow (display/display_core.js, a classic script) loaded
// in a vm context and driven with fake DOM operations and a fake clock.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";
import { FakeClock, flush } from "./fakes.mjs";

const CODE = readFileSync(new URL("../../extension/display/display_core.js", import.meta.url), "utf8");

function load() {
  const ctx = vm.createContext({});
  vm.runInContext(CODE, ctx);
  return ctx.TracklessDisplay;
}

const D = load();

// Fake "containers" and ops recording what the flow does to the page.
function setup({ kind = "html", parts = ["<p>a</p>"], answer, remoteLoaded = false, swapThrows = false } = {}) {
  const clock = new FakeClock();
  const page = { state: null, shown: false, timing: null, swapped: [], plainCleaned: null, undone: [], probes: [], sheets: [], others: [] };
  const sent = [];
  const containers = parts.map((html) => ({ html }));
  const imgs = [{ loaded: remoteLoaded, listeners: [] }];
  const ops = {
    findParts: () => ({ kind, containers: kind === "none" ? [] : containers }),
    remoteImages: () => imgs,
    serializeParts: (cs) => cs.map((c) => c.html),
    applyParts: (cs, htmls, originals) => {
      if (swapThrows) throw new Error("DOM exploded");
      page.originals = originals;
      cs.forEach((c, i) => {
        page.swapped.push(htmls[i]);
        c.html = htmls[i];
      });
    },
    plainLinks: () => [{ getAttribute: () => "https://a.example/?utm_source=x" }, { getAttribute: () => "https://a.example/?utm_source=x" }],
    cleanPlainLinks: (anchors, links) => {
      page.plainCleaned = links;
      return links.length;
    },
    resolveLink: (url, final) => {
      page.resolved = [...(page.resolved || []), [url, final]];
      return url === "https://click.example/ls/click?upn=1" ? 1 : 0;
    },
    showImage: (image) => {
      page.images = [...(page.images || []), image.url];
      return 1;
    },
    undoLink: (o) => {
      page.undone.push(o);
      return o === "known" ? 2 : 0;
    },
    setState: (s) => (page.state = s),
    setTiming: (ms) => (page.timing = ms),
    reveal: () => (page.shown = true),
    imageLoaded: (img) => img.loaded,
    // Thunderbird's blocked remote images may never finish: a flow that waited
    // for them would hang here (the swap must not depend on them).
    whenSettled: () => new Promise(() => {}),
    onImageLoad: (img, f) => img.listeners.push(f),
    backgroundProbes: () => page.probes,
    remoteSheets: () => page.sheets,
    sheetLoaded: (link) => link.loaded,
    otherLoads: () => page.others,
  };
  const send = (raw) => {
    const msg = JSON.parse(JSON.stringify(raw)); // out of the vm realm (and as runtime messaging copies it)
    sent.push(msg);
    if (msg.command === "display.sanitize" || msg.command === "display.unwrap") return answer ? answer(msg, clock) : new Promise(() => {});
    return Promise.resolve({ ok: true });
  };
  const c = D.createController({ ops, send, now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout });
  return { c, clock, page, sent, imgs };
}

test("the sanitized parts are swapped in, then the body is revealed with the timing", async () => {
  const { c, page, sent, clock } = setup({
    parts: ["<p>a</p>", "<p>b</p>"],
    answer: async (msg, clk) => {
      clk.advance(40);
      return { ok: true, parts: msg.parts.map((p) => `S${p}`), count: 2 };
    },
  });
  assert.equal(page.shown, false);
  await c.run();
  await flush();
  assert.deepEqual(sent[0], { command: "display.sanitize", parts: ["<p>a</p>", "<p>b</p>"], remoteAllowed: false });
  assert.deepEqual(page.swapped, ["S<p>a</p>", "S<p>b</p>"]);
  assert.equal(page.state, "sanitized");
  assert.equal(page.shown, true);
  assert.equal(page.timing, 40);
  assert.deepEqual(sent.find((m) => m.command === "display.shown"), { command: "display.shown", timingMs: 40 });
  assert.equal(clock.pending, 0, "the display timeout is cleared");
});

test("the swap does not wait for the mail's remote images (blocked ones never finish)", async () => {
  const { c, page, clock } = setup({ answer: async (m) => ({ ok: true, parts: m.parts.map((p) => `S${p}`) }) });
  await c.run(); // would never resolve if the flow waited for the images to settle
  assert.equal(page.state, "sanitized");
  assert.deepEqual(page.swapped, ["S<p>a</p>"]);
  assert.equal(page.timing, 0);
  assert.equal(clock.pending, 0);
});

test("host failure: Thunderbird's view is revealed untouched (fallback)", async () => {
  const { c, page, sent } = setup({ answer: async () => ({ ok: false, error: { code: "host_unreachable", message: "x" } }) });
  await c.run();
  assert.deepEqual(page.swapped, []);
  assert.equal(page.state, "fallback");
  assert.equal(page.shown, true);
  // the background already set the badge; the script does not report again
  assert.ok(!sent.some((m) => m.command === "display.failed"));
});

test("no answer within the display timeout: fallback and the background is told", async () => {
  const { c, page, sent, clock } = setup(); // never answers
  const run = c.run();
  await flush();
  clock.advance(D.displayTimeoutMs("<p>a</p>".length) - 1);
  await flush();
  assert.equal(page.shown, false, "still hidden just before the timeout");
  clock.advance(1);
  await run;
  assert.equal(page.state, "fallback");
  assert.equal(page.shown, true);
  assert.deepEqual(page.swapped, []);
  assert.deepEqual(sent.find((m) => m.command === "display.failed").error.code, "timeout");
});

test("the display timeout matches lib/timeouts.js and sits between the host timeout and the CSS fail-safe", async () => {
  const t = await import("../../extension/lib/timeouts.js");
  assert.equal(D.DISPLAY_TIMEOUT_MS, t.DISPLAY_TIMEOUT_MS);
  for (const chars of [0, 1, 1024, 1025, 200_000, 1_000_000, 5_000_000]) {
    assert.equal(D.displayTimeoutMs(chars), t.displayTimeoutMs(chars), `size ${chars}`);
    assert.ok(t.sanitizeTimeoutMs(chars) < t.displayTimeoutMs(chars));
  }
  assert.deepEqual([0, 1024, 1_048_576].map(t.sanitizeTimeoutMs), [4000, 4002, 6048]);
  // small and medium mails are decided before the CSS fail-safe shows anything
  assert.ok(t.displayTimeoutMs(1_000_000) < t.FAILSAFE_CSS_SECONDS * 1000);
  const css = readFileSync(new URL("../../extension/display/hide.css", import.meta.url), "utf8");
  assert.match(css, new RegExp(`animation: trackless-failsafe 0s linear ${t.FAILSAFE_CSS_SECONDS}s forwards`));
  assert.match(css, /html:not\(\[data-trackless-shown\]\) > body \{\s*visibility: hidden;/);
});

test("a rejected sendMessage (background gone) falls back", async () => {
  const { c, page } = setup({ answer: () => Promise.reject(new Error("Could not establish connection")) });
  await c.run();
  assert.equal(page.state, "fallback");
  assert.equal(page.shown, true);
});

test("an answer that does not match the parts, or a failing swap, falls back and reports", async () => {
  const a = setup({ parts: ["x", "y"], answer: async () => ({ ok: true, parts: ["only one"] }) });
  await a.c.run();
  assert.equal(a.page.state, "fallback");
  assert.deepEqual(a.page.swapped, []);
  assert.equal(a.sent.find((m) => m.command === "display.failed").error.code, "swap");

  const b = setup({ swapThrows: true, answer: async (m) => ({ ok: true, parts: m.parts }) });
  await b.c.run();
  assert.equal(b.page.state, "fallback");
  assert.match(b.sent.find((m) => m.command === "display.failed").error.message, /DOM exploded/);
});

test("plain-text mails: unique link URLs are unwrapped and cleaned", async () => {
  const { c, page, sent } = setup({
    kind: "plain",
    answer: async (msg) => ({ ok: true, links: msg.urls.map((u) => ({ original: u, final: "https://a.example/", status: "cleaned" })) }),
  });
  await c.run();
  assert.deepEqual(sent[0], { command: "display.unwrap", urls: ["https://a.example/?utm_source=x"] });
  assert.equal(page.plainCleaned.length, 1);
  assert.equal(page.state, "sanitized");
  assert.equal(page.shown, true);
});

test("a message without a body part is revealed at once", async () => {
  const { c, page, sent } = setup({ kind: "none" });
  await c.run();
  assert.equal(page.state, "none");
  assert.equal(page.shown, true);
  assert.equal(sent[0].command, "display.none");
});

test("a remote image that loaded reports 'remote content allowed' once", async () => {
  // loaded before the request: the flag travels with it (the background starts a
  // fresh report per request, so a separate earlier message would be lost)
  const loaded = setup({ remoteLoaded: true, answer: async (m) => ({ ok: true, parts: m.parts }) });
  await loaded.c.run();
  loaded.c.checkRemote();
  assert.equal(loaded.sent[0].remoteAllowed, true);
  assert.equal(loaded.sent.filter((m) => m.command === "display.remoteAllowed").length, 0);

  // an image that loads while the helper works is reported on its own, once
  let release;
  const during = setup({ answer: (m) => new Promise((r) => (release = () => r({ ok: true, parts: m.parts }))) });
  const run = during.c.run();
  await flush();
  during.imgs[0].loaded = true;
  during.imgs[0].listeners.forEach((f) => f());
  release();
  await run;
  during.c.checkRemote();
  assert.equal(during.sent[0].remoteAllowed, false);
  assert.equal(during.sent.filter((m) => m.command === "display.remoteAllowed").length, 1);
  assert.equal(during.page.state, "sanitized");

  const blocked = setup({ answer: async (m) => ({ ok: true, parts: m.parts }) });
  await blocked.c.run();
  assert.equal(blocked.sent.filter((m) => m.command === "display.remoteAllowed").length, 0);
  // a late load event (the image was fetched after all)
  blocked.imgs[0].loaded = true;
  blocked.imgs[0].listeners.forEach((f) => f());
  assert.equal(blocked.sent.filter((m) => m.command === "display.remoteAllowed").length, 1);
});

test("a probe of a CSS background that loads reports 'remote content allowed' like an <img>", async () => {
  // no remote <img> loaded, but the background probe did: the flag travels with the request
  const early = setup({ answer: async (m) => ({ ok: true, parts: m.parts }) });
  early.page.probes = [{ loaded: true, listeners: [] }];
  await early.c.run();
  assert.equal(early.sent[0].remoteAllowed, true);
  // a probe that loads after the swap: reported once, by its load event
  const late = setup({ answer: async (m) => ({ ok: true, parts: m.parts }) });
  const probe = { loaded: false, listeners: [] };
  late.page.probes = [probe];
  await late.c.run();
  assert.equal(late.sent.filter((m) => m.command === "display.remoteAllowed").length, 0);
  probe.loaded = true;
  probe.listeners.forEach((f) => f());
  probe.listeners.forEach((f) => f());
  assert.equal(late.sent.filter((m) => m.command === "display.remoteAllowed").length, 1);
  // blocked probes (Thunderbird's blocking on) report nothing
  const blocked = setup({ answer: async (m) => ({ ok: true, parts: m.parts }) });
  blocked.page.probes = [{ loaded: false, listeners: [] }];
  await blocked.c.run();
  assert.equal(blocked.sent[0].remoteAllowed, false);
});

test("a remote style sheet that loaded reports 'remote content allowed', now or at its load event", async () => {
  const early = setup({ answer: async (m) => ({ ok: true, parts: m.parts }) });
  early.page.sheets = [{ loaded: true, listeners: [] }];
  await early.c.run();
  assert.equal(early.sent[0].remoteAllowed, true);
  const late = setup({ answer: async (m) => ({ ok: true, parts: m.parts }) });
  const sheet = { loaded: false, listeners: [] };
  late.page.sheets = [sheet];
  await late.c.run();
  assert.equal(late.sent[0].remoteAllowed, false);
  sheet.loaded = true;
  sheet.listeners.forEach((f) => f());
  assert.equal(late.sent.filter((m) => m.command === "display.remoteAllowed").length, 1);
});

test("commands from the background: undo a link, re-render from the original HTML", async () => {
  let n = 0;
  const plain = (v) => JSON.parse(JSON.stringify(v ?? null)) ?? undefined; // out of the vm realm
  const { c: inner, page, sent } = setup({ answer: async (m) => ({ ok: true, parts: m.parts.map((p) => `S${++n}${p}`) }) });
  const c = { run: () => inner.run(), onCommand: async (m) => plain(await inner.onCommand(m)) };
  await c.run();
  assert.deepEqual(await c.onCommand({ command: "undoLink", original: "known" }), { ok: true, count: 2 });
  assert.deepEqual(await c.onCommand({ command: "undoLink", original: "other" }), { ok: false, count: 0 });
  assert.deepEqual(await c.onCommand({ command: "rerender" }), { ok: true });
  // re-rendering sends the original HTML, not the already sanitized one
  assert.deepEqual(sent.filter((m) => m.command === "display.sanitize").map((m) => m.parts), [["<p>a</p>"], ["<p>a</p>"]]);
  assert.deepEqual(page.swapped, ["S1<p>a</p>", "S2<p>a</p>"]);
  assert.equal(await c.onCommand({ command: "unknown" }), undefined);
});

test("allowed images are requested after the swap, and only raster data: URIs are shown", async () => {
  const { c: inner, page, sent } = setup({
    answer: async (m) => ({ ok: true, parts: m.parts, allowed: ["https://cdn.shop.example/a.png"] }),
  });
  const plain = (v) => JSON.parse(JSON.stringify(v ?? null));
  await inner.run();
  await flush();
  assert.deepEqual(sent.find((m) => m.command === "display.images"), { command: "display.images", urls: ["https://cdn.shop.example/a.png"] });
  const url = "https://cdn.shop.example/a.png";
  const cases = [
    [{ url, status: "ok", data: "data:image/png;base64,iVBORw0KGgo=" }, true],
    [{ url, status: "ok", data: "data:image/jpeg;base64,/9j/4AAQ" }, true],
    [{ url, status: "ok", data: "data:image/svg+xml;base64,PHN2Zz4=" }, false],
    [{ url, status: "ok", data: "data:text/html;base64,PHA+" }, false],
    [{ url, status: "ok", data: "https://cdn.shop.example/a.png" }, false],
    [{ url, status: "ok", data: 'data:image/png;base64,AA==" onerror="x' }, false],
    [{ url, status: "refused", data: "data:image/png;base64,AA==" }, false],
    [{ status: "ok", data: "data:image/png;base64,AA==" }, false],
    [null, false],
  ];
  for (const [image, shown] of cases) {
    const before = (page.images || []).length;
    const r = plain(await inner.onCommand({ command: "image", image }));
    assert.equal(r.ok, shown, JSON.stringify(image));
    assert.equal((page.images || []).length - before, shown ? 1 : 0);
  }
});

test("no allowed images: no images request", async () => {
  const { c, sent } = setup({ answer: async (m) => ({ ok: true, parts: m.parts, allowed: [] }) });
  await c.run();
  assert.ok(!sent.some((m) => m.command === "display.images"));
});

test("a resolved link is applied only with a web destination", async () => {
  const { c, page } = setup({ answer: async (m) => ({ ok: true, parts: m.parts }) });
  await c.run();
  const plain = async (m) => JSON.parse(JSON.stringify(await c.onCommand(m)));
  const url = "https://click.example/ls/click?upn=1";
  assert.deepEqual(await plain({ command: "linkResolved", url, final: "https://shop.example/p" }), { ok: true, count: 1 });
  assert.deepEqual(await plain({ command: "linkResolved", url, final: "javascript:alert(1)" }), { ok: false, count: 0 });
  assert.deepEqual(await plain({ command: "linkResolved", url, final: 5 }), { ok: false, count: 0 });
  assert.deepEqual(page.resolved, [[url, "https://shop.example/p"]]);
});

test("display.js runs once per document even when injected twice", () => {
  const DISPLAY = readFileSync(new URL("../../extension/display/display.js", import.meta.url), "utf8");
  const listeners = [];
  const attrs = {};
  const ctx = vm.createContext({
    browser: { runtime: { onMessage: { addListener: (f) => listeners.push(f) }, sendMessage: () => new Promise(() => {}) } },
    document: {
      readyState: "loading",
      documentElement: { setAttribute: (k, v) => (attrs[k] = v) },
      addEventListener: () => {},
    },
    window: { addEventListener: () => {} },
    performance: { now: () => 0 },
    setTimeout: () => 0,
    clearTimeout: () => {},
  });
  vm.runInContext(CODE, ctx);
  vm.runInContext(DISPLAY, ctx);
  vm.runInContext(CODE, ctx);
  vm.runInContext(DISPLAY, ctx);
  assert.equal(listeners.length, 1);
  assert.equal(attrs["data-trackless-state"], "pending");
});

test("remote loads other than images: fonts, media, frames are watched by their own state", async () => {
  const withOthers = (others) => {
    const s = setup({ answer: async (m) => ({ ok: true, parts: m.parts }) });
    s.page.others = others;
    return s;
  };
  // a watcher already loaded before the request: the flag travels with it
  const e = withOthers([{ loaded: () => true, listen: () => {}, settled: Promise.resolve() }]);
  await e.c.run();
  assert.equal(e.sent[0].remoteAllowed, true);
  // one that loads while the helper works: seen when the loads settle (not waited for)
  let state = false;
  const d = withOthers([{ loaded: () => state, listen: () => {}, settled: Promise.resolve().then(() => (state = true)) }]);
  await d.c.run();
  assert.equal(d.sent.filter((m) => m.command === "display.remoteAllowed").length, 1);
  // one that never settles does not hold the swap at all; a later load reports once
  const listeners = [];
  let late = false;
  const l = withOthers([{ loaded: () => late, listen: (f) => listeners.push(f), settled: new Promise(() => {}) }]);
  await l.c.run();
  assert.equal(l.page.state, "sanitized");
  assert.equal(l.sent[0].remoteAllowed, false);
  late = true;
  listeners.forEach((f) => f());
  listeners.forEach((f) => f());
  assert.equal(l.sent.filter((m) => m.command === "display.remoteAllowed").length, 1);
  // blocked (Thunderbird's blocking on): nothing reported
  const b = withOthers([{ loaded: () => false, listen: () => {}, settled: Promise.resolve() }]);
  await b.c.run();
  assert.equal(b.sent[0].remoteAllowed, false);
  assert.equal(b.sent.filter((m) => m.command === "display.remoteAllowed").length, 0);
});

// CSSOM-like rules, as the mail's own <style> sheets give them.
const style = (props) => {
  const names = Object.keys(props);
  const st = { length: names.length, getPropertyValue: (n) => props[n] ?? "" };
  names.forEach((n, i) => (st[i] = n));
  return st;
};

test("the CSS scan finds image URLs in any image property and remote-only font families", () => {
  const rules = [
    { type: 1, selectorText: ".hero::before", style: style({ "background-image": 'url("https://cdn.example/a.png")', color: "red" }) },
    { type: 1, selectorText: "li", style: style({ "list-style-image": "url(//cdn.example/dot.gif)", cursor: "url(https://cdn.example/c.cur), auto" }) },
    { type: 1, selectorText: "p", style: style({ "background-image": "url(cid:x), url(data:image/png;base64,AA==), url(local.png)" }) },
    { type: 1, selectorText: "a", style: style({ "mask-image": "url('https://cdn.example/m.svg')", filter: "url(https://cdn.example/f.svg#x)" }) },
    { type: 4, cssRules: [{ type: 12, cssRules: [{ type: 1, selectorText: "td.x", style: style({ "border-image-source": "url(https://cdn.example/b.png)" }) }] }] },
    { type: 5, style: style({ "font-family": '"Only Face"', src: 'url(https://fonts.example/a.woff2) format("woff2"), url(https://fonts.example/a.ttf)' }) },
    { type: 5, style: style({ "font-family": "Mixed", src: "local(Arial), url(https://fonts.example/m.woff2)" }) },
    { type: 5, style: style({ "font-family": "mixed", src: "url(https://fonts.example/m2.woff2)" }) },
    { type: 5, style: style({ "font-family": "Embedded", src: "url(data:font/woff2;base64,AA==)" }) },
    { type: 3, href: "https://cdn.example/i.css" },
  ];
  const scan = D.scanRules(rules);
  assert.deepEqual(
    JSON.parse(JSON.stringify(scan.images.map((i) => [i.url, i.selector]))),
    [
      ["https://cdn.example/a.png", ".hero"],
      ["//cdn.example/dot.gif", "li"],
      ["https://cdn.example/c.cur", "li"],
      ["https://cdn.example/m.svg", "a"],
      ["https://cdn.example/b.png", "td.x"],
    ],
  );
  // "Mixed" has a face with a local() source: its load may cost no request, so it cannot count
  assert.deepEqual(JSON.parse(JSON.stringify([...D.remoteOnlyFamilies(scan)])), ["only face"]);
});

test("font sources, family names, selectors", () => {
  for (const [src, remote] of [
    ["url(https://f.example/a.woff2)", true],
    ['url("//f.example/a.woff2") format("woff2"), url(https://f.example/a.ttf)', true],
    ["local(Arial), url(https://f.example/a.woff2)", false],
    ["url(https://f.example/a.woff2), url(a.ttf)", false],
    ["url(data:font/woff2;base64,AA==)", false],
    ["", false],
  ]) {
    assert.equal(D.fontSrcAllRemote(src), remote, src);
  }
  assert.equal(D.familyKey(' "Only Face" '), "only face");
  assert.equal(D.familyKey("'Brand'"), "brand");
  assert.equal(D.elementSelector("a:hover::after, p::first-line, li:first-child"), "a:hover, p, li:first-child");
  assert.deepEqual(JSON.parse(JSON.stringify(D.cssRemoteUrls("url(a.png), url( 'https://x.example/b.png' ), url(//y.example/c)"))), ["https://x.example/b.png", "//y.example/c"]);
});
