// Sanitize results kept in memory (the add-on's background only; nothing is
// written to disk), so that a mail opened again -- or sanitized in the
// background when it arrived -- is shown without waiting for the helper.
//
// A result is reused only for exactly the same request: the key is a SHA-256
// of the exact HTML sent, the sender, the recipients and any further
// parameters (the mail's Authentication-Results values); and only while the
// helper's `state` (a fingerprint of its version, rules, allowlist and
// options) equals the one the result was made under. Any change to the
// allowlist, settings or rules therefore invalidates every entry. Bounded by
// entries and by size (least recently used evicted first).
//
// Effects are injected: hostCall(action, params, opts) -> Promise<result>,
// digest(text) -> Promise<hex>.

export const CACHE_MAX_ENTRIES = 400;
export const CACHE_MAX_CHARS = 40 * 1024 * 1024; // ~80 MB of UTF-16 at most
export const STATE_TIMEOUT_MS = 2000;

// SHA-256 hex of a string with WebCrypto (the background and node both have it).
export async function sha256Hex(text) {
  const bytes = new TextEncoder().encode(text);
  const hash = await globalThis.crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// The characters an entry holds (its HTML dominates; lists counted roughly).
function sizeOf(result) {
  let n = typeof result.html === "string" ? result.html.length : 0;
  n += 200 * ((Array.isArray(result.remote) ? result.remote.length : 0) + (Array.isArray(result.links) ? result.links.length : 0));
  return n;
}

function copy(result) {
  return typeof structuredClone === "function" ? structuredClone(result) : JSON.parse(JSON.stringify(result));
}

export class SanitizeCache {
  constructor({ maxEntries = CACHE_MAX_ENTRIES, maxChars = CACHE_MAX_CHARS } = {}) {
    this.maxEntries = maxEntries;
    this.maxChars = maxChars;
    this._map = new Map(); // key -> {state, result, size}; insertion order = recency
    this._chars = 0;
  }

  get size() {
    return this._map.size;
  }

  get chars() {
    return this._chars;
  }

  peek(key) {
    return this._map.get(key) || null;
  }

  // Mark as most recently used.
  touch(key) {
    const e = this._map.get(key);
    if (!e) return;
    this._map.delete(key);
    this._map.set(key, e);
  }

  put(key, state, result) {
    const size = sizeOf(result);
    this.delete(key);
    if (size > this.maxChars) return false;
    this._map.set(key, { state, result: copy(result), size });
    this._chars += size;
    while (this._map.size > this.maxEntries || this._chars > this.maxChars) {
      this.delete(this._map.keys().next().value);
    }
    return true;
  }

  delete(key) {
    const e = this._map.get(key);
    if (!e) return;
    this._map.delete(key);
    this._chars -= e.size;
  }

  clear() {
    this._map.clear();
    this._chars = 0;
  }
}

// sanitize(html, from, to, {timeoutMs, params}) -> {result, cached}: the helper's
// result for exactly these parameters (`params`: further sanitize parameters,
// e.g. `authentication_results`, part of the key), from the cache when it holds one made
// under the helper's current state. Concurrent calls for the same key share
// one helper request (a mail opened while it is being pre-sanitized waits for
// that instead of queueing a second one).
export function createCachedSanitizer({ hostCall, cache = new SanitizeCache(), digest = sha256Hex, log = () => {} }) {
  const inflight = new Map(); // key -> Promise<result>
  const stats = { hits: 0, misses: 0, stale: 0, joined: 0 };

  async function currentState() {
    try {
      const answer = await hostCall("state", {}, { timeoutMs: STATE_TIMEOUT_MS });
      return answer && typeof answer.state === "string" ? answer.state : null;
    } catch (e) {
      log(`state: ${e.code || ""} ${e.message || e}`); // an older helper, or none: no reuse
      return null;
    }
  }

  // The key: SHA-256 of the HTML (may be computed ahead, in parallel with
  // other work: opts.htmlDigest) with the sender and recipients.
  const digestOf = (html) => digest(html);

  async function sanitize(html, from, to, { timeoutMs, htmlDigest, state: statePromise, params = {} } = {}) {
    const h = await (htmlDigest || digestOf(html));
    const key = JSON.stringify([h, from || "", Array.isArray(to) ? to : [], params]);
    const entry = cache.peek(key);
    if (entry) {
      // opts.state: a currentState() promise started early by the caller.
      const state = await (statePromise || currentState());
      if (state !== null && state === entry.state && cache.peek(key) === entry) {
        cache.touch(key);
        stats.hits += 1;
        return { result: copy(entry.result), cached: true };
      }
      stats.stale += 1;
      cache.delete(key);
    }
    if (inflight.has(key)) {
      stats.joined += 1;
      return { result: copy(await inflight.get(key)), cached: false };
    }
    stats.misses += 1;
    const p = hostCall("sanitize", { html, from, to, ...params }, { timeoutMs });
    inflight.set(key, p);
    try {
      const result = await p;
      if (result && typeof result.html === "string" && typeof result.state === "string") cache.put(key, result.state, result);
      return { result, cached: false }; // the cache keeps its own copy

    } finally {
      inflight.delete(key);
    }
  }

  return { sanitize, digestOf, cache, stats, currentState };
}
