// The background's logic, with `messenger` and the native client injected so
// that node tests drive it with fakes. background.js wires the real ones.

import { partiesOf, singleMessage } from "./addresses.js";
import { badgeFor, countLinks, countOf, doneState, stateForError } from "./badge.js";
import { errorInfo, HostError, UNKNOWN_ACTION } from "./errors.js";
import { t } from "./i18n.js";
import { authenticationResults, readReceipts } from "./mail_headers.js";
import { createPresanitizer } from "./presanitize.js";
import { createCachedSanitizer } from "./sanitize_cache.js";
import {
  IMAGES_TIMEOUT_MS,
  PING_TIMEOUT_MS,
  RESOLVE_TIMEOUT_MS,
  SANITIZE_TIMEOUT_MS,
  sanitizeTimeoutMs,
  UNCLOAK_TIMEOUT_MS,
} from "./timeouts.js";

export const HOST_NAME = "trackless";
export const SCRIPT_ID = "trackless-display";
export const DISPLAY_SCRIPT = Object.freeze({
  id: SCRIPT_ID,
  js: ["display/display_core.js", "display/display.js"],
  css: ["display/hide.css"],
  runAt: "document_start",
});
export const MENU_RESOLVE = "trackless-resolve";

// Register the display script; a restarted background finds its earlier
// registration still there (registering an existing id throws), so replace it.
export async function registerDisplayScript(sm) {
  const existing = await sm.getRegisteredScripts();
  if ((existing || []).some((s) => s.id === SCRIPT_ID)) await sm.unregisterScripts({ ids: [SCRIPT_ID] });
  try {
    await sm.registerScripts([{ ...DISPLAY_SCRIPT }]);
  } catch (e) {
    // Lost a race with another start-up: the id exists now. Replace it once more.
    await sm.unregisterScripts({ ids: [SCRIPT_ID] });
    await sm.registerScripts([{ ...DISPLAY_SCRIPT }]);
  }
}

// URLs of the images the helper may fetch for a sanitize result (allowlisted domains).
export function allowedImages(result) {
  const urls = [];
  for (const r of (result && Array.isArray(result.remote) && result.remote) || []) {
    if (r && r.action === "allowed" && typeof r.url === "string" && !urls.includes(r.url)) urls.push(r.url);
  }
  return urls;
}

function hostOf(url) {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.hostname.toLowerCase() : null;
  } catch (_) {
    return null;
  }
}

// Distinct hosts of a result's remote references and changed-or-not links.
export function hostsOf(result) {
  const hosts = [];
  const add = (url) => {
    const h = typeof url === "string" ? hostOf(url) : null;
    if (h && !hosts.includes(h)) hosts.push(h);
  };
  for (const r of (result && result.remote) || []) if (r) add(r.url);
  for (const l of (result && result.links) || []) if (l) add(l.original);
  return hosts;
}

// Mark the remote references whose host the helper found CNAME-cloaked as
// trackers (an allowed image among them is blocked again: a cloaked host is
// treated as its target); returns how many were newly marked.
export function applyUncloak(result, answer) {
  const found = (answer && answer.hosts) || {};
  let added = 0;
  for (const r of (result && result.remote) || []) {
    const h = r && typeof r.url === "string" ? hostOf(r.url) : null;
    const v = h && found[h];
    if (!v || v.status !== "tracker" || r.tracker) continue;
    r.tracker = true;
    if (r.action === "allowed") {
      r.action = "blocked"; // a tracker is never shown, allowlisted or the sender's
      r.allowed_by = "";
    }
    r.vendor = r.vendor || v.vendor || null;
    r.confidence = "high";
    r.reason = `${r.reason ? `${r.reason}; ` : ""}CNAME to ${v.vendor || "a known tracker"}${v.rule ? ` (rule ${v.rule})` : ""}`;
    added += 1;
  }
  if (added && Number.isInteger(result.badge)) result.badge += added;
  return added;
}

// One report for a message whose HTML came in several parts.
export function mergeResults(results) {
  if (results.length === 1) return results[0];
  const merged = { html: "", remote: [], links: [], headers: [], badge: 0 };
  for (const r of results) {
    merged.remote.push(...(Array.isArray(r.remote) ? r.remote : []));
    merged.links.push(...(Array.isArray(r.links) ? r.links : []));
    for (const h of Array.isArray(r.headers) ? r.headers : []) if (!merged.headers.includes(h)) merged.headers.push(h);
    merged.badge += Number.isInteger(r.badge) ? r.badge : countOf(r); // the host's own total
  }
  return merged;
}

// Registered scripts only reach messages opened afterwards: a message already on
// screen when the add-on starts (Thunderbird start-up, add-on update or enable)
// gets the same script and CSS injected. The display script ignores a second
// injection into the same document.
export async function injectIntoOpenMessages(messenger, log = () => {}) {
  let tabs = [];
  try {
    tabs = await messenger.tabs.query({});
  } catch (e) {
    log(`tabs: ${e.message || e}`);
    return 0;
  }
  let injected = 0;
  for (const tab of tabs) {
    if (tab.type !== "mail" && tab.type !== "messageDisplay") continue;
    try {
      if (!singleMessage(await messenger.messageDisplay.getDisplayedMessages(tab.id))) continue;
      await messenger.scripting.insertCSS({ target: { tabId: tab.id }, files: DISPLAY_SCRIPT.css });
      await messenger.scripting.executeScript({ target: { tabId: tab.id }, files: DISPLAY_SCRIPT.js });
      injected += 1;
    } catch (e) {
      log(`inject into tab ${tab.id}: ${e.message || e}`);
    }
  }
  return injected;
}

// `render(full) -> [html]` (optional): rebuilds what the display script would
// send for a mail from messages.getFull() (lib/presanitize.js); with it, new
// mail is sanitized in the background into the in-memory cache.
// `digest(text) -> Promise<hex>` keys the sanitize cache (default SHA-256).
export function createBackground({ messenger, client, now = () => Date.now(), log = () => {}, render = null, timers = globalThis, digest }) {
  const records = new Map(); // tabId -> {gen, kind, state, result, undone, remoteAllowed, timingMs}
  const base = messenger.runtime.getURL("");
  const sanitizer = createCachedSanitizer({ hostCall: (a, p, o) => client.request(a, p, o), log, ...(digest ? { digest } : {}) });
  let displaying = 0; // display.sanitize requests in flight: background work waits for them
  const presanitizer = render
    ? createPresanitizer({
        messenger,
        sanitizer,
        render,
        parties: partiesOf,
        busy: () => displaying > 0,
        timeoutMs: sanitizeTimeoutMs,
        setTimeout: (f, ms) => timers.setTimeout(f, ms),
        log,
      })
    : null;

  function record(tabId) {
    let r = records.get(tabId);
    if (!r) {
      r = {
        gen: 0, kind: null, state: { kind: "none" }, result: null, undone: [], remoteAllowed: false, timingMs: null,
        receipts: [], uncloaked: null, sender: null,
      };
      records.set(tabId, r);
    }
    return r;
  }

  async function showBadge(tabId) {
    const r = records.get(tabId);
    if (!r) return;
    const state = r.state.kind === "done" ? { ...r.state, remoteAllowed: r.remoteAllowed } : r.state;
    const b = badgeFor(state);
    const mda = messenger.messageDisplayAction;
    try {
      await Promise.all([
        mda.setBadgeText({ tabId, text: b.text }),
        mda.setBadgeBackgroundColor({ tabId, color: b.color }),
        mda.setTitle({ tabId, title: b.title }),
      ]);
    } catch (e) {
      log(`badge for tab ${tabId}: ${e.message || e}`); // the tab went away
    }
  }

  function setState(tabId, gen, state, extra = {}) {
    const r = record(tabId);
    if (gen !== r.gen) return false; // a newer message is displayed in this tab
    r.state = state;
    Object.assign(r, extra);
    showBadge(tabId);
    return true;
  }

  // A new message is displayed in the tab: forget the old one's report.
  function begin(tabId, kind) {
    const r = record(tabId);
    r.gen += 1;
    r.kind = kind;
    r.result = null;
    r.undone = [];
    r.remoteAllowed = false;
    r.timingMs = null;
    r.receipts = [];
    r.uncloaked = null;
    r.sender = null;
    r.state = { kind: "pending" };
    showBadge(tabId);
    return r.gen;
  }

  // The tab's one displayed message, or null (none, several, or unreadable).
  async function displayedMessage(tabId) {
    try {
      return singleMessage(await messenger.messageDisplay.getDisplayedMessages(tabId));
    } catch (e) {
      log(`displayed message of tab ${tabId}: ${e.message || e}`);
      return null;
    }
  }

  async function partiesFor(tabId) {
    return partiesOf(await displayedMessage(tabId));
  }

  // Sender and recipients of the tab's message, and a promise of what its
  // headers say (Authentication-Results for the sender-domain policy,
  // read-receipt requests). Headers that cannot be read count as absent: the
  // policy stays off.
  async function mailFacts(tabId) {
    const message = await displayedMessage(tabId);
    const headers = (async () => {
      let h = {};
      if (message && Number.isInteger(message.id) && messenger.messages && messenger.messages.getFull) {
        try {
          h = (await messenger.messages.getFull(message.id)).headers || {};
        } catch (e) {
          log(`headers of message ${message.id}: ${e.message || e}`);
        }
      }
      return { auth: authenticationResults(h), receipts: readReceipts(h) };
    })();
    return { ...partiesOf(message), headers };
  }

  // Whether the helper's sender-domain policy is on, as its last sanitize
  // result said (null: not known yet). While it is off, the mail's headers
  // (messages.getFull, which parses the whole message) are not waited for.
  let senderPolicyOn = null;

  async function uncloak(tabId, gen) {
    const r = record(tabId);
    const hosts = hostsOf(r.result);
    if (!hosts.length) return;
    const { to } = await partiesFor(tabId);
    let answer;
    try {
      answer = await hostCall("uncloak", { hosts, to }, { timeoutMs: UNCLOAK_TIMEOUT_MS });
    } catch (e) {
      if (e.code === "refused" || e.code === UNKNOWN_ACTION) return; // off (the default) or an older helper
      throw e;
    }
    if (record(tabId).gen !== gen) return;
    const added = applyUncloak(r.result, answer);
    if (added) {
      r.state = doneState(r.result);
      showBadge(tabId);
    }
  }

  function tabOf(sender) {
    return sender && sender.tab && Number.isInteger(sender.tab.id) ? sender.tab.id : null;
  }

  function requireTab(msg) {
    if (!Number.isInteger(msg.tabId)) throw new HostError("bad_request", "tabId missing");
    return msg.tabId;
  }

  // What the reader was shown for a link about to be resolved (its verdict's
  // text, title or alt) and the sender: the helper judges the destination with them.
  async function shownFor(msg) {
    const r = Number.isInteger(msg.tabId) ? records.get(msg.tabId) : null;
    const links = r && r.result && Array.isArray(r.result.links) ? r.result.links : [];
    const l = links.find((x) => x && x.original === msg.url && x.verdict && typeof x.verdict.shown === "string");
    if (!l) return {};
    const v = l.verdict;
    const out = v.source === "title" ? { title: v.shown } : v.source === "alt" ? { alts: [v.shown] } : { text: v.shown };
    try {
      const { from } = await partiesFor(msg.tabId);
      if (typeof from === "string" && from) out.from = from;
    } catch (e) {
      // no sender known: judged without it
    }
    return out;
  }

  function hostCall(action, params, opts) {
    return client.request(action, params, opts);
  }

  const WEB_URL_RE = /^https?:\/\//i;

  // The allowlist entry of a domain as the helper normalises it, or null.
  async function allowEntry(domain) {
    const list = ((await hostCall("allowlist.get", {})) || {}).allowlist || {};
    const key = domain.trim().toLowerCase().replace(/\.$/, "");
    return Object.prototype.hasOwnProperty.call(list, key) ? list[key] : null;
  }

  // The display script sanitizes the mail again (with the new allowlist) in place.
  async function rerender(tabId) {
    const answer = await messenger.tabs.sendMessage(tabId, { command: "rerender" });
    if (answer && answer.ok === false) throw new HostError((answer.error && answer.error.code) || "display", (answer.error && answer.error.message) || "re-render failed");
    return { ok: true };
  }

  // The explicit command table. `from`: who may send it ("display" = the message
  // display script in a tab, "page" = the add-on's own popup/options/resolve pages).
  const commands = {
    // {parts: [html, ...], remoteAllowed}: the rendered HTML of each
    // div.moz-text-html (usually one), and whether a remote image already loaded.
    "display.sanitize": {
      from: "display",
      async run(msg, sender) {
        const tabId = tabOf(sender);
        const gen = begin(tabId, "html");
        if (msg.remoteAllowed === true) record(tabId).remoteAllowed = true;
        const parts = Array.isArray(msg.parts) ? msg.parts : typeof msg.html === "string" ? [msg.html] : null;
        if (!parts || !parts.length || !parts.every((p) => typeof p === "string")) {
          const error = { code: "bad_request", message: "parts missing" };
          setState(tabId, gen, stateForError(error));
          return { ok: false, error };
        }
        displaying += 1;
        try {
          const { from, to, headers } = await mailFacts(tabId);
          const remember = (h) => {
            if (record(tabId).gen === gen) Object.assign(record(tabId), { receipts: h.receipts, sender: { from, auth: h.auth } });
            return h;
          };
          const heard = headers.then(remember);
          // From the in-memory cache when this exact request was answered before
          // (opened earlier, or pre-sanitized on arrival) under the same state.
          // The hashes and the helper's state are fetched at once.
          const digests = parts.map((html) => sanitizer.digestOf(html));
          const hostState = sanitizer.cache.size ? sanitizer.currentState() : null;
          const sanitizeAll = (auth) => {
            const params = auth.length ? { authentication_results: auth } : {};
            return Promise.all(
              parts.map((html, i) =>
                sanitizer.sanitize(html, from, to, {
                  timeoutMs: sanitizeTimeoutMs(html.length), htmlDigest: digests[i], state: hostState, params,
                }),
              ),
            );
          };
          const waited = senderPolicyOn !== false ? await heard : null;
          let answers = await sanitizeAll(waited ? waited.auth : []);
          const policyOn = answers.some((a) => a.result && a.result.sender_images && a.result.sender_images.enabled);
          if (policyOn && !waited) {
            // turned on since the last mail (e.g. from a terminal): once more, with the verdict
            const h = await heard;
            if (h.auth.length) answers = await sanitizeAll(h.auth);
          }
          senderPolicyOn = policyOn;
          const results = answers.map((a) => a.result);
          for (const r of results) {
            if (!r || typeof r.html !== "string") throw new HostError("bad_reply", "sanitize result without html");
          }
          const result = mergeResults(results);
          const state = doneState(result);
          const count = state.count;
          const cached = answers.every((a) => a.cached);
          setState(tabId, gen, state, { result, cached });
          return { ok: true, parts: results.map((r) => r.html), count, allowed: allowedImages(result), cached };
        } catch (e) {
          setState(tabId, gen, stateForError(e));
          return { ok: false, error: errorInfo(e) };
        } finally {
          displaying -= 1;
        }
      },
    },
    "display.unwrap": {
      from: "display",
      async run(msg, sender) {
        const tabId = tabOf(sender);
        const gen = begin(tabId, "plain");
        const urls = Array.isArray(msg.urls) ? msg.urls.filter((u) => typeof u === "string") : [];
        if (!urls.length) {
          setState(tabId, gen, { kind: "done", count: 0, links: 0 }, { result: { links: [] } });
          return { ok: true, links: [], count: 0 };
        }
        try {
          const { to } = await partiesFor(tabId);
          const result = await hostCall("unwrap", { urls, to }, { timeoutMs: SANITIZE_TIMEOUT_MS });
          const links = Array.isArray(result.links) ? result.links : [];
          const count = countLinks(links);
          setState(tabId, gen, { kind: "done", count: 0, links: count }, { result: { links } });
          return { ok: true, links, count };
        } catch (e) {
          setState(tabId, gen, stateForError(e));
          return { ok: false, error: errorInfo(e) };
        }
      },
    },
    // {urls}: the allowed images of the displayed mail. The helper fetches them
    // (streaming); each one is passed to the tab as soon as it is in.
    "display.images": {
      from: "display",
      async run(msg, sender) {
        const tabId = tabOf(sender);
        const r = record(tabId);
        // With DNS uncloaking on, a host found cloaked is blocked before any fetch.
        if (r.uncloaked) await r.uncloaked;
        const allowed = new Set(allowedImages(r.result));
        const urls = (Array.isArray(msg.urls) ? msg.urls : []).filter((u) => typeof u === "string" && allowed.has(u));
        if (!urls.length) return { ok: true, result: { images: [], ok: 0 } };
        const gen = r.gen;
        try {
          // the sender and its authentication: the helper's own check of the sender-domain policy
          const s = r.sender && r.sender.auth.length ? { from: r.sender.from, authentication_results: r.sender.auth } : {};
          const result = await hostCall(
            "images",
            { urls, ...s },
            {
              timeoutMs: IMAGES_TIMEOUT_MS,
              onPartial: (partial) => {
                if (record(tabId).gen !== gen || !partial || !partial.image) return;
                messenger.tabs.sendMessage(tabId, { command: "image", image: partial.image }).catch(() => {});
              },
            },
          );
          return { ok: true, result };
        } catch (e) {
          return { ok: false, error: errorInfo(e) };
        }
      },
    },
    "display.none": {
      from: "display",
      async run(msg, sender) {
        const tabId = tabOf(sender);
        const gen = begin(tabId, null);
        setState(tabId, gen, { kind: "none" });
        return { ok: true };
      },
    },
    "display.remoteAllowed": {
      from: "display",
      async run(msg, sender) {
        const tabId = tabOf(sender);
        const r = record(tabId);
        r.remoteAllowed = true;
        showBadge(tabId);
        return { ok: true };
      },
    },
    // The display script gave up waiting (DISPLAY_TIMEOUT_MS) or could not swap.
    "display.failed": {
      from: "display",
      async run(msg, sender) {
        const tabId = tabOf(sender);
        const r = record(tabId);
        if (r.state.kind === "pending" || r.state.kind === "done") {
          const info = msg.error && typeof msg.error.code === "string" ? msg.error : { code: "display", message: "display failed" };
          r.state = stateForError(info);
          showBadge(tabId);
        }
        return { ok: true };
      },
    },
    // The sanitized mail is shown. Only now (never before the first render) are
    // the hosts checked for CNAME cloaking; the helper refuses unless the user
    // turned `dns_uncloaking` on, and then the report and badge are updated.
    "display.shown": {
      from: "display",
      async run(msg, sender) {
        const tabId = tabOf(sender);
        const r = record(tabId);
        if (Number.isFinite(msg.timingMs)) r.timingMs = msg.timingMs;
        if (r.kind === "html" && r.result && r.state.kind === "done") {
          r.uncloaked = uncloak(tabId, r.gen).catch((e) => log(`uncloak: ${e.code || ""} ${e.message || e}`));
        }
        return { ok: true };
      },
    },
    // A click on a link the helper judged deceptive, lookalike or hidden: ask
    // first, in a window that says why (confirm/confirm.html).
    "display.checkLink": {
      from: "display",
      async run(msg, sender) {
        if (typeof msg.url !== "string" || !WEB_URL_RE.test(msg.url)) throw new HostError("bad_request", "url missing");
        const q = new URLSearchParams({
          url: msg.url,
          kind: typeof msg.kind === "string" ? msg.kind : "",
          evidence: typeof msg.evidence === "string" ? msg.evidence : "",
        });
        const tabId = tabOf(sender);
        if (tabId !== null) q.set("tabId", String(tabId));
        await messenger.windows.create({ url: `${base}confirm/confirm.html?${q}`, type: "popup", width: 560, height: 300 });
        return { ok: true };
      },
    },
    // A click on a link whose text names the same owner's other domain (the
    // helper judged it fine): opened without Thunderbird's mismatch warning.
    "display.openLink": {
      from: "display",
      async run(msg) {
        if (typeof msg.url !== "string" || !WEB_URL_RE.test(msg.url)) throw new HostError("bad_request", "url missing");
        await messenger.windows.openDefaultBrowser(msg.url);
        return { ok: true };
      },
    },

    report: {
      from: "page",
      async run(msg) {
        const r = records.get(requireTab(msg));
        if (!r || r.state.kind === "none") return { ok: true, record: null };
        const state = r.state.kind === "done" ? { ...r.state, remoteAllowed: r.remoteAllowed } : r.state;
        return {
          ok: true,
          record: { kind: r.kind, state, result: r.result, undone: [...r.undone], timingMs: r.timingMs, receipts: [...r.receipts] },
        };
      },
    },
    allowImages: {
      from: "page",
      async run(msg) {
        const tabId = requireTab(msg);
        if (typeof msg.domain !== "string" || !msg.domain) throw new HostError("bad_request", "domain missing");
        const entry = await allowEntry(msg.domain);
        await hostCall("allowlist.add", { domain: msg.domain, images: true, keep_links: Boolean(entry && entry.keep_links) });
        return rerender(tabId);
      },
    },
    // Undo of allowImages: the domain's images are blocked again (its
    // "keep links" choice, if any, stays), and the mail re-renders.
    blockImages: {
      from: "page",
      async run(msg) {
        const tabId = requireTab(msg);
        if (typeof msg.domain !== "string" || !msg.domain) throw new HostError("bad_request", "domain missing");
        const entry = await allowEntry(msg.domain);
        if (entry && entry.keep_links) await hostCall("allowlist.add", { domain: msg.domain, images: false, keep_links: true });
        else await hostCall("allowlist.remove", { domain: msg.domain });
        return rerender(tabId);
      },
    },
    undoLink: {
      from: "page",
      async run(msg) {
        const tabId = requireTab(msg);
        if (typeof msg.original !== "string") throw new HostError("bad_request", "original missing");
        const answer = await messenger.tabs.sendMessage(tabId, { command: "undoLink", original: msg.original });
        if (!answer || !answer.ok) throw new HostError("not_found", "link not found in the displayed message");
        const r = record(tabId);
        if (!r.undone.includes(msg.original)) r.undone.push(msg.original);
        return { ok: true, count: answer.count };
      },
    },
    status: {
      from: "page",
      async run() {
        try {
          const result = await hostCall("ping", {}, { timeoutMs: PING_TIMEOUT_MS });
          return { ok: true, result };
        } catch (e) {
          return { ok: false, error: errorInfo(e), fix: t("installFix") };
        }
      },
    },
    resolve: {
      from: "page",
      async run(msg) {
        if (typeof msg.url !== "string") throw new HostError("bad_request", "url missing");
        try {
          const shown = await shownFor(msg);
          const result = await hostCall("resolve", { url: msg.url, ...shown }, { timeoutMs: RESOLVE_TIMEOUT_MS });
          // Point the link in the message the menu was used on at the destination.
          if (Number.isInteger(msg.tabId) && typeof result.final === "string" && /^(https?:|mailto:)/i.test(result.final)) {
            const r = records.get(msg.tabId);
            const verdict = result.verdict && typeof result.verdict === "object" ? result.verdict : null;
            if (r && r.result && Array.isArray(r.result.links)) {
              for (const l of r.result.links) {
                if (!l || l.original !== msg.url || l.status !== "opaque") continue;
                l.resolved = result.final;
                if (l.verdict || verdict) l.verdict = verdict; // judged again on where it really goes
              }
            }
            messenger.tabs
              .sendMessage(msg.tabId, { command: "linkResolved", url: msg.url, final: result.final, ...(verdict ? { verdict } : {}) })
              .catch(() => {});
          }
          return { ok: true, result };
        } catch (e) {
          const error = errorInfo(e);
          if (error.code === UNKNOWN_ACTION) {
            error.message = t("resolveUnavailable");
          }
          return { ok: false, error };
        }
      },
    },
  };
  // Thin pass-throughs to the host for the options page.
  for (const action of ["allowlist.get", "allowlist.add", "allowlist.remove", "settings.get", "settings.set", "learned.clear"]) {
    commands[action] = {
      from: "page",
      async run(msg) {
        const { command, ...params } = msg;
        return { ok: true, result: await hostCall(action, params) };
      },
    };
  }

  function senderKind(sender) {
    if (!sender || sender.id !== messenger.runtime.id) return null;
    if (typeof sender.url === "string" && sender.url.startsWith(base)) return "page";
    if (tabOf(sender) !== null) return "display";
    return null;
  }

  // The one runtime.onMessage listener. Returns a Promise for known commands
  // (every reply is {ok: true, ...} or {ok: false, error: {code, message}}),
  // undefined for anything else.
  function onMessage(msg, sender) {
    if (!msg || typeof msg !== "object" || typeof msg.command !== "string") return undefined;
    const cmd = Object.prototype.hasOwnProperty.call(commands, msg.command) ? commands[msg.command] : null;
    if (!cmd) return Promise.resolve({ ok: false, error: { code: "unknown_command", message: msg.command } });
    if (senderKind(sender) !== cmd.from) {
      return Promise.resolve({ ok: false, error: { code: "forbidden", message: `${msg.command} is not accepted from this sender` } });
    }
    return cmd.run(msg, sender).catch((e) => ({ ok: false, error: errorInfo(e) }));
  }

  async function onMenuClicked(info, tab) {
    if (info.menuItemId !== MENU_RESOLVE || !info.linkUrl) return;
    const tabPart = tab && Number.isInteger(tab.id) ? `&tabId=${tab.id}` : "";
    const url = `${base}resolve/resolve.html?url=${encodeURIComponent(info.linkUrl)}${tabPart}`;
    await messenger.windows.create({ url, type: "popup", width: 560, height: 320 });
  }

  // Listeners are added synchronously (an MV3 background must do so on its
  // first run to receive the events that woke it); the rest is async.
  function start() {
    messenger.runtime.onMessage.addListener(onMessage);
    messenger.tabs.onRemoved.addListener((tabId) => records.delete(tabId));
    if (presanitizer && messenger.messages && messenger.messages.onNewMailReceived) {
      messenger.messages.onNewMailReceived.addListener((folder, list) => {
        presanitizer.onNewMail(folder, list).catch((e) => log(`pre-sanitize: ${e.message || e}`));
      });
    }
    messenger.menus.onClicked.addListener((info, tab) => {
      onMenuClicked(info, tab).catch((e) => log(`menu: ${e.message || e}`));
    });
    const ready = (async () => {
      try {
        // After a background restart the item may exist already: that error arrives
        // through runtime.lastError in the callback, which reads it (and so keeps it quiet).
        messenger.menus.create({ id: MENU_RESOLVE, title: t("menuResolve"), contexts: ["link"] }, () => {
          const err = messenger.runtime.lastError;
          if (err) log(`menu: ${err.message || err}`);
        });
      } catch (e) {
        log(`menu: ${e.message || e}`);
      }
      await registerDisplayScript(messenger.scripting.messageDisplay);
      await injectIntoOpenMessages(messenger, log);
    })();
    // Open the persistent port now, so that the first mail does not wait for the
    // helper to start.
    hostCall("ping", {}, { timeoutMs: PING_TIMEOUT_MS }).catch((e) => log(`helper: ${e.code}: ${e.message}`));
    return ready;
  }

  return { start, onMessage, commands, records, onMenuClicked, sanitizer, presanitizer };
}
