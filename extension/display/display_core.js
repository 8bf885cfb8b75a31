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
      const inner = partHtml(c);
      if (i > 0) return inner;
      const outer = outerNodes(doc).map((e) => e.outerHTML).join("");
      const attrs = [...doc.body.attributes].map((a) => ` ${a.name}="${escapeAttr(a.value)}"`).join("");
      if (!outer && !attrs) return inner;
      return `<html><head>${outer}</head><body${attrs}>${inner}</body></html>`;
    });
  }

  // Attributes Thunderbird itself puts on the mail's images once the message
  // has loaded (image zoom). Whether they are there when the script runs
  // depends on timing, so they are left out: the same mail always sends the
  // same HTML (the background's cache is keyed by it).
  const TB_IMAGE_ATTRS = ["shrinktofit", "overflowing"];
  const TB_IMAGE_SELECTOR = TB_IMAGE_ATTRS.map((a) => `img[${a}]`).join(", ");

  function partHtml(container) {
    if (!container.querySelector(TB_IMAGE_SELECTOR)) return container.innerHTML;
    const copy = container.cloneNode(true);
    for (const img of copy.querySelectorAll(TB_IMAGE_SELECTOR)) for (const a of TB_IMAGE_ATTRS) img.removeAttribute(a);
    return copy.innerHTML;
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
        if (old.getAttribute(a.name) !== a.value) setAttributeSafe(old, a.name, a.value);
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

  // setAttribute, except for a name the DOM refuses (InvalidCharacterError): the
  // HTML parser accepts names like `rgb(255,` or `100%;` (a broken unquoted
  // style) that setAttribute does not. Such a name is dropped (and removed from
  // the element, so an unsanitized value never stays), so nothing in a mail can
  // make the swap fail. Returns whether the attribute was set.
  function setAttributeSafe(el, name, value) {
    try {
      el.setAttribute(name, value);
      return true;
    } catch (e) {
      if (!e || e.name !== "InvalidCharacterError") throw e;
      el.removeAttribute(name);
      return false;
    }
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
        for (const [k, v] of p.bodyAttrs) setAttributeSafe(doc.body, k, v);
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

  // The locale's word (_locales/*/messages.json) when the i18n API is there, else English.
  function word(key, english) {
    const api = global.browser || global.messenger;
    let text = "";
    try {
      text = api && api.i18n && typeof api.i18n.getMessage === "function" ? api.i18n.getMessage(key) : "";
    } catch (e) {
      text = "";
    }
    return text || english;
  }

  function markerText(kind, evidence) {
    const label = kind === "lookalike" ? word("markerLookalike", "Lookalike site") : word("markerDeceptive", "Deceptive link");
    return `\u26a0 ${label}${evidence ? `: ${evidence}` : ""}`;
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

  // Remote content other than <img> gives no load event: the commonest in
  // newsletters is a CSS background (a background attribute, url() in a style
  // attribute). For the first few such URLs on the mail's rendered elements,
  // an Image of the same URL in this document says whether Thunderbird lets
  // remote content load: with its blocking on, its content policy refuses the
  // probe exactly as it refused the original (no request); with it off, the
  // original was requested when the element was laid out, and the probe is
  // served by the image cache (or joins the request under way).
  const CSS_URL_RE = /url\(\s*(['"]?)\s*((?:https?:)?\/\/[^'")\s]+)\1\s*\)/gi;
  const MAX_PROBES = 4;
  function backgroundUrls(el) {
    const urls = [];
    const bg = el.getAttribute("background");
    if (bg && REMOTE_RE.test(bg)) urls.push(bg.trim());
    for (const m of (el.getAttribute("style") || "").matchAll(CSS_URL_RE)) urls.push(m[2]);
    return urls;
  }

  function backgroundProbes(doc, containers) {
    const seen = new Set();
    const candidates = [doc.body, ...containers.flatMap((c) => [c, ...c.querySelectorAll("[background], [style*='url(' i]")])];
    for (const el of candidates) {
      if (seen.size >= MAX_PROBES) break;
      const urls = backgroundUrls(el);
      if (!urls.length || !el.getClientRects().length) continue; // not rendered: never requested
      for (const u of urls) {
        try {
          if (seen.size < MAX_PROBES) seen.add(new URL(u, doc.baseURI).href);
        } catch (e) {
          // not a URL the document could load either
        }
      }
    }
    return [...seen].map((url) => {
      const img = new doc.defaultView.Image();
      img.src = url;
      return img;
    });
  }

  // The mail's remote style sheets (<link rel=stylesheet>, in the parts or
  // in the head content Thunderbird puts before them). One whose `sheet`
  // exists was loaded: Thunderbird's blocking is off.
  function remoteSheets(doc) {
    return [...doc.body.querySelectorAll("link[href]")].filter(
      (l) => /\bstylesheet\b/i.test(l.getAttribute("rel") || "") && REMOTE_RE.test(l.getAttribute("href")),
    );
  }

  // ---- every other kind of remote load: fonts, media, frames, style rules, SVG ----
  // With Thunderbird's blocking off, every remote reference the rendered mail
  // uses loads, so one load seen anywhere proves it; with blocking on, nothing
  // may be requested to find out. So each kind is read from its own load state,
  // never fetched: a web font's FontFace status (only for faces whose every
  // source is remote: a local() or data: source loads without a request), a
  // media element's readyState, a frame's load or error event (none fires
  // when Thunderbird refuses the load). Image-typed URLs found elsewhere (style rules of the
  // mail's own <style> sheets that match a rendered element, a video poster, an
  // SVG <image>) get the same Image() probe as the inline backgrounds: refused
  // by the content policy when blocking is on, served by the image cache when
  // it is off. A probe of a non-image URL (a font, a sheet, a media file) could
  // not tell the two apart, so none is made.
  const IMAGE_PROPS = new Set(["background-image", "border-image-source", "list-style-image", "content", "cursor", "mask-image"]);
  const ANY_URL_RE = /url\(/gi;
  const PSEUDO_ELEMENT_RE = /::?(before|after|marker|first-line|first-letter|placeholder|selection|backdrop)\b/gi;

  /** The remote URLs of the url() values in a CSS value. */
  function cssRemoteUrls(value) {
    return [...String(value || "").matchAll(CSS_URL_RE)].map((m) => m[2]);
  }

  /** True when every source of an @font-face src is a remote url(): a face with a
   *  local() or data:/relative source may load without any request. */
  function fontSrcAllRemote(src) {
    const s = String(src || "");
    const all = (s.match(ANY_URL_RE) || []).length;
    return all > 0 && !/\blocal\(/i.test(s) && cssRemoteUrls(s).length === all;
  }

  /** A font family name as a key: quotes dropped, case folded. */
  function familyKey(name) {
    return String(name || "").trim().replace(/^(['"])(.*)\1$/, "$2").trim().toLowerCase();
  }

  /** The selector an element must match for a rule's images to be used
   *  (pseudo-elements dropped: they render with their element). */
  function elementSelector(selectorText) {
    return String(selectorText || "").replace(PSEUDO_ELEMENT_RE, "");
  }

  /** What the mail's own style sheets reference remotely: image URLs with the
   *  selector that uses them, and the font families whose sources are all
   *  remote (and those with another source, which cannot count). Pure over a
   *  list of CSSOM-like rules: {type, selectorText, style, cssRules}. */
  function scanRules(rules, out = { images: [], remoteFamilies: new Set(), otherFamilies: new Set() }, depth = 0) {
    if (depth > 8) return out;
    for (const rule of rules || []) {
      if (!rule) continue;
      if (rule.type === 5 && rule.style) {
        const key = familyKey(rule.style.getPropertyValue("font-family"));
        if (!key) continue;
        if (fontSrcAllRemote(rule.style.getPropertyValue("src"))) out.remoteFamilies.add(key);
        else out.otherFamilies.add(key);
      } else if (rule.type === 1 && rule.style) {
        for (let i = 0; i < rule.style.length; i += 1) {
          const prop = rule.style[i];
          if (!IMAGE_PROPS.has(prop)) continue;
          for (const url of cssRemoteUrls(rule.style.getPropertyValue(prop))) {
            out.images.push({ url, selector: elementSelector(rule.selectorText) });
          }
        }
      }
      let children = null;
      try {
        children = rule.cssRules; // @media, @supports, @layer, nested rules
      } catch (e) {
        children = null;
      }
      if (children && children.length) scanRules([...children], out, depth + 1);
    }
    return out;
  }

  /** Font families that count as remote loads: all their faces' sources remote. */
  function remoteOnlyFamilies(scan) {
    return new Set([...scan.remoteFamilies].filter((f) => !scan.otherFamilies.has(f)));
  }

  function mailSheets(doc) {
    const out = [];
    for (const sheet of doc.styleSheets) {
      const owner = sheet.ownerNode;
      if (!owner || !doc.body || !doc.body.contains(owner)) continue; // Thunderbird's own sheets
      try {
        out.push(...sheet.cssRules);
      } catch (e) {
        // a cross-origin sheet: its load is watched by remoteSheets
      }
    }
    return out;
  }

  function rendered(doc, selector) {
    try {
      for (const el of doc.body.querySelectorAll(selector)) if (el.getClientRects().length) return true;
    } catch (e) {
      // a selector querySelectorAll cannot take: not probed
    }
    return false;
  }

  function probeImage(doc, url) {
    const img = new doc.defaultView.Image();
    img.src = url;
    return img;
  }

  /** Image() probes for image URLs outside inline styles: style rules matching a
   *  rendered element, video posters, <input type=image>, SVG <image> hrefs
   *  (at most MAX_PROBES). */
  function styleProbes(doc, containers) {
    const urls = new Set();
    const add = (u) => {
      if (urls.size >= MAX_PROBES || !REMOTE_RE.test(u || "")) return;
      try {
        urls.add(new URL(u.trim(), doc.baseURI).href);
      } catch (e) {
        // not a URL the document could load either
      }
    };
    for (const { url, selector } of scanRules(mailSheets(doc)).images) {
      if (urls.size >= MAX_PROBES) break;
      if (rendered(doc, selector)) add(url);
    }
    for (const c of containers) {
      for (const v of c.querySelectorAll("video[poster]")) if (v.getClientRects().length) add(v.getAttribute("poster"));
      for (const el of c.querySelectorAll("input[src]")) if (el.getClientRects().length) add(el.getAttribute("src"));
      for (const el of c.querySelectorAll("image")) {
        if (el.getClientRects().length) add(el.getAttribute("href") || el.getAttribute("xlink:href"));
      }
    }
    return [...urls].map((u) => probeImage(doc, u));
  }

  /** <img> elements whose only remote source is a srcset (remoteImages takes src). */
  function otherImages(containers) {
    const out = [];
    for (const c of containers) {
      for (const img of c.querySelectorAll("img[srcset], picture img")) {
        if (REMOTE_RE.test(img.getAttribute("src") || "")) continue; // already watched
        const sources = [img.getAttribute("srcset") || "", ...[...(img.parentElement ? img.parentElement.querySelectorAll("source") : [])].map((s) => s.getAttribute("srcset") || "")];
        if (sources.some((s) => /(^|,)\s*(https?:|\/\/)/i.test(s))) out.push(img);
      }
    }
    return out;
  }

  function eventPromise(target, names) {
    return new Promise((resolve) => {
      for (const n of names) target.addEventListener(n, () => resolve(), { once: true, capture: true });
    });
  }

  function hasRemoteMedia(el) {
    if (REMOTE_RE.test(el.getAttribute("src") || "")) return true;
    return [...el.querySelectorAll("source[src]")].some((s) => REMOTE_RE.test(s.getAttribute("src")));
  }

  /** Watchers for loads without an image's load event: {loaded() -> bool,
   *  listen(f), settled: Promise}. */
  function otherLoads(doc, containers) {
    const out = [];
    const families = remoteOnlyFamilies(scanRules(mailSheets(doc)));
    if (families.size && doc.fonts) {
      // The mail's faces enter document.fonts with a style flush and leave it
      // with the swap: every face seen is kept, its status stays readable.
      const known = new Set();
      const faces = () => {
        try {
          doc.fonts.forEach((f) => {
            if (families.has(familyKey(f.family))) known.add(f);
          });
        } catch (e) {
          // no font set to read: nothing to add
        }
        return [...known];
      };
      out.push({
        kind: "font",
        loaded: () => faces().some((f) => f.status === "loaded"),
        listen: (f) => doc.fonts.addEventListener("loadingdone", f),
        settled: Promise.resolve(doc.fonts.ready).then(() => Promise.all(faces().map((f) => Promise.resolve(f.loaded).then(() => {}, () => {})))),
      });
    }
    for (const c of containers) {
      for (const el of c.querySelectorAll("video, audio")) {
        if (!hasRemoteMedia(el)) continue;
        out.push({
          kind: "media",
          loaded: () => el.readyState >= 1,
          listen: (f) => el.addEventListener("loadedmetadata", f, { once: true }),
          settled: eventPromise(el, ["loadedmetadata", "error"]),
        });
      }
      for (const el of c.querySelectorAll("iframe[src], frame[src]")) {
        if (!REMOTE_RE.test(el.getAttribute("src"))) continue;
        // With blocking on, Thunderbird refuses the frame's load without any
        // event (Thunderbird 140); with it off, the request goes out and the
        // frame fires load, or error when the page may not show in a message.
        let fired = false;
        const settled = eventPromise(el, ["load", "error"]).then(() => (fired = true));
        out.push({
          kind: "frame",
          loaded: () => fired,
          listen: (f) => settled.then(f),
          settled,
        });
      }
    }
    return out;
  }

  function domOps(doc) {
    return {
      remoteSheets: () => remoteSheets(doc),
      sheetLoaded: (link) => Boolean(link.sheet),
      backgroundProbes: (containers) => [...backgroundProbes(doc, containers), ...styleProbes(doc, containers), ...otherImages(containers)],
      otherLoads: (containers) => otherLoads(doc, containers),
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
      markCached: () => doc.documentElement && doc.documentElement.setAttribute("data-trackless-cached", ""),
      imageLoaded: (img) => img.complete && img.naturalWidth > 0,
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
    let sheets = [];
    let others = []; // fonts, media, frames: see otherLoads
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

    // A remote image of the mail that loaded, or a probe of one of its CSS
    // backgrounds that loaded, means Thunderbird's remote-content blocking is
    // off for this message. Seen before the sanitize request goes
    // out, it travels with it (the background starts a fresh report for each
    // request); seen later, it is sent on its own.
    function checkRemote() {
      if (remoteReported) return;
      if (watched.some((img) => ops.imageLoaded(img)) || sheets.some((l) => ops.sheetLoaded(l)) || others.some((o) => o.loaded())) {
        remoteReported = true;
        if (sanitizeSent) env.send({ command: "display.remoteAllowed" }).catch(() => {});
      }
    }

    // The other loads (fonts, media, frames) as they settle (load or error):
    // checked then, never waited for.
    function othersSettled() {
      return Promise.all(others.map((o) => o.settled));
    }

    function size() {
      return originals.reduce((n, h) => n + h.length, 0);
    }

    function sendSanitize() {
      const p = env.send({ command: "display.sanitize", parts: originals, remoteAllowed: remoteReported });
      sanitizeSent = true;
      return p;
    }

    // The body is swapped as soon as the answer is in: nothing waits for the
    // mail's remote images (Thunderbird blocks them, so they may never finish).
    // One that loads later still reports "remote content allowed" (checkRemote).
    async function sanitizeHtml() {
      const reply = await withTimeout(sendSanitize(), size());
      checkRemote();
      othersSettled().then(checkRemote);
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
      if (reply.cached === true && ops.markCached) ops.markCached(); // served from the background's cache
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
          if (ops.backgroundProbes) watched.push(...ops.backgroundProbes(parts.containers));
          for (const img of watched) ops.onImageLoad(img, checkRemote);
          sheets = ops.remoteSheets ? ops.remoteSheets() : [];
          for (const link of sheets) ops.onImageLoad(link, checkRemote); // a load event, like an image's
          others = ops.otherLoads ? ops.otherLoads(parts.containers) : [];
          for (const o of others) o.listen(checkRemote);
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
    cssRemoteUrls,
    fontSrcAllRemote,
    familyKey,
    elementSelector,
    scanRules,
    remoteOnlyFamilies,
  };
})(globalThis);
