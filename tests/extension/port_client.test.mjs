import "./i18n_setup.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay, NativeClient } from "../../extension/lib/port_client.js";
import { FakeClock, flush, portFactory } from "./fakes.mjs";

function client(opts = {}) {
  const clock = new FakeClock();
  const { connect, ports } = portFactory();
  const states = [];
  const c = new NativeClient({
    connect,
    timers: clock,
    now: clock.now,
    defaultTimeoutMs: 1000,
    backoff: { baseMs: 100, factor: 2, maxMs: 1000 },
    onStateChange: (s) => states.push(s),
    ...opts,
  });
  return { c, clock, ports, states };
}

// Capture a promise's outcome without unhandled rejections.
function outcome(p) {
  const o = { settled: false };
  p.then(
    (v) => Object.assign(o, { settled: true, value: v }),
    (e) => Object.assign(o, { settled: true, error: e }),
  );
  return o;
}

test("requests carry increasing ids and params; replies are matched by id", async () => {
  const { c, ports } = client();
  const a = outcome(c.request("ping"));
  const b = outcome(c.request("sanitize", { html: "<p>x</p>", from: "a@b", to: ["c@d"] }));
  assert.equal(ports.length, 1, "one port for both requests");
  const [m1, m2] = ports[0].sent;
  assert.deepEqual(m1, { id: 1, action: "ping" });
  assert.deepEqual(m2, { id: 2, action: "sanitize", html: "<p>x</p>", from: "a@b", to: ["c@d"] });
  ports[0].reply({ id: 2, ok: true, result: { html: "y" } });
  ports[0].reply({ id: 1, ok: true, result: { version: "0.1.0", protocol: 1 } });
  await flush();
  assert.deepEqual(a.value, { version: "0.1.0", protocol: 1 });
  assert.deepEqual(b.value, { html: "y" });
  assert.equal(c.state, "connected");
});

test("params cannot override id or action", async () => {
  const { c, ports } = client();
  outcome(c.request("ping", { id: 99, action: "evil" }));
  assert.deepEqual(ports[0].last, { id: 1, action: "ping" });
});

test("error replies reject with the host's code", async () => {
  const { c, ports } = client();
  const a = outcome(c.request("resolve", { url: "https://x.example/" }));
  ports[0].reply({ id: 1, ok: false, error: { code: "unknown_action", message: "no such action: resolve" } });
  await flush();
  assert.equal(a.error.code, "unknown_action");
  assert.match(a.error.message, /no such action/);
});

test("malformed replies reject with bad_reply", async () => {
  const { c, ports } = client();
  const a = outcome(c.request("ping"));
  ports[0].reply({ id: 1, ok: true, result: "string" });
  await flush();
  assert.equal(a.error.code, "bad_reply");
});

test("a chunked reply is reassembled before it resolves", async () => {
  const { c, ports } = client();
  const a = outcome(c.request("sanitize", { html: "x" }));
  const text = JSON.stringify({ id: 1, ok: true, result: { html: "<b>big</b>".repeat(100), badge: 2 } });
  const third = Math.ceil(text.length / 3);
  ports[0].reply({ id: 1, chunk: 2, chunks: 3, data: text.slice(2 * third) });
  ports[0].reply({ id: 1, chunk: 0, chunks: 3, data: text.slice(0, third) });
  await flush();
  assert.equal(a.settled, false);
  ports[0].reply({ id: 1, chunk: 1, chunks: 3, data: text.slice(third, 2 * third) });
  await flush();
  assert.equal(a.value.badge, 2);
  assert.equal(a.value.html, "<b>big</b>".repeat(100));
});

test("a missing chunk ends in a timeout, and the late chunk is ignored", async () => {
  const { c, ports, clock } = client();
  const a = outcome(c.request("sanitize", { html: "x" }, { timeoutMs: 500 }));
  ports[0].reply({ id: 1, chunk: 0, chunks: 2, data: '{"id":1,"ok":true,' });
  clock.advance(499);
  await flush();
  assert.equal(a.settled, false);
  clock.advance(1);
  await flush();
  assert.equal(a.error.code, "timeout");
  ports[0].reply({ id: 1, chunk: 1, chunks: 2, data: '"result":{}}' });
  await flush();
  assert.equal(clock.pending, 0);
});

test("a bad chunk rejects only its own request", async () => {
  const { c, ports } = client();
  const a = outcome(c.request("sanitize", { html: "x" }));
  const b = outcome(c.request("ping"));
  ports[0].reply({ id: 1, chunk: 0, chunks: 2, data: "{" });
  ports[0].reply({ id: 1, chunk: 0, chunks: 2, data: "{" });
  ports[0].reply({ id: 2, ok: true, result: {} });
  await flush();
  assert.equal(a.error.code, "bad_chunks");
  assert.deepEqual(b.value, {});
});

test("each request has its own timeout; late replies are dropped", async () => {
  const { c, ports, clock } = client();
  const slow = outcome(c.request("sanitize", {}, { timeoutMs: 300 }));
  const fast = outcome(c.request("ping", {}, { timeoutMs: 1000 }));
  clock.advance(300);
  await flush();
  assert.equal(slow.error.code, "timeout");
  assert.match(slow.error.message, /sanitize within 300 ms/);
  assert.equal(fast.settled, false);
  ports[0].reply({ id: 1, ok: true, result: { late: true } });
  ports[0].reply({ id: 2, ok: true, result: { on: "time" } });
  await flush();
  assert.deepEqual(fast.value, { on: "time" });
  assert.equal(clock.pending, 0, "timers cleared");
});

test("partial results go to onPartial and do not settle the request", async () => {
  const { c, ports } = client();
  const parts = [];
  const a = outcome(c.request("images", {}, { onPartial: (r) => parts.push(r) }));
  ports[0].reply({ id: 1, ok: true, partial: true, result: { n: 1 } });
  ports[0].reply({ id: 1, ok: true, partial: true, result: { n: 2 } });
  await flush();
  assert.equal(a.settled, false);
  ports[0].reply({ id: 1, ok: true, result: { done: true } });
  await flush();
  assert.deepEqual(parts, [{ n: 1 }, { n: 2 }]);
  assert.deepEqual(a.value, { done: true });
});

test("a sanitize answered while a streaming images request is still in flight settles on its own", async () => {
  // The helper runs network actions concurrently: the sanitize sent second is
  // answered (here chunked) between the images request's partial frames.
  const { c, ports } = client();
  const parts = [];
  const images = outcome(c.request("images", { urls: ["u"] }, { onPartial: (r) => parts.push(r) }));
  const sanitize = outcome(c.request("sanitize", { html: "x" }));
  ports[0].reply({ id: 1, ok: true, partial: true, result: { image: { url: "u" } } });
  const text = JSON.stringify({ id: 2, ok: true, result: { html: "<p>s</p>".repeat(50) } });
  const half = Math.ceil(text.length / 2);
  ports[0].reply({ id: 2, chunk: 0, chunks: 2, data: text.slice(0, half) });
  ports[0].reply({ id: 2, chunk: 1, chunks: 2, data: text.slice(half) });
  await flush();
  assert.equal(sanitize.value.html, "<p>s</p>".repeat(50));
  assert.equal(images.settled, false);
  ports[0].reply({ id: 1, ok: true, result: { images: [], ok: 1 } });
  await flush();
  assert.deepEqual(parts, [{ image: { url: "u" } }]);
  assert.deepEqual(images.value, { images: [], ok: 1 });
});

test("a host that never starts: pending requests fail host_unreachable, then backoff fails fast", async () => {
  const { c, ports, clock } = client();
  const a = outcome(c.request("ping"));
  ports[0].die("No such native application trackless");
  await flush();
  assert.equal(a.error.code, "host_unreachable");
  assert.match(a.error.message, /No such native application/);
  assert.equal(c.state, "disconnected");
  // within the backoff window: no new port, immediate failure
  clock.advance(99);
  const b = outcome(c.request("ping"));
  await flush();
  assert.equal(ports.length, 1);
  assert.equal(b.error.code, "host_unreachable");
  // after it: a new port
  clock.advance(1);
  outcome(c.request("ping"));
  assert.equal(ports.length, 2);
});

test("backoff grows exponentially up to the cap and resets after a reply", async () => {
  const { c, ports, clock } = client();
  const waits = [];
  for (let i = 0; i < 6; i++) {
    outcome(c.request("ping"));
    ports[ports.length - 1].die("gone");
    await flush();
    waits.push(c.retryInMs);
    clock.advance(c.retryInMs);
  }
  assert.deepEqual(waits, [100, 200, 400, 800, 1000, 1000]);
  const ok = outcome(c.request("ping"));
  ports[ports.length - 1].reply({ id: 7, ok: true, result: {} });
  await flush();
  assert.deepEqual(ok.value, {});
  assert.equal(c.failures, 0);
  ports[ports.length - 1].die(null);
  await flush();
  assert.equal(c.retryInMs, 100, "back to the first delay");
});

test("a disconnect after replies rejects in-flight requests with host_disconnected", async () => {
  const { c, ports, states } = client();
  const a = outcome(c.request("ping"));
  ports[0].reply({ id: 1, ok: true, result: {} });
  const b = outcome(c.request("sanitize", { html: "x" }));
  ports[0].die(null);
  await flush();
  assert.deepEqual(a.value, {});
  assert.equal(b.error.code, "host_disconnected");
  assert.deepEqual(states, ["connecting", "connected", "disconnected"]);
});

test("postMessage throwing on a dead port rejects and disconnects", async () => {
  const { c, ports } = client();
  outcome(c.request("ping"));
  ports[0].closed = true; // dead, but onDisconnect not fired yet
  const a = outcome(c.request("ping"));
  await flush();
  assert.equal(a.error.code, "host_disconnected");
  assert.equal(c.state, "disconnected");
});

test("frames from an abandoned port are ignored", async () => {
  const { c, ports, clock } = client();
  outcome(c.request("ping"));
  const old = ports[0];
  old.die("x");
  clock.advance(100);
  const a = outcome(c.request("ping"));
  old.reply({ id: 2, ok: true, result: { from: "old" } });
  await flush();
  assert.equal(a.settled, false);
  ports[1].reply({ id: 2, ok: true, result: { from: "new" } });
  await flush();
  assert.deepEqual(a.value, { from: "new" });
});

test("connect() throwing counts as a failure", async () => {
  const clock = new FakeClock();
  const c = new NativeClient({ connect: () => { throw new Error("nativeMessaging denied"); }, timers: clock, now: clock.now });
  const a = outcome(c.request("ping"));
  await flush();
  assert.equal(a.error.code, "host_unreachable");
  assert.match(a.error.message, /nativeMessaging denied/);
});

test("backoffDelay table", () => {
  const cfg = { baseMs: 500, factor: 2, maxMs: 30000 };
  assert.deepEqual([0, 1, 2, 3, 6, 7, 50].map((n) => backoffDelay(n, cfg)), [0, 500, 1000, 2000, 16000, 30000, 30000]);
});
