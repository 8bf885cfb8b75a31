// Deceptive links in the add-on: the warning next to each judged link, what a
// click on one does, the background's two commands and the confirm window's words.
import "./i18n_setup.mjs";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";
import { createBackground } from "../../extension/lib/background_core.js";
import { confirmView } from "../../extension/lib/confirm_view.js";
import { NativeClient } from "../../extension/lib/port_client.js";
import { FakeClock, FakeDocument, FakeElement, fakeMessenger, portFactory } from "./fakes.mjs";

const CODE = readFileSync(new URL("../../extension/display/display_core.js", import.meta.url), "utf8");
const ctx = vm.createContext({});
vm.runInContext(CODE, ctx);
const D = ctx.TracklessDisplay;

// FakeElement plus what markVerdicts uses: querySelectorAll over a[attr], after(), nextElementSibling.
class Node extends FakeElement {
  querySelectorAll(sel) {
    const m = /^a\[([a-z-]+)\]$/.exec(sel);
    return this.all().filter((e) => e.localName === "a" && e.hasAttribute(m[1]));
  }
  after(node) {
    const sibs = this.parentNode.childNodes;
    node.parentNode = this.parentNode;
    sibs.splice(sibs.indexOf(this) + 1, 0, node);
  }
  get nextElementSibling() {
    const sibs = this.parentNode.childNodes;
    return sibs.slice(sibs.indexOf(this) + 1).find((n) => n.nodeType === 1) || null;
  }
}
class Doc extends FakeDocument {
  createElement(tag) {
    const e = new Node(this, tag);
    this.created.push(e);
    return e;
  }
}

function link(doc, attrs, text = "x") {
  const a = doc.createElement("a");
  for (const [k, v] of Object.entries(attrs)) a.setAttribute(k, v);
  a.textContent = text;
  return a;
}

test("deceptive and lookalike links get a visible text warning after them, once", () => {
  const doc = new Doc();
  const box = doc.createElement("div");
  const bad = link(doc, { href: "https://evil.example/", "data-trackless-verdict": "deceptive",
    "data-trackless-evidence": "the link's text names paypal.com, but it goes to evil.example" }, "www.paypal.com");
  const look = link(doc, { href: "https://paypa1.com/", "data-trackless-verdict": "lookalike", "data-trackless-evidence": "paypa1.com imitates paypal.com" });
  const hidden = link(doc, { href: "https://wrap.example/", "data-trackless-verdict": "hidden" });
  const fine = link(doc, { href: "https://shop.example/" });
  box.append(bad, look, hidden, fine);
  assert.equal(D.markVerdicts(doc, [box]), 2);
  assert.equal(D.markVerdicts(doc, [box]), 0, "a second pass adds nothing");
  const marks = box.childNodes.filter((n) => n.getAttribute && n.hasAttribute("data-trackless-marker"));
  assert.deepEqual(marks.map((m) => m.getAttribute("data-trackless-marker")), ["deceptive", "lookalike"]);
  assert.equal(box.childNodes[1], marks[0], "right after its link");
  assert.equal(marks[0].textContent, "\u26a0 Deceptive link: the link's text names paypal.com, but it goes to evil.example");
  assert.equal(marks[1].textContent, "\u26a0 Lookalike site: paypa1.com imitates paypal.com");
  assert.equal(marks[0].getAttribute("title"), "the link's text names paypal.com, but it goes to evil.example");
  // the text is text: markup in the evidence stays characters
  const doc2 = new Doc();
  const box2 = doc2.createElement("div");
  box2.append(link(doc2, { href: "https://e.example/", "data-trackless-verdict": "deceptive", "data-trackless-evidence": "<img src=x onerror=alert(1)>" }));
  D.markVerdicts(doc2, [box2]);
  assert.match(box2.innerHTML, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test("a click on a judged link asks first; a same-owner link opens without Thunderbird's mismatch warning", () => {
  const doc = new Doc();
  const ask = D.linkClickAction(link(doc, { href: "https://evil.example/", "data-trackless-verdict": "deceptive", "data-trackless-evidence": "why" }));
  assert.deepEqual({ ...ask }, { command: "display.checkLink", url: "https://evil.example/", kind: "deceptive", evidence: "why" });
  assert.equal(D.linkClickAction(link(doc, { href: "https://w.example/", "data-trackless-verdict": "hidden" })).kind, "hidden");
  assert.deepEqual({ ...D.linkClickAction(link(doc, { href: "https://www.amazon.com/", "data-trackless-alias": "amazon.de" })) },
    { command: "display.openLink", url: "https://www.amazon.com/" });
  assert.equal(D.linkClickAction(link(doc, { href: "https://shop.example/" })), null);
  assert.equal(D.linkClickAction(link(doc, { href: "mailto:a@b.example", "data-trackless-verdict": "deceptive" })), null);
  assert.equal(D.linkClickAction(link(doc, { href: "https://e.example/", "data-trackless-verdict": "bogus" })), null);
});

test("guardLinks stops the click before Thunderbird's handler and sends the action", async () => {
  const listeners = [];
  const doc = { addEventListener: (type, f, capture) => listeners.push([type, f, capture]) };
  const sent = [];
  D.guardLinks(doc, (m) => sent.push(m));
  const [[type, handler, capture]] = listeners;
  assert.equal(type, "click");
  assert.equal(capture, true);
  const judged = new Doc().createElement("a");
  judged.setAttribute("href", "https://evil.example/");
  judged.setAttribute("data-trackless-verdict", "lookalike");
  const event = (a, button = 0) => {
    const e = { button, prevented: false, stopped: false, target: { closest: () => a } };
    e.preventDefault = () => (e.prevented = true);
    e.stopPropagation = () => (e.stopped = true);
    return e;
  };
  const e1 = event(judged);
  handler(e1);
  assert.ok(e1.prevented && e1.stopped);
  assert.equal(sent[0].command, "display.checkLink");
  const plain = new Doc().createElement("a");
  plain.setAttribute("href", "https://shop.example/");
  const e2 = event(plain);
  handler(e2);
  assert.ok(!e2.prevented && !e2.stopped, "an ordinary link is Thunderbird's");
  const e3 = event(judged, 2);
  handler(e3);
  assert.ok(!e3.prevented, "a right click opens the context menu as usual");
  assert.equal(sent.length, 1);
});

function background() {
  const clock = new FakeClock();
  const { connect } = portFactory();
  const client = new NativeClient({ connect, timers: clock, now: clock.now });
  const messenger = fakeMessenger({});
  messenger.opened = [];
  messenger.windows.openDefaultBrowser = async (url) => messenger.opened.push(url);
  const bg = createBackground({ messenger, client, now: clock.now, log: () => {} });
  return { bg, messenger };
}
const DISPLAY = { id: "trackless@trackless.email", tab: { id: 5 }, url: "mailbox:///tmp/Inbox?number=1" };
const PAGE = { id: "trackless@trackless.email", url: "moz-extension://uuid/popup/popup.html" };

test("display.checkLink opens the confirm window; display.openLink opens the browser; web links only", async () => {
  const { bg, messenger } = background();
  const r = await bg.onMessage({ command: "display.checkLink", url: "https://evil.example/a?b=1", kind: "deceptive", evidence: "why" }, DISPLAY);
  assert.equal(r.ok, true);
  const url = new URL(messenger.windowsCreated[0].url);
  assert.equal(url.pathname, "/confirm/confirm.html");
  assert.deepEqual(Object.fromEntries(url.searchParams), { url: "https://evil.example/a?b=1", kind: "deceptive", evidence: "why", tabId: "5" });
  assert.equal(messenger.opened.length, 0, "nothing opens before the user says so");
  assert.equal((await bg.onMessage({ command: "display.openLink", url: "https://www.amazon.com/" }, DISPLAY)).ok, true);
  assert.deepEqual(messenger.opened, ["https://www.amazon.com/"]);
  for (const bad of ["javascript:alert(1)", "file:///etc/passwd", 5]) {
    assert.equal((await bg.onMessage({ command: "display.openLink", url: bad }, DISPLAY)).ok, false);
    assert.equal((await bg.onMessage({ command: "display.checkLink", url: bad }, DISPLAY)).ok, false);
  }
  assert.equal((await bg.onMessage({ command: "display.openLink", url: "https://x.example/" }, PAGE)).error.code, "forbidden");
  assert.deepEqual(messenger.opened, ["https://www.amazon.com/"]);
});

test("the confirm window's words", () => {
  assert.deepEqual(confirmView("https://evil.example/", "deceptive", "the link's text names paypal.com, but it goes to evil.example"), {
    url: "https://evil.example/",
    title: "Deceptive link: open it anyway?",
    evidence: "Trackless: the link's text names paypal.com, but it goes to evil.example.",
    canResolve: false,
  });
  assert.equal(confirmView("https://w.example/", "hidden", "").canResolve, true);
  assert.equal(confirmView("javascript:alert(1)", "hidden", "").url, null);
  assert.equal(confirmView(null, "x", null).title, "Open this link?");
});

test("the popup lists judged links first: deceptive, lookalike, then hidden", async () => {
  const { buildReport } = await import("../../extension/lib/report_model.js");
  const { renderReport } = await import("../../extension/lib/report_render.js");
  const v = (kind, extra = {}) => ({ kind, domain: "e.example", shown: "www.paypal.com", source: "text", names: "paypal.com", imitates: "", evidence: `${kind} why`, ...extra });
  const record = {
    kind: "html",
    state: { kind: "done", count: 1 },
    result: {
      remote: [],
      headers: [],
      links: [
        { original: "https://w.example/c", final: null, status: "opaque", verdict: v("hidden") },
        { original: "https://e.example/", final: "https://e.example/", status: "unchanged", verdict: v("deceptive") },
        { original: "https://shop.example/", final: "https://shop.example/", status: "unchanged", verdict: null },
        { original: "https://paypa1.com/", final: "https://paypa1.com/", status: "unchanged", verdict: v("lookalike", { imitates: "paypal.com" }) },
        { original: "https://x.example/", final: "https://x.example/", status: "unchanged", verdict: { kind: "bogus" } },
      ],
    },
  };
  const model = buildReport(record);
  assert.deepEqual(model.deceptive.map((d) => [d.kind, d.href]), [
    ["deceptive", "https://e.example/"], ["lookalike", "https://paypa1.com/"], ["hidden", "https://w.example/c"],
  ]);
  assert.deepEqual(buildReport(null).deceptive, []);
  const root = renderReport(new FakeDocument(), model, {});
  const sections = root.children.map((c) => c.className);
  assert.equal(sections[1], "deceptive", "right after the header");
  const text = root.children[1].textContent;
  assert.ok(text.indexOf("deceptive why") < text.indexOf("lookalike why") && text.indexOf("lookalike why") < text.indexOf("hidden why"), text);
  assert.match(text, /\u26a0 deceptive link/);
  const none = renderReport(new FakeDocument(), buildReport({ ...record, result: { ...record.result, links: [] } }), {});
  assert.equal(none.children[1].childNodes.length, 0, "no judged links: an empty section");
});
