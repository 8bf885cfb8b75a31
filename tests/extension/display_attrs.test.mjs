// applyParts() on a fake DOM whose setAttribute refuses what Gecko refuses: a
// <body> (or an image) carrying attribute names the HTML parser accepts but
// setAttribute does not (`rgb(255,`, `100%;`) must not make the swap fail.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";

const CODE = readFileSync(new URL("../../extension/display/display_core.js", import.meta.url), "utf8");
const ctx = vm.createContext({});
vm.runInContext(CODE, ctx);
const D = ctx.TracklessDisplay;

// The XML Name production (ASCII part), which setAttribute checks in Thunderbird 140.
const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*$/;

class El {
  constructor(localName, attrs = [], parent = null) {
    this.localName = localName;
    this.attributes = attrs.map(([name, value]) => ({ name, value }));
    this.children = [];
    this.childNodes = this.children;
    this.parentNode = parent;
    this.imgs = [];
    this.replaced = null;
  }
  setAttribute(name, value) {
    if (!NAME.test(name)) {
      const e = new Error(`String contains an invalid character`);
      e.name = "InvalidCharacterError";
      throw e;
    }
    const a = this.attributes.find((x) => x.name === name);
    if (a) a.value = String(value);
    else this.attributes.push({ name, value: String(value) });
  }
  getAttribute(name) {
    const a = this.attributes.find((x) => x.name === name);
    return a ? a.value : null;
  }
  hasAttribute(name) {
    return this.attributes.some((x) => x.name === name);
  }
  removeAttribute(name) {
    this.attributes = this.attributes.filter((x) => x.name !== name);
  }
  querySelectorAll(sel) {
    return sel === "img[src]" ? this.imgs : [];
  }
  replaceChildren(frag) {
    this.replaced = frag;
  }
  insertBefore() {}
  replaceWith(other) {
    this.replacedBy = other;
  }
}

function page({ bodyAttrs, parsedBodyAttrs, liveImg, parsedImg }) {
  const body = new El("body", bodyAttrs);
  const container = new El("div", [["class", "moz-text-html"]], body);
  body.children.push(container);
  if (liveImg) container.imgs.push(liveImg);
  const frag = { nodes: [], appendChild(n) { this.nodes.push(n); }, querySelectorAll: () => (parsedImg ? [parsedImg] : []) };
  class DOMParser {
    parseFromString() {
      return { head: { querySelectorAll: () => [] }, body: new El("body", parsedBodyAttrs) };
    }
  }
  const doc = { body, defaultView: { DOMParser }, createDocumentFragment: () => frag, importNode: (n) => n };
  return { doc, body, container };
}

const names = (el) => el.attributes.map((a) => a.name);

test("a body with attribute names setAttribute refuses is swapped, those names dropped", () => {
  const bad = [["bgcolor", "#ffffff"], ["rgb(255,", ""], ["100%;", ""], ["style", "margin:0"], ["a\"b", "1"]];
  const { doc, body, container } = page({ bodyAttrs: bad, parsedBodyAttrs: bad });
  const html = '<html><head></head><body bgcolor="#ffffff" style="margin:0"><p>hi</p></body></html>';
  D.applyParts(doc, [container], [html], [html]);
  assert.deepEqual(names(body), ["bgcolor", "style"]);
  assert.equal(body.getAttribute("style"), "margin:0");
  assert.ok(container.replaced, "the part was swapped");
});

test("an image of the message keeps displaying when the sanitized one has an odd attribute name", () => {
  // the live image still carries the unsanitized value under the odd name: it must go, not stay
  const live = new El("img", [["src", "mailbox:///x?part=1.2"], ["old", "1"]]);
  live.attributes.push({ name: "width=", value: "url(http://t.example/p.gif)" });
  const parsed = new El("img", [["src", "mailbox:///x?part=1.2"], ["width=", "5"], ["alt", "logo"]]);
  const { doc, container } = page({ bodyAttrs: [], parsedBodyAttrs: [], liveImg: live, parsedImg: parsed });
  D.applyParts(doc, [container], ["<p>x</p>"], ["<p>x</p>"]);
  assert.equal(parsed.replacedBy, live);
  assert.deepEqual(names(live), ["src", "alt"]);
});

test("other DOM errors are not swallowed", () => {
  const { doc, container } = page({ bodyAttrs: [], parsedBodyAttrs: [["ok", "1"]] });
  doc.body.setAttribute = () => {
    throw new TypeError("something else");
  };
  const html = "<html><head></head><body ok=1></body></html>";
  assert.throws(() => D.applyParts(doc, [container], [html], [html]), /something else/);
});
