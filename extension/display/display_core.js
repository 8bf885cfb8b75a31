// Trackless message display script, part 1: the logic (a classic script, as
// message display scripts cannot be modules). Defines globalThis.TracklessDisplay.
// display.js runs it against the real document; the node tests load this file in
// a vm context and drive it with fakes.
"use strict";

(function (global) {
  // How long the display script waits for the background's answer before it
  // reveals Thunderbird's normal (blocked) view: 5 s + 2 ms per KB of HTML.
  // Mirrors displayTimeoutMs() in lib/timeouts.js (a test keeps them equal).
  const DISPLAY_TIMEOUT_MS = 5000;
  const PER_KB_MS = 2;
  function displayTimeoutMs(chars) {
    return DISPLAY_TIMEOUT_MS + Math.ceil(Math.max(0, chars | 0) / 1024) * PER_KB_MS;
  }
  // Before the swap, the mail's own remote images may take this long to settle
  // (load or error). With Thunderbird's blocking on they fail at once; with it
  // off, one that loads shows that remote content is allowed. It runs while the
  // helper works, so it rarely adds to the display time.
  const SETTLE_MS = 300;
  const ORIGINAL_ATTR = "data-trackless-original";
  const HTML_SELECTOR = "div.moz-text-html";
  const PLAIN_SELECTOR = "div.moz-text-plain, div.moz-text-flowed";
  const REMOTE_RE = /^\s*(https?:|\/\/)/i;

  // ---- DOM operations (real DOM; exercised in the end-to-end tests) ----

  function findParts(doc) {
    const html = [...doc.querySelectorAll(HTML_SELECTOR)];
    if (html.length) return { kind: "html", containers: html };
    const plain = [...doc.querySelectorAll(PLAIN_SELECTOR)];
    if (plain.length) return { kind: "plain", containers: plain };
    return { kind: "none", containers: [] };
  }

  function remoteImages(containers) {
    const out = [];
    for (const c of containers) {
      for (const img of c.querySelectorAll("img")) {
        if (REMOTE_RE.test(img.getAttribute("src") || "")) out.push(img);
      }
    }
    return out;
  }

  function escapeAttr(v) {
    return v.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  }

  // The mail's own <head> content that Thunderbird places in the body before the
  // first part, outside div.moz-text-html: <style>, <link>, and <base> (which
  // changes every relative URL of the mail, so the helper must see it).
  const OUTER_TAGS = new Set(["style", "link", "base"]);
  function outerNodes(doc) {
    return [...doc.body.children].filter((e) => OUTER_TAGS.has(e.localName));
  }

  // The HTML sent for each part. The first part also carries the mail's head
  // content and the <body> attributes (background=...) that Thunderbird keeps
  // outside the part, wrapped as a document; the others are fragments.
  function serializeParts(doc, containers) {
    return containers.map((c, i) => {
      if (i > 0) return c.innerHTML;
      const outer = outerNodes(doc).map((e) => e.outerHTML).join("");
      const attrs = [...doc.body.attributes].map((a) => ` ${a.name}="${escapeAttr(a.value)}"`).join("");
      if (!outer && !attrs) return c.innerHTML;
      return `<html><head>${outer}</head><body${attrs}>${c.innerHTML}</body></html>`;
    });
  }

  // Parse one sanitized part in an inert document (nothing loads) and build the
  // nodes to insert. Images of the message's own parts (mailbox:, imap:, ...
  // URLs, already loaded by Thunderbird) are carried over as the live nodes, so
  // they keep displaying.
  function preparePart(doc, container, html, wrapped) {
    const parsed = new doc.defaultView.DOMParser().parseFromString(html, "text/html");
    const frag = doc.createDocumentFragment();
    const headNodes = [...parsed.head.querySelectorAll("style, link, base")];
    if (!wrapped) for (const n of headNodes) frag.appendChild(doc.importNode(n, true));
    for (const n of [...parsed.body.childNodes]) frag.appendChild(doc.importNode(n, true));
    const live = new Map();
    for (const img of container.querySelectorAll("img[src]")) {
      const src = img.getAttribute("src");
      if (REMOTE_RE.test(src)) continue;
      if (!live.has(src)) live.set(src, []);
      live.get(src).push(img);
    }
    for (const img of frag.querySelectorAll("img[src]")) {
      const list = live.get(img.getAttribute("src"));
      if (!list || !list.length) continue;
      const old = list.shift();
      for (const a of [...old.attributes]) if (!img.hasAttribute(a.name)) old.removeAttribute(a.name);
      for (const a of [...img.attributes]) {
        if (old.getAttribute(a.name) !== a.value) old.setAttribute(a.name, a.value);
      }
      img.replaceWith(old);
    }
    return {
      container,
      frag,
      outer: wrapped ? headNodes.map((n) => doc.importNode(n, true)) : null,
      bodyAttrs: wrapped ? [...parsed.body.attributes].map((a) => [a.name, a.value]) : null,
    };
  }

  // Swap every part for its sanitized version. Everything is parsed and built
  // first; only then is the page changed, one replaceChildren() per part, so a
  // failure leaves Thunderbird's view as it was, never half sanitized.
  function applyParts(doc, containers, htmls, originals) {
    const prepared = containers.map((c, i) => preparePart(doc, c, htmls[i], i === 0 && /^<html><head>/.test(originals[0])));
    for (const p of prepared) {
      if (p.outer) {
        const anchor = containers[0];
        for (const n of outerNodes(doc)) n.remove();
        for (const n of p.outer) anchor.parentNode.insertBefore(n, anchor);
        for (const a of [...doc.body.attributes]) doc.body.removeAttribute(a.name);
        for (const [k, v] of p.bodyAttrs) doc.body.setAttribute(k, v);
      }
      p.container.replaceChildren(p.frag);
    }
  }

  // ---- deceptive links (host/trackless/links/deceptive.py) ----
  // The helper marks a link it judged with data-trackless-verdict (deceptive,
  // lookalike or hidden) and data-trackless-evidence (why, in words); a link it
  // found fine whose text is a URL of the same owner's other domain with
  // data-trackless-alias. The mail cannot forge these: the helper removes them
  // from its input.
  const VERDICT_ATTR = "data-trackless-verdict";
  const EVIDENCE_ATTR = "data-trackless-evidence";
  const ALIAS_ATTR = "data-trackless-alias";
  const MARKER_ATTR = "data-trackless-marker";
  const MARKED_KINDS = new Set(["deceptive", "lookalike"]);
  const ASKED_KINDS = new Set(["deceptive", "lookalike", "hidden"]);
  const WEB_RE = /^https?:\/\//i;

  function markerText(kind, evidence) {
    return `\u26a0 ${kind === "lookalike" ? "Lookalike site" : "Deceptive link"}${evidence ? `: ${evidence}` : ""}`;
  }

  // A visible warning right after each deceptive or lookalike link (a text
  // element the stylesheet styles; never HTML). Returns how many were added.
  function markVerdicts(doc, containers) {
    let n = 0;
    for (const c of containers) {
      for (const a of c.querySelectorAll(`a[${VERDICT_ATTR}]`)) {
        const kind = a.getAttribute(VERDICT_ATTR);
        if (!MARKED_KINDS.has(kind)) continue;
        const next = a.nextElementSibling;
        if (next && next.hasAttribute(MARKER_ATTR)) continue;
        const evidence = a.getAttribute(EVIDENCE_ATTR) || "";
        const mark = doc.createElement("span");
        mark.setAttribute(MARKER_ATTR, kind);
        mark.setAttribute("role", "note");
        mark.setAttribute("title", evidence);
        mark.textContent = markerText(kind, evidence);
        a.after(mark);
        n += 1;
      }
    }
    return n;
  }

  // What a click on this link does: ask first (a verdict), open without
  // Thunderbird's mismatch warning (the same owner's other domain, which the
  // helper checked), or nothing special (null). Pure over getAttribute.
  function linkClickAction(a) {
    const url = a.getAttribute("href") || "";
    if (!WEB_RE.test(url)) return null;
    const kind = a.getAttribute(VERDICT_ATTR);
    if (ASKED_KINDS.has(kind)) {
      return { command: "display.checkLink", url, kind, evidence: a.getAttribute(EVIDENCE_ATTR) || "" };
    }
    if (a.hasAttribute(ALIAS_ATTR)) return { command: "display.openLink", url };
    return null;
  }

  // Clicks on judged links go to the background (which asks, or opens the
  // browser) instead of Thunderbird's own handler (contentAreaClick on the
  // message pane, reached by bubbling: stopped here).
  function guardLinks(doc, send) {
    doc.addEventListener(
      "click",
      (event) => {
        if (event.button !== 0 || !event.target || typeof event.target.closest !== "function") return;
        const a = event.target.closest("a[href]");
        const action = a && linkClickAction(a);
        if (!action) return;
        event.preventDefault();
        event.stopPropagation();
        Promise.resolve(send(action)).catch(() => {});
      },
      true,
    );
  }

  function plainLinks(containers) {
    const out = [];
    for (const c of containers) {
      for (const a of c.querySelectorAll("a[href]")) {
        if (REMOTE_RE.test(a.getAttribute("href"))) out.push(a);
      }
    }
    return out;
  }

  // Point plain-text links at their cleaned destination; the original stays in
  // data-trackless-original. Returns how many links changed.
  function cleanPlainLinks(anchors, links) {
    const byOriginal = new Map();
    for (const l of links) if (l && typeof l.original === "string") byOriginal.set(l.original, l);
    let changed = 0;
    for (const a of anchors) {
      const href = a.getAttribute("href");
      const l = byOriginal.get(href) || byOriginal.get(href.trim());
      if (!l || l.status === "opaque" || typeof l.final !== "string" || !l.final || l.final === href) continue;
      a.setAttribute(ORIGINAL_ATTR, href);
      a.setAttribute("href", l.final);
      if (a.textContent === href) a.textContent = l.final;
      changed += 1;
    }
    return changed;
  }

  // After "Resolve tracking link…": the opaque link now points at its destination,
  // with the helper's verdict on that destination (or none).
  function resolveLink(doc, url, final, verdict) {
    let n = 0;
    for (const a of doc.querySelectorAll("a[href]")) {
      if (a.getAttribute("href") !== url) continue;
      a.setAttribute(ORIGINAL_ATTR, url);
      a.setAttribute("href", final);
      a.setAttribute("data-trackless-resolved", "");
      a.removeAttribute(VERDICT_ATTR);
      a.removeAttribute(EVIDENCE_ATTR);
      const next = a.nextElementSibling;
      if (next && next.hasAttribute(MARKER_ATTR)) next.remove();
      if (verdict && typeof verdict.kind === "string" && ASKED_KINDS.has(verdict.kind)) {
        a.setAttribute(VERDICT_ATTR, verdict.kind);
        a.setAttribute(EVIDENCE_ATTR, typeof verdict.evidence === "string" ? verdict.evidence : "");
      }
      n += 1;
    }
    if (n) markVerdicts(doc, [doc]);
    return n;
  }

  function undoLink(doc, original) {
    let n = 0;
    for (const a of doc.querySelectorAll(`a[${ORIGINAL_ATTR}]`)) {
      if (a.getAttribute(ORIGINAL_ATTR) !== original) continue;
      a.setAttribute("href", original);
      a.setAttribute("data-trackless-undone", "");
      n += 1;
    }
    return n;
  }

  // The only image data the display script puts into a page: a data: URI of a
  // raster type the helper checked by its magic bytes (never SVG).
  const IMAGE_DATA_RE = /^data:image\/(png|jpeg|gif|webp|bmp|x-icon|vnd\.microsoft\.icon|avif);base64,[A-Za-z0-9+/=]+$/;

  function isImageData(image) {
    return Boolean(image) && image.status === "ok" && typeof image.url === "string" && typeof image.data === "string" && IMAGE_DATA_RE.test(image.data);
  }

  function showImage(doc, image) {
    let n = 0;
    for (const img of doc.querySelectorAll("img[data-trackless-allowed]")) {
      if (img.getAttribute("data-trackless-allowed") !== image.url) continue;
      img.setAttribute("src", image.data);
      n += 1;
    }
    return n;
  }

  function domOps(doc) {
    return {
      findParts: () => findParts(doc),
      remoteImages,
      serializeParts: (containers) => serializeParts(doc, containers),
      applyParts: (containers, htmls, originals) => {
        applyParts(doc, containers, htmls, originals);
        markVerdicts(doc, containers);
      },
      plainLinks,
      cleanPlainLinks,
      undoLink: (original) => undoLink(doc, original),
      showImage: (image) => showImage(doc, image),
      resolveLink: (url, final, verdict) => resolveLink(doc, url, final, verdict),
      setState: (state) => doc.documentElement && doc.documentElement.setAttribute("data-trackless-state", state),
      setTiming: (ms) => doc.documentElement && doc.documentElement.setAttribute("data-trackless-ms", String(Math.round(ms))),
      reveal: () => doc.documentElement && doc.documentElement.setAttribute("data-trackless-shown", ""),
      imageLoaded: (img) => img.complete && img.naturalWidth > 0,
      whenSettled: (imgs, ms) =>
        new Promise((resolve) => {
          let left = imgs.filter((img) => !img.complete).length;
          if (!left) return resolve();
          const timer = setTimeout(resolve, ms);
          const one = () => {
            left -= 1;
            if (!left) {
              clearTimeout(timer);
              resolve();
            }
          };
          for (const img of imgs) {
            if (img.complete) continue;
            img.addEventListener("load", one, { once: true });
            img.addEventListener("error", one, { once: true });
          }
        }),
      onImageLoad: (img, f) => img.addEventListener("load", f, { once: true }),
    };
  }

  // ---- the flow (pure: everything it touches is injected) ----

  // env: {ops, send(msg) -> Promise, now() -> ms, setTimeout, clearTimeout, timeoutMs}
  function createController(env) {
    const ops = env.ops;
    const timeoutFor = env.timeoutMs ? () => env.timeoutMs : displayTimeoutMs;
    const t0 = env.now();
    let parts = { kind: "none", containers: [] };
    let originals = []; // the rendered HTML of each part before the first swap
    let remoteReported = false;
    let sanitizeSent = false;
    let watched = [];
    let phase = "pending"; // pending -> sanitized | fallback | none

    function withTimeout(promise, chars = 0) {
      const timeoutMs = timeoutFor(chars);
      return new Promise((resolve) => {
        const timer = env.setTimeout(
          () => resolve({ ok: false, error: { code: "timeout", message: `no answer within ${timeoutMs} ms` }, timedOut: true }),
          timeoutMs,
        );
        Promise.resolve(promise).then(
          (v) => {
            env.clearTimeout(timer);
            resolve(v && typeof v === "object" ? v : { ok: false, error: { code: "no_answer", message: "no answer" } });
          },
          (e) => {
            env.clearTimeout(timer);
            resolve({ ok: false, error: { code: "internal", message: String((e && e.message) || e) } });
          },
        );
      });
    }

    function finish(state) {
      phase = state;
      ops.setState(state);
      ops.reveal();
      if (state === "sanitized") {
        const ms = env.now() - t0;
        ops.setTiming(ms);
        env.send({ command: "display.shown", timingMs: ms }).catch(() => {});
      }
    }

    function fail(reply) {
      finish("fallback");
      // The background already knows (and shows) why, unless it never answered.
      if (reply.timedOut || reply.error.code === "swap") {
        env.send({ command: "display.failed", error: reply.error }).catch(() => {});
      }
    }

    // A remote image of the mail that loaded means Thunderbird's remote-content
    // blocking is off for this message. Seen before the sanitize request goes
    // out, it travels with it (the background starts a fresh report for each
    // request); seen later, it is sent on its own.
    function checkRemote() {
      if (remoteReported) return;
      if (watched.some((img) => ops.imageLoaded(img))) {
        remoteReported = true;
        if (sanitizeSent) env.send({ command: "display.remoteAllowed" }).catch(() => {});
      }
    }

    function size() {
      return originals.reduce((n, h) => n + h.length, 0);
    }

    function sendSanitize() {
      const p = env.send({ command: "display.sanitize", parts: originals, remoteAllowed: remoteReported });
      sanitizeSent = true;
      return p;
    }

    async function sanitizeHtml() {
      const [reply] = await Promise.all([
        withTimeout(sendSanitize(), size()),
        ops.whenSettled(watched, SETTLE_MS),
      ]);
      checkRemote();
      if (!reply.ok) return fail(reply);
      if (!Array.isArray(reply.parts) || reply.parts.length !== parts.containers.length) {
        return fail({ error: { code: "swap", message: "answer does not match the message parts" } });
      }
      try {
        ops.applyParts(parts.containers, reply.parts, originals);
      } catch (e) {
        return fail({ error: { code: "swap", message: String((e && e.message) || e) } });
      }
      finish("sanitized");
      requestImages(reply.allowed);
    }

    // Allowed images arrive later, one "image" command each (see onCommand).
    function requestImages(urls) {
      if (!Array.isArray(urls) || !urls.length) return;
      env.send({ command: "display.images", urls }).catch(() => {});
    }

    async function cleanPlain() {
      const anchors = ops.plainLinks(parts.containers);
      const urls = [...new Set(anchors.map((a) => a.getAttribute("href")))];
      const reply = await withTimeout(env.send({ command: "display.unwrap", urls }));
      if (!reply.ok) return fail(reply);
      try {
        ops.cleanPlainLinks(anchors, Array.isArray(reply.links) ? reply.links : []);
      } catch (e) {
        return fail({ error: { code: "swap", message: String((e && e.message) || e) } });
      }
      finish("sanitized");
    }

    // Called once the DOM is parsed (DOMContentLoaded).
    async function run() {
      try {
        parts = ops.findParts();
        if (parts.kind === "html") {
          watched = ops.remoteImages(parts.containers);
          for (const img of watched) ops.onImageLoad(img, checkRemote);
          originals = ops.serializeParts(parts.containers);
          checkRemote();
          await sanitizeHtml();
        } else if (parts.kind === "plain") {
          await cleanPlain();
        } else {
          env.send({ command: "display.none" }).catch(() => {});
          finish("none");
        }
      } catch (e) {
        fail({ error: { code: "swap", message: String((e && e.message) || e) } });
      }
    }

    // Commands from the background (tabs.sendMessage).
    async function onCommand(msg) {
      if (!msg || typeof msg.command !== "string") return undefined;
      if (msg.command === "undoLink" && typeof msg.original === "string") {
        const count = ops.undoLink(msg.original);
        return { ok: count > 0, count };
      }
      if (msg.command === "linkResolved") {
        if (typeof msg.url !== "string" || typeof msg.final !== "string" || !/^(https?:|mailto:)/i.test(msg.final)) {
          return { ok: false, count: 0 };
        }
        const count = ops.resolveLink(msg.url, msg.final, msg.verdict && typeof msg.verdict === "object" ? msg.verdict : null);
        return { ok: count > 0, count };
      }
      if (msg.command === "image") {
        if (!isImageData(msg.image)) return { ok: false, shown: 0 };
        const shown = ops.showImage(msg.image);
        return { ok: shown > 0, shown };
      }
      if (msg.command === "rerender" && parts.kind === "html") {
        const reply = await withTimeout(sendSanitize(), size());
        if (!reply.ok || !Array.isArray(reply.parts) || reply.parts.length !== parts.containers.length) {
          return { ok: false, error: reply.error || { code: "swap", message: "parts mismatch" } };
        }
        ops.applyParts(parts.containers, reply.parts, originals);
        finish("sanitized");
        requestImages(reply.allowed);
        return { ok: true };
      }
      return undefined;
    }

    return {
      run,
      onCommand,
      checkRemote,
      get phase() {
        return phase;
      },
    };
  }

  global.TracklessDisplay = {
    DISPLAY_TIMEOUT_MS,
    displayTimeoutMs,
    SETTLE_MS,
    ORIGINAL_ATTR,
    createController,
    domOps,
    findParts,
    serializeParts,
    applyParts,
    cleanPlainLinks,
    undoLink,
    isImageData,
    markVerdicts,
    markerText,
    linkClickAction,
    guardLinks,
  };
})(globalThis);
