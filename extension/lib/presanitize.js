// Pre-sanitizing new mail in the background (messages.onNewMailReceived), so
// that opening it finds the result in the cache (lib/sanitize_cache.js).
//
// The display script sends the *rendered* HTML of each div.moz-text-html, not
// the raw part, and the cache is keyed by exactly that HTML: a pre-sanitized
// result is used only when it is byte for byte what the display would have
// sent. The background does not have the rendered HTML of a mail that is not
// on screen, so it rebuilds it from messages.getFull() the way Thunderbird's
// libmime and HTML parser do (renderedParts below). When the rebuild differs
// (Thunderbird rewrites some mails in ways not reproduced here, e.g. cid:
// images become mailbox: part URLs) the open simply misses the cache and is
// sanitized as usual: never a wrong result, only no speed-up.
//
// Background work must never slow the mail being read: one mail at a time,
// only while no display request is in flight (it waits, polling), large
// parts skipped, and a bounded queue.

export const PRESANITIZE_MAX_QUEUE = 200; // messages waiting; newer arrivals beyond it are dropped
export const PRESANITIZE_MAX_PART_CHARS = 512 * 1024; // larger parts would hold the helper too long
export const PRESANITIZE_IDLE_POLL_MS = 100;

// ---- which parts Thunderbird shows, from a messages.getFull() tree (pure) ----

function header(part, name) {
  const v = part && part.headers && part.headers[name];
  return Array.isArray(v) ? String(v[0] || "") : typeof v === "string" ? v : "";
}

function typeOf(part) {
  return String((part && part.contentType) || "").toLowerCase().split(";")[0].trim();
}

function isAttachment(part) {
  return /^\s*attachment\b/i.test(header(part, "content-disposition"));
}

// The raw HTML of each text/html part Thunderbird renders inline as a
// div.moz-text-html, in document order (the parts the display script sends).
export function displayedHtmlParts(part, out = []) {
  if (!part || typeof part !== "object") return out;
  const type = typeOf(part);
  const kids = Array.isArray(part.parts) ? part.parts : [];
  if (type === "text/html") {
    if (!isAttachment(part) && typeof part.body === "string") out.push(part.body);
    return out;
  }
  if (type === "multipart/alternative") {
    // Thunderbird shows the last alternative it can display (HTML preferred).
    const shown = [...kids].reverse().find((k) => ["text/html", "text/plain"].includes(typeOf(k)) || typeOf(k).startsWith("multipart/"));
    if (shown) displayedHtmlParts(shown, out);
    return out;
  }
  if (type === "multipart/related") {
    if (kids.length) displayedHtmlParts(kids[0], out); // the root; the rest are its resources
    return out;
  }
  if (type.startsWith("multipart/") || type === "message/rfc822" || (type === "" && kids.length)) {
    for (const k of kids) displayedHtmlParts(k, out);
  }
  return out;
}

// ---- the text libmime hands to the HTML parser for one part (pure) ----

function indexOfCI(s, needle, from = 0) {
  return s.toLowerCase().indexOf(needle.toLowerCase(), from);
}

// MimeInlineTextHTML_parse_line: the first <meta http-equiv ... content=...charset=X>
// loses "charset=X" (up to the next space or quote), unless X is UTF-16/32.
export function stripMetaCharset(s) {
  let cp = indexOfCI(s, "META");
  if (cp < 0) return s;
  cp = indexOfCI(s, "HTTP-EQUIV=", cp);
  if (cp < 0) return s;
  cp = indexOfCI(s, "CONTENT=", cp);
  if (cp < 0) return s;
  cp = indexOfCI(s, "CHARSET=", cp);
  if (cp < 0) return s;
  const m = /[ "']/.exec(s.slice(cp + 8));
  if (!m) return s;
  const cp2 = cp + 8 + m.index;
  if (/^utf-(16|32)/i.test(s.slice(cp + 8, cp2))) return s;
  return s.slice(0, cp) + s.slice(cp2);
}

// MimeInlineTextHTML_insert_lang_div + remove_plaintext_tag, on the part's
// serialized document.
export function insertLangDiv(s, lang = "x-unicode") {
  let i = indexOfCI(s, "<body");
  if (i < 0) return s;
  i = s.indexOf(">", i) + 1;
  s = `${s.slice(0, i)}<div class="moz-text-html" lang="${lang}">${s.slice(i)}`;
  const j = s.toLowerCase().lastIndexOf("</body>");
  if (j >= 0) s = `${s.slice(0, j)}</div>${s.slice(j)}`;
  return s;
}

export function removePlaintextTag(s) {
  if (!/<plaintext/i.test(s)) return s;
  return s.replace(/<plaintext/gi, (m) => `<x-${m.slice(1)}`).replace(/<\/plaintext/gi, (m) => `</x-${m.slice(2)}`);
}

// Thunderbird keeps only the plain rules of a mail's <style> sheet, each as
// written but trimmed, joined without separators; @-rules (@media, @import,
// @font-face, ...) are dropped. (Observed in Thunderbird 153 on synthesized
// newsletters; a sheet it treats otherwise only makes the rebuild miss.)
export function thunderbirdStyle(text) {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i += 1;
    if (i >= n) break;
    const start = i;
    let depth = 0;
    let atRule = text[i] === "@";
    for (; i < n; i += 1) {
      const c = text[i];
      if (c === "{") depth += 1;
      else if (c === "}") {
        depth -= 1;
        if (depth <= 0) {
          i += 1;
          break;
        }
      } else if (c === ";" && depth === 0 && atRule) {
        i += 1;
        break;
      }
    }
    if (!atRule) out += text.slice(start, i).trim();
  }
  return out;
}

// Thunderbird's serializer ends a body whose content ends with a line break
// with one more (observed: a part ending "</html>\n" is displayed with
// "\n\n" before the end of div.moz-text-html).
export function encoderTrailingNewline(s) {
  const j = s.toLowerCase().lastIndexOf("</body>");
  if (j < 1 || s[j - 1] !== "\n") return s;
  return `${s.slice(0, j)}\n${s.slice(j)}`;
}

// The parts the display script would send for this mail, rebuilt: each raw
// part is parsed and serialized again (libmime's parsed-HTML path), wrapped
// in div.moz-text-html, and the whole is parsed as the message document; the
// display script's own serializeParts() then gives the strings it would send.
// dom = {parse(html) -> Document, serializeDocument(doc) -> string,
//        findParts(doc), serializeParts(doc, containers)} (injected: DOMParser
// in the background, fakes in the node tests).
export function renderedParts(full, dom) {
  const raws = displayedHtmlParts(full);
  if (!raws.length) return [];
  const body = raws
    .map((raw) => {
      const doc = dom.parse(raw);
      for (const style of dom.styleElements(doc)) style.textContent = thunderbirdStyle(style.textContent);
      return stripMetaCharset(removePlaintextTag(insertLangDiv(encoderTrailingNewline(dom.serializeDocument(doc)))));
    })
    .join("");
  const doc = dom.parse(`<html><head></head><body>${body}</body></html>`);
  const found = dom.findParts(doc);
  if (found.kind !== "html" || found.containers.length !== raws.length) return [];
  return dom.serializeParts(doc, found.containers);
}

// ---- the background queue ----

// env: {messenger, sanitizer ({sanitize(html, from, to, opts)}), render(full) -> [html],
//       parties(header) -> {from, to}, busy() -> bool, timeoutMs(chars), setTimeout, log}
export function createPresanitizer(env) {
  const queue = []; // MessageHeader objects
  const queued = new Set(); // their ids
  let running = false;
  const stats = { queued: 0, done: 0, parts: 0, skipped: 0, failed: 0, dropped: 0 };

  const sleep = (ms) => new Promise((r) => env.setTimeout(r, ms));

  function enqueue(header) {
    if (!header || !Number.isInteger(header.id) || queued.has(header.id)) return;
    if (queue.length >= PRESANITIZE_MAX_QUEUE) {
      stats.dropped += 1;
      return;
    }
    queue.push(header);
    queued.add(header.id);
    stats.queued += 1;
  }

  async function one(header) {
    const full = await env.messenger.messages.getFull(header.id);
    const parts = env.render(full);
    const { from, to } = env.parties(header);
    for (const html of parts) {
      if (html.length > PRESANITIZE_MAX_PART_CHARS) {
        stats.skipped += 1;
        continue;
      }
      while (env.busy()) await sleep(PRESANITIZE_IDLE_POLL_MS);
      await env.sanitizer.sanitize(html, from, to, { timeoutMs: env.timeoutMs(html.length) });
      stats.parts += 1;
    }
  }

  async function drain() {
    if (running) return;
    running = true;
    try {
      while (queue.length) {
        while (env.busy()) await sleep(PRESANITIZE_IDLE_POLL_MS); // the mail being read goes first
        const header = queue.shift();
        queued.delete(header.id);
        try {
          await one(header);
          stats.done += 1;
        } catch (e) {
          stats.failed += 1;
          env.log(`pre-sanitize ${header.id}: ${e.code || ""} ${e.message || e}`);
        }
      }
    } finally {
      running = false;
    }
  }

  // messages.onNewMailReceived(folder, messageList): the first page only is
  // given; further pages are fetched with continueList (bounded by the queue).
  async function onNewMail(folder, list) {
    let page = list;
    for (;;) {
      for (const h of (page && Array.isArray(page.messages) && page.messages) || []) enqueue(h);
      if (!page || !page.id || queue.length >= PRESANITIZE_MAX_QUEUE) break;
      try {
        page = await env.messenger.messages.continueList(page.id);
      } catch (e) {
        env.log(`new mail list: ${e.message || e}`);
        break;
      }
    }
    await drain();
  }

  return { onNewMail, enqueue, drain, stats, get pending() { return queue.length; } };
}
