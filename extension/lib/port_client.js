// One persistent native-messaging port to the Trackless helper.
//
// - requests carry an integer id; replies are matched by id
// - every request has its own timeout
// - replies over 1 MiB arrive chunked and are reassembled (chunks.js)
// - after a disconnect, reconnection waits an exponential backoff; a request
//   made while backing off fails at once with host_unreachable (so the mail
//   falls back immediately instead of waiting for a timeout)
//
// Effects are injected: connect() returns a Port-like object
// ({postMessage, disconnect, onMessage.addListener, onDisconnect.addListener, error}),
// timers and clock come from `timers` / `now`.

import { ChunkAssembler, isChunkFrame } from "./chunks.js";
import { BAD_REPLY, DISCONNECTED, HostError, TIMEOUT, UNREACHABLE } from "./errors.js";
import { BACKOFF, DEFAULT_TIMEOUT_MS } from "./timeouts.js";

// Delay before reconnect attempt number `failures` (1 = after the first failure).
export function backoffDelay(failures, { baseMs, factor, maxMs } = BACKOFF) {
  if (failures <= 0) return 0;
  const d = baseMs * Math.pow(factor, failures - 1);
  return Math.min(maxMs, d);
}

export class NativeClient {
  constructor({
    connect,
    timers = globalThis,
    now = () => Date.now(),
    backoff = BACKOFF,
    defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
    onStateChange = () => {},
  }) {
    this._connect = connect;
    this._timers = timers;
    this._now = now;
    this._backoff = backoff;
    this._defaultTimeoutMs = defaultTimeoutMs;
    this._onStateChange = onStateChange;
    this._port = null;
    this._answered = false; // the current port has delivered at least one frame
    this._pending = new Map(); // id -> {resolve, reject, timer, action}
    this._chunks = new ChunkAssembler();
    this._seq = 0;
    this._failures = 0;
    this._nextAttemptAt = 0;
    this._lastError = null;
    this._state = "disconnected";
  }

  // "disconnected" | "connecting" (port open, nothing heard yet) | "connected"
  get state() {
    return this._state;
  }

  get failures() {
    return this._failures;
  }

  get lastError() {
    return this._lastError;
  }

  // Milliseconds until the next connection attempt is allowed (0 = now).
  get retryInMs() {
    return Math.max(0, this._nextAttemptAt - this._now());
  }

  _setState(s) {
    if (s !== this._state) {
      this._state = s;
      this._onStateChange(s);
    }
  }

  // Open the port unless one is open or the backoff forbids it. Returns true if a
  // port is open afterwards.
  ensureConnected() {
    if (this._port) return true;
    if (this._now() < this._nextAttemptAt) return false;
    let port;
    try {
      port = this._connect();
    } catch (e) {
      this._failed(e && e.message ? e.message : String(e));
      return false;
    }
    this._port = port;
    this._answered = false;
    this._setState("connecting");
    port.onMessage.addListener((frame) => this._onFrame(port, frame));
    port.onDisconnect.addListener((p) => {
      const err = (p && p.error) || port.error;
      this._onDisconnect(port, err && err.message ? err.message : null);
    });
    return true;
  }

  // Send one request; resolves with the reply's `result` object, rejects with a
  // HostError. `onPartial(result)` receives the partial results of a streaming
  // action ({"ok": true, "partial": true, "result": ...}) before the final one.
  request(action, params = {}, { timeoutMs, onPartial } = {}) {
    if (!this.ensureConnected()) {
      const wait = Math.ceil(this.retryInMs / 1000);
      return Promise.reject(
        new HostError(
          UNREACHABLE,
          `Trackless helper not reachable${this._lastError ? ` (${this._lastError})` : ""}; next try in ${wait} s`,
        ),
      );
    }
    const id = ++this._seq;
    const ms = timeoutMs ?? this._defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = this._timers.setTimeout(() => {
        if (!this._pending.has(id)) return;
        this._pending.delete(id);
        this._chunks.drop(id);
        reject(new HostError(TIMEOUT, `no reply to ${action} within ${ms} ms`));
      }, ms);
      this._pending.set(id, { resolve, reject, timer, action, onPartial });
      try {
        this._port.postMessage({ ...params, id, action });
      } catch (e) {
        // Posting to a port that just died throws; the disconnect handler may not
        // have run yet.
        this._settle(id, null, new HostError(DISCONNECTED, `could not send to helper: ${e.message || e}`));
        this._onDisconnect(this._port, e.message || String(e));
      }
    });
  }

  _settle(id, result, error) {
    const p = this._pending.get(id);
    if (!p) return;
    this._pending.delete(id);
    this._timers.clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(result);
  }

  _onFrame(port, frame) {
    if (port !== this._port) return; // a frame from a port we already gave up on
    if (!this._answered) {
      this._answered = true;
      this._failures = 0;
      this._nextAttemptAt = 0;
      this._lastError = null;
      this._setState("connected");
    }
    if (frame === null || typeof frame !== "object" || Array.isArray(frame)) return;
    let reply = frame;
    if (isChunkFrame(frame)) {
      try {
        reply = this._chunks.add(frame);
      } catch (e) {
        if (e.id !== undefined) this._settle(e.id, null, new HostError(e.code, e.message));
        return;
      }
      if (reply === null) return; // more chunks to come
    }
    const id = reply.id;
    if (!this._pending.has(id)) return; // late reply to a timed-out request
    if (reply.ok === true && reply.partial === true) {
      const { onPartial } = this._pending.get(id);
      if (onPartial && reply.result && typeof reply.result === "object") {
        try {
          onPartial(reply.result);
        } catch (_) {
          /* a listener's bug must not break the port */
        }
      }
      return;
    }
    if (reply.ok === true && reply.result !== null && typeof reply.result === "object") {
      this._settle(id, reply.result, null);
    } else if (reply.ok === false && reply.error && typeof reply.error.code === "string") {
      this._settle(id, null, new HostError(reply.error.code, String(reply.error.message || reply.error.code)));
    } else {
      this._settle(id, null, new HostError(BAD_REPLY, "reply without ok/result or ok/error"));
    }
  }

  _onDisconnect(port, message) {
    if (port !== this._port) return;
    const answered = this._answered;
    this._port = null;
    this._chunks.clear();
    this._failed(message || (answered ? "helper exited" : "helper did not start"));
    const code = answered ? DISCONNECTED : UNREACHABLE;
    for (const id of [...this._pending.keys()]) {
      this._settle(id, null, new HostError(code, `Trackless helper ${answered ? "disconnected" : "not reachable"}: ${this._lastError}`));
    }
  }

  _failed(message) {
    this._failures += 1;
    this._lastError = message;
    this._nextAttemptAt = this._now() + backoffDelay(this._failures, this._backoff);
    this._setState("disconnected");
  }

  close() {
    const port = this._port;
    if (!port) return;
    this._onDisconnect(port, "closed");
    try {
      port.disconnect();
    } catch (_) {
      /* already gone */
    }
  }
}
