// The in-memory sanitize cache (lib/sanitize_cache.js) and the pure parts of
// pre-sanitizing (lib/presanitize.js). The rebuild of the rendered HTML is
// checked against real Thunderbird in the e2e test and the benchmark.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  displayedHtmlParts,
  insertLangDiv,
  removePlaintextTag,
  renderedParts,
  encoderTrailingNewline,
  stripMetaCharset,
  thunderbirdStyle,
} from "../../extension/lib/presanitize.js";
import { createCachedSanitizer, SanitizeCache, sha256Hex } from "../../extension/lib/sanitize_cache.js";

test("sha256Hex is SHA-256 of the UTF-8 text", async () => {
  for (const text of ["", "abc", "l’été 👋 <p>"]) {
    assert.equal(await sha256Hex(text), createHash("sha256").update(text, "utf8").digest("hex"));
  }
});

test("the cache is bounded by entries and by size, least recently used out first", () => {
  const c = new SanitizeCache({ maxEntries: 3, maxChars: 1000 });
  for (const k of ["a", "b", "c"]) c.put(k, "S", { html: "x".repeat(100) });
  c.touch("a");
  c.put("d", "S", { html: "x".repeat(100) });
  assert.deepEqual(["a", "b", "c", "d"].map((k) => Boolean(c.peek(k))), [true, false, true, true]);
  c.put("big", "S", { html: "x".repeat(900) }); // over the size budget with the others: they go
  assert.equal(c.chars <= 1000, true);
  assert.ok(c.peek("big"));
  assert.equal(c.put("huge", "S", { html: "x".repeat(2000) }), false, "larger than the whole budget: not kept");
  assert.equal(c.peek("huge"), null);
  c.clear();
  assert.equal(c.size, 0);
  assert.equal(c.chars, 0);
});

test("concurrent requests for the same HTML share one helper request", async () => {
  const calls = [];
  let release;
  const hostCall = (action, params) => {
    calls.push(action);
    if (action === "state") return Promise.resolve({ state: "S" });
    return new Promise((r) => (release = () => r({ html: `c:${params.html}`, state: "S" })));
  };
  const s = createCachedSanitizer({ hostCall, digest: async (t) => t });
  const a = s.sanitize("<p>q</p>", "f@x", []);
  await new Promise((r) => setImmediate(r));
  const b = s.sanitize("<p>q</p>", "f@x", []);
  await new Promise((r) => setImmediate(r));
  release();
  const [ra, rb] = await Promise.all([a, b]);
  assert.deepEqual(calls, ["sanitize"]);
  assert.equal(ra.result.html, "c:<p>q</p>");
  assert.equal(rb.result.html, "c:<p>q</p>");
  assert.notEqual(ra.result, rb.result, "each caller gets its own object");
  const again = await s.sanitize("<p>q</p>", "f@x", []);
  assert.equal(again.cached, true);
  assert.deepEqual(s.stats, { hits: 1, misses: 1, stale: 0, joined: 1 });
});

test("a helper error is not cached and a failing state check means no reuse", async () => {
  let fail = true;
  const hostCall = async (action, params) => {
    if (action === "state") throw Object.assign(new Error("no state"), { code: "unknown_action" });
    if (fail) throw Object.assign(new Error("boom"), { code: "internal" });
    return { html: params.html, state: "S" };
  };
  const s = createCachedSanitizer({ hostCall, digest: async (t) => t });
  await assert.rejects(s.sanitize("a", "", []), /boom/);
  fail = false;
  assert.equal((await s.sanitize("a", "", [])).cached, false);
  assert.equal((await s.sanitize("a", "", [])).cached, false, "state unknown: sanitized again");
});

const part = (contentType, extra = {}) => ({ contentType, headers: {}, ...extra });

test("displayedHtmlParts picks the parts Thunderbird shows as div.moz-text-html", () => {
  const alt = part("multipart/alternative", { parts: [part("text/plain", { body: "t" }), part("text/html", { body: "<p>h</p>" })] });
  assert.deepEqual(displayedHtmlParts(part("message/rfc822", { parts: [alt] })), ["<p>h</p>"]);
  const plainLast = part("multipart/alternative", { parts: [part("text/html", { body: "<p>h</p>" }), part("text/plain", { body: "t" })] });
  assert.deepEqual(displayedHtmlParts(plainLast), [], "the last alternative is shown");
  const related = part("multipart/related", { parts: [part("text/html", { body: "<img src=cid:a>" }), part("text/html", { body: "res" })] });
  assert.deepEqual(displayedHtmlParts(related), ["<img src=cid:a>"]);
  const mixed = part("multipart/mixed", {
    parts: [
      part("text/html", { body: "one" }),
      part("text/html", { body: "file", headers: { "content-disposition": ["attachment; filename=a.html"] } }),
      part("text/html", { body: "two" }),
    ],
  });
  assert.deepEqual(displayedHtmlParts(mixed), ["one", "two"]);
});

test("libmime's text steps: meta charset, the lang div, <plaintext>", () => {
  assert.equal(
    stripMetaCharset('<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><p>charset=x </p>'),
    '<meta http-equiv="Content-Type" content="text/html; "><p>charset=x </p>',
  );
  assert.equal(stripMetaCharset('<meta http-equiv="c" content="text/html; charset=utf-16">'), '<meta http-equiv="c" content="text/html; charset=utf-16">');
  assert.equal(stripMetaCharset("<p>no meta</p>"), "<p>no meta</p>");
  assert.equal(
    insertLangDiv('<html><head></head><BODY bgcolor="#fff"><p>a</p></body></html>'),
    '<html><head></head><BODY bgcolor="#fff"><div class="moz-text-html" lang="x-unicode"><p>a</p></div></body></html>',
  );
  assert.equal(insertLangDiv("<p>no body</p>"), "<p>no body</p>");
  assert.equal(removePlaintextTag("<PLAINTEXT>x</plaintext>"), "<x-PLAINTEXT>x</x-plaintext>");
});

test("renderedParts parses each part, wraps it as libmime does and serializes like the display script", () => {
  const seen = [];
  const dom = {
    parse: (html) => {
      seen.push(html);
      return { html };
    },
    styleElements: () => [],
    serializeDocument: (doc) => `<html><head></head><body>${doc.html}</body></html>`,
    findParts: (doc) => ({ kind: "html", containers: doc.html.match(/moz-text-html/g).map((_, i) => i) }),
    serializeParts: (doc, containers) => containers.map((i) => `part${i}`),
  };
  const full = part("multipart/mixed", { parts: [part("text/html", { body: "<p>a</p>" }), part("text/html", { body: "<p>b</p>" })] });
  assert.deepEqual(renderedParts(full, dom), ["part0", "part1"]);
  assert.equal(
    seen[2],
    '<html><head></head><body><html><head></head><body><div class="moz-text-html" lang="x-unicode"><p>a</p></div></body></html>' +
      '<html><head></head><body><div class="moz-text-html" lang="x-unicode"><p>b</p></div></body></html></body></html>',
  );
  assert.deepEqual(renderedParts(part("text/plain", { body: "x" }), dom), []);
});

test("thunderbirdStyle keeps the plain rules as written, trimmed and joined, without @-rules", () => {
  const sheet = `
  @import url("https://x.example/a.css");
  body { margin:0; padding:0; }
  table, td { border-collapse:collapse; }
  @media screen and (max-width: 600px) {
    .main { width:100% !important; }
  }
  @font-face { font-family: X; src: url(https://x.example/f.woff); }
  .footer { color:#999; }
`;
  assert.equal(thunderbirdStyle(sheet), "body { margin:0; padding:0; }table, td { border-collapse:collapse; }.footer { color:#999; }");
  assert.equal(thunderbirdStyle(".hero { background-image: url(x); }"), ".hero { background-image: url(x); }");
  assert.equal(thunderbirdStyle(""), "");
});

test("encoderTrailingNewline doubles a line break right before the end of the body", () => {
  assert.equal(encoderTrailingNewline("<html><body><p>a</p>\n</body></html>"), "<html><body><p>a</p>\n\n</body></html>");
  assert.equal(encoderTrailingNewline("<html><body><p>a</p></body></html>"), "<html><body><p>a</p></body></html>");
});
