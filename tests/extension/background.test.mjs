import "./i18n_setup.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyUncloak,
  createBackground,
  DISPLAY_SCRIPT,
  hostsOf,
  injectIntoOpenMessages,
  mergeResults,
  MENU_RESOLVE,
  registerDisplayScript,
  SCRIPT_ID,
} from "../../extension/lib/background_core.js";
import { NativeClient } from "../../extension/lib/port_client.js";
import { FakeClock, fakeMessenger, flush, portFactory } from "./fakes.mjs";

const DISPLAY = { id: "trackless@trackless.email", tab: { id: 5 }, url: "mailbox:///tmp/Inbox?number=1" };
const PAGE = { id: "trackless@trackless.email", url: "moz-extension://uuid/popup/popup.html" };
const HEADER = { author: "Shop <news@shop.example>", recipients: ["Reader <reader@example.org>"], ccList: ["cc@example.org"], bccList: [] };

// A background wired to fakes; `host(frame)` answers each request sent to the port.
function setup({ host = null, displayed = { id: 1, messages: [HEADER] }, bgopts = {}, ...mopts } = {}) {
  const clock = new FakeClock();
  const { connect, ports } = portFactory();
  const client = new NativeClient({ connect, timers: clock, now: clock.now });
  const messenger = fakeMessenger({ displayed, ...mopts });
  const logs = [];
  // A synchronous stand-in for SHA-256 (WebCrypto settles on another thread,
  // outside the fake event loop these tests step through).
  const digest = async (text) => `k${text.length}:${text}`;
  const bg = createBackground({ messenger, client, now: clock.now, log: (m) => logs.push(m), digest, timers: clock, ...bgopts });
  const answer = async () => {
    // answer every unanswered request on the current port
    for (const p of ports) {
      while (p.sent.length > (p.answered || 0)) {
        const frame = p.sent[p.answered || 0];
        p.answered = (p.answered || 0) + 1;
        if (host) {
          const r = host(frame);
          if (r === "die") p.die("helper crashed");
          else if (r) p.reply({ id: frame.id, ...r });
        }
      }
    }
    await flush();
  };
  const send = async (msg, sender) => {
    const pr = bg.onMessage(msg, sender);
    for (let i = 0; i < 5; i++) await answer();
    return pr;
  };
  const badge = (tabId) => {
    const texts = messenger.calls.filter((c) => c[0] === "setBadgeText" && c[1].tabId === tabId);
    return texts.length ? texts[texts.length - 1][1].text : null;
  };
  const title = (tabId) => {
    const titles = messenger.calls.filter((c) => c[0] === "setTitle" && c[1].tabId === tabId);
    return titles.length ? titles[titles.length - 1][1].title : null;
  };
  return { bg, messenger, clock, ports, send, badge, title, logs, answer };
}

const okSanitize = (frame) =>
  frame.action === "sanitize"
    ? { ok: true, result: { html: `<p>clean:${frame.html}</p>`, remote: [{ tracker: true }, { tracker: true }, { tracker: true }], links: [], headers: [], badge: 3 } }
    : frame.action === "ping"
      ? { ok: true, result: { name: "trackless", version: "0.1.0", protocol: 1 } }
      : { ok: false, error: { code: "unknown_action", message: `no action ${frame.action}` } };

test("start registers listeners, the menu and the display script, and opens the port", async () => {
  const { bg, messenger, ports } = setup({ host: okSanitize });
  await bg.start();
  assert.equal(messenger.runtime.onMessage.listeners.length, 1);
  assert.deepEqual(messenger.menus.created, [{ id: MENU_RESOLVE, title: "Resolve tracking link…", contexts: ["link"] }]);
  assert.deepEqual(messenger.scripts, [{ ...DISPLAY_SCRIPT }]);
  assert.equal(messenger.scripts[0].runAt, "document_start");
  assert.equal(ports.length, 1);
  assert.equal(ports[0].sent[0].action, "ping");
});

test("registration tolerates a script left registered by an earlier background", async () => {
  const m = fakeMessenger({ registered: [{ id: SCRIPT_ID }] });
  await registerDisplayScript(m.scripting.messageDisplay);
  assert.deepEqual(m.scripts, [{ ...DISPLAY_SCRIPT }]);
  // and a race where the id appears between the check and the registration
  const m2 = fakeMessenger({ registerThrowsOnce: true });
  await registerDisplayScript(m2.scripting.messageDisplay);
  assert.deepEqual(m2.scripts, [{ ...DISPLAY_SCRIPT }]);
});

test("display.sanitize sends html, sender and every recipient; sets the count badge", async () => {
  const { send, ports, badge, bg } = setup({ host: okSanitize });
  const reply = await send({ command: "display.sanitize", parts: ["<img src=x>"] }, DISPLAY);
  assert.deepEqual(reply, { ok: true, parts: ["<p>clean:<img src=x></p>"], count: 3, allowed: [], cached: false });
  const req = ports[0].sent.find((f) => f.action === "sanitize");
  assert.deepEqual({ ...req, id: 0 }, { id: 0, action: "sanitize", html: "<img src=x>", from: "news@shop.example", to: ["reader@example.org", "cc@example.org"] });
  assert.equal(badge(5), "3");
  assert.equal(bg.records.get(5).state.kind, "done");
});

test("several HTML parts are sanitized separately and reported together", async () => {
  const { send, badge } = setup({ host: okSanitize });
  const reply = await send({ command: "display.sanitize", parts: ["a", "b"] }, DISPLAY);
  assert.deepEqual(reply.parts, ["<p>clean:a</p>", "<p>clean:b</p>"]);
  assert.equal(reply.count, 6);
  assert.equal(badge(5), "6");
  const merged = mergeResults([{ html: "", remote: [1], links: [2], headers: ["h"], badge: 1 }, { html: "", remote: [3], links: [], headers: ["h", "i"], badge: 2 }]);
  assert.deepEqual(merged, { html: "", remote: [1, 3], links: [2], headers: ["h", "i"], badge: 3 });
});

test("no helper installed: fallback answer and the 'unreachable' badge", async () => {
  const { send, badge } = setup({ host: () => "die" });
  const reply = await send({ command: "display.sanitize", parts: ["<p>x</p>"] }, DISPLAY);
  assert.equal(reply.ok, false);
  assert.equal(reply.error.code, "host_unreachable");
  assert.equal(badge(5), "off");
});

test("helper error and timeout: fallback answer and the error badge", async () => {
  const bad = setup({ host: (f) => ({ ok: false, error: { code: "too_large", message: "over the cap" } }) });
  const r1 = await bad.send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  assert.deepEqual(r1, { ok: false, error: { code: "too_large", message: "over the cap" } });
  assert.equal(bad.badge(5), "err");

  const slow = setup({ host: () => null }); // never answers
  const pr = slow.bg.onMessage({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  await slow.answer();
  assert.equal(slow.badge(5), "…");
  slow.clock.advance(3999);
  await flush();
  assert.equal(slow.badge(5), "…", "still waiting just before the timeout");
  slow.clock.advance(3); // sanitizeTimeoutMs(1 char) = 4000 + 2
  const r2 = await pr;
  assert.equal(r2.error.code, "timeout");
  assert.equal(slow.badge(5), "err");
});

test("a result for an older message does not overwrite the newer one's badge", async () => {
  const { bg, clock, ports, answer, badge } = setup({ host: () => null });
  const first = bg.onMessage({ command: "display.sanitize", parts: ["old"] }, DISPLAY);
  await answer();
  const second = bg.onMessage({ command: "display.sanitize", parts: ["new"] }, DISPLAY);
  await answer();
  const [f1, f2] = ports[0].sent.filter((f) => f.action === "sanitize");
  ports[0].reply({ id: f2.id, ok: true, result: { html: "n", badge: 0 } });
  await flush();
  ports[0].reply({ id: f1.id, ok: true, result: { html: "o", remote: Array(9).fill({ tracker: true }), badge: 9 } });
  await flush();
  assert.equal((await first).count, 9);
  assert.equal((await second).count, 0);
  assert.equal(badge(5), "✓");
  clock.advance(10000);
});

test("remote content seen before the request travels with it", async () => {
  const { send, badge } = setup({ host: okSanitize });
  await send({ command: "display.sanitize", parts: ["x"], remoteAllowed: true }, DISPLAY);
  assert.equal(badge(5), "!");
  // the next message in the tab starts clean
  await send({ command: "display.sanitize", parts: ["x"], remoteAllowed: false }, DISPLAY);
  assert.equal(badge(5), "3");
});

test("remote content allowed overrides the count on the badge", async () => {
  const { send, badge } = setup({ host: okSanitize });
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  await send({ command: "display.remoteAllowed" }, DISPLAY);
  assert.equal(badge(5), "!");
  const { record } = await send({ command: "report", tabId: 5 }, PAGE);
  assert.equal(record.state.remoteAllowed, true);
});

test("plain-text mails: unwrap with the reader's addresses, count of changed links", async () => {
  const { send, ports, badge, title } = setup({
    host: (f) => ({
      ok: true,
      result: { links: f.urls.map((u) => ({ original: u, final: u.split("?")[0], status: u.includes("?") ? "cleaned" : "unchanged", removed: u.includes("?") ? ["utm_source"] : [] })) },
    }),
  });
  const reply = await send({ command: "display.unwrap", urls: ["https://a.example/?utm_source=x", "https://b.example/"] }, DISPLAY);
  assert.equal(reply.ok, true);
  assert.equal(reply.count, 1);
  assert.deepEqual(ports[0].sent.find((f) => f.action === "unwrap").to, ["reader@example.org", "cc@example.org"]);
  // no tracker in a plain-text mail: the badge says so, its tooltip names the link
  assert.equal(badge(5), "✓");
  assert.equal(title(5), "Trackless: no trackers found · 1 tracking link cleaned");
  const empty = await send({ command: "display.unwrap", urls: [] }, DISPLAY);
  assert.deepEqual(empty, { ok: true, links: [], count: 0 });
  assert.equal(badge(5), "✓");
});

test("senders are checked against each command's origin", async () => {
  const { send } = setup({ host: okSanitize });
  assert.equal((await send({ command: "allowImages", tabId: 5, domain: "x.example" }, DISPLAY)).error.code, "forbidden");
  assert.equal((await send({ command: "display.sanitize", parts: ["x"] }, PAGE)).error.code, "forbidden");
  assert.equal((await send({ command: "report", tabId: 5 }, { ...PAGE, id: "other@addon" })).error.code, "forbidden");
  assert.equal((await send({ command: "nope" }, PAGE)).error.code, "unknown_command");
  assert.equal((await send({ command: "toString" }, PAGE)).error.code, "unknown_command");
  assert.equal(await send("hello", PAGE), undefined);
  assert.equal(await send({ command: 5 }, PAGE), undefined);
});

test("allowImages adds to the allowlist through the host, then re-renders the tab", async () => {
  const calls = [];
  const { send, messenger } = setup({
    host: (f) => {
      calls.push(f);
      return { ok: true, result: { allowlist: {} } };
    },
  });
  const r = await send({ command: "allowImages", tabId: 5, domain: "shop.example" }, PAGE);
  assert.deepEqual(r, { ok: true });
  const add = calls.find((f) => f.action === "allowlist.add");
  assert.deepEqual({ domain: add.domain, images: add.images }, { domain: "shop.example", images: true });
  assert.deepEqual(messenger.tabMessages, [[5, { command: "rerender" }]]);
});

test("undoLink relays to the tab and remembers the undone link", async () => {
  const { send, messenger } = setup({ host: okSanitize });
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  const r = await send({ command: "undoLink", tabId: 5, original: "https://t.example/?utm_source=a" }, PAGE);
  assert.deepEqual(r, { ok: true, count: 1 });
  assert.deepEqual(messenger.tabMessages[0], [5, { command: "undoLink", original: "https://t.example/?utm_source=a" }]);
  assert.deepEqual((await send({ command: "report", tabId: 5 }, PAGE)).record.undone, ["https://t.example/?utm_source=a"]);
  messenger.tabAnswer = { ok: false, count: 0 };
  assert.equal((await send({ command: "undoLink", tabId: 5, original: "nope" }, PAGE)).error.code, "not_found");
});

test("status: ping result, or the error with the install fix", async () => {
  const ok = setup({ host: okSanitize });
  assert.deepEqual((await ok.send({ command: "status" }, PAGE)).result.version, "0.1.0");
  const off = setup({ host: () => "die" });
  const r = await off.send({ command: "status" }, PAGE);
  assert.equal(r.ok, false);
  assert.equal(r.error.code, "host_unreachable");
  assert.match(r.fix, /trackless install/);
});

test("resolve explains unknown_action from an older helper", async () => {
  const { send } = setup({ host: okSanitize });
  const r = await send({ command: "resolve", url: "https://click.example/ls/click?upn=1" }, PAGE);
  assert.equal(r.ok, false);
  assert.equal(r.error.code, "unknown_action");
  assert.match(r.error.message, /not available.*Update the helper/s);
});

test("the link menu opens the resolve window for the clicked link", async () => {
  const { bg, messenger } = setup({ host: okSanitize });
  await bg.onMenuClicked({ menuItemId: MENU_RESOLVE, linkUrl: "https://click.example/ls/click?upn=a&b=c" }, { id: 5 });
  assert.equal(messenger.windowsCreated.length, 1);
  assert.equal(
    messenger.windowsCreated[0].url,
    "moz-extension://uuid/resolve/resolve.html?url=https%3A%2F%2Fclick.example%2Fls%2Fclick%3Fupn%3Da%26b%3Dc&tabId=5",
  );
  await bg.onMenuClicked({ menuItemId: "other", linkUrl: "x" }, { id: 5 });
  assert.equal(messenger.windowsCreated.length, 1);
});

test("options pass-throughs send params without the command name", async () => {
  const seen = [];
  const { send } = setup({
    host: (f) => {
      seen.push(f);
      return { ok: true, result: { settings: { dns_uncloaking: true } } };
    },
  });
  const r = await send({ command: "settings.set", settings: { dns_uncloaking: true } }, PAGE);
  assert.deepEqual(r.result, { settings: { dns_uncloaking: true } });
  const f = seen.find((x) => x.action === "settings.set");
  assert.deepEqual(Object.keys(f).sort(), ["action", "id", "settings"]);
});

test("the options page can make the helper forget learned ids (issue 17)", async () => {
  const seen = [];
  const { send } = setup({
    host: (f) => {
      seen.push(f);
      return { ok: true, result: { cleared: true } };
    },
  });
  const r = await send({ command: "learned.clear" }, PAGE);
  assert.deepEqual(r.result, { cleared: true });
  assert.deepEqual(Object.keys(seen.find((x) => x.action === "learned.clear")).sort(), ["action", "id"]);
  // only the add-on's own pages may ask
  const denied = await send({ command: "learned.clear" }, DISPLAY);
  assert.notEqual(denied && denied.ok, true);
});

test("a closed tab forgets its report", async () => {
  const { send, messenger, bg } = setup({ host: okSanitize });
  await bg.start();
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  messenger.tabs.onRemoved.fire(5);
  assert.equal((await send({ command: "report", tabId: 5 }, PAGE)).record, null);
});

test("allowed images: only the result's allowed URLs go to the helper; partials are forwarded to the tab", async () => {
  const allowedResult = {
    html: "<img data-trackless-allowed>",
    badge: 0,
    remote: [
      { url: "https://cdn.shop.example/a.png", action: "allowed", kind: "image" },
      { url: "https://t.example/px.gif", action: "blocked", kind: "pixel", tracker: true },
      { url: "https://cdn.shop.example/a.png", action: "allowed", kind: "image" },
    ],
    links: [],
  };
  let imagesFrame = null;
  const { send, ports, messenger, answer } = setup({
    host: (f) => {
      if (f.action === "sanitize") return { ok: true, result: allowedResult };
      if (f.action === "images") {
        imagesFrame = f;
        return null; // answered by hand below
      }
      return { ok: true, result: {} };
    },
  });
  const reply = await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  assert.deepEqual(reply.allowed, ["https://cdn.shop.example/a.png"]);
  const pending = send({ command: "display.images", urls: ["https://cdn.shop.example/a.png", "https://t.example/px.gif", 7] }, DISPLAY);
  await answer();
  assert.deepEqual(imagesFrame.urls, ["https://cdn.shop.example/a.png"], "never a URL the result did not allow");
  const image = { url: "https://cdn.shop.example/a.png", status: "ok", data: "data:image/png;base64,iVBORw0KGgo=" };
  ports[0].reply({ id: imagesFrame.id, ok: true, partial: true, result: { image } });
  ports[0].reply({ id: imagesFrame.id, ok: true, result: { images: [{ url: image.url, status: "ok" }], ok: 1 } });
  const r = await pending;
  assert.deepEqual(r, { ok: true, result: { images: [{ url: image.url, status: "ok" }], ok: 1 } });
  assert.deepEqual(messenger.tabMessages, [[5, { command: "image", image }]]);
});

test("allowed images: nothing allowed means no helper call; a newer message drops late partials", async () => {
  let frames = [];
  const { send, ports, messenger, answer, bg } = setup({
    host: (f) => {
      frames.push(f);
      if (f.action === "sanitize") return { ok: true, result: { html: "", badge: 0, remote: [{ url: "https://c.example/a.png", action: "allowed" }], links: [] } };
      return null;
    },
  });
  assert.deepEqual(await send({ command: "display.images", urls: ["https://c.example/a.png"] }, DISPLAY), { ok: true, result: { images: [], ok: 0 } });
  assert.equal(frames.length, 0);
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  const pending = bg.onMessage({ command: "display.images", urls: ["https://c.example/a.png"] }, DISPLAY);
  await answer();
  const imagesFrame = frames.find((f) => f.action === "images");
  await send({ command: "display.sanitize", parts: ["y"] }, DISPLAY); // the user moved on
  ports[0].reply({ id: imagesFrame.id, ok: true, partial: true, result: { image: { url: "https://c.example/a.png", status: "ok", data: "data:image/png;base64,AA==" } } });
  ports[0].reply({ id: imagesFrame.id, ok: true, result: { images: [], ok: 1 } });
  await pending;
  assert.deepEqual(messenger.tabMessages, []);
});

test("a resolved link is pointed at its destination in the tab and in the report", async () => {
  const opaque = "https://click.example/ls/click?upn=1";
  const { send, messenger } = setup({
    host: (f) =>
      f.action === "sanitize"
        ? { ok: true, result: { html: "x", badge: 1, remote: [], links: [{ original: opaque, final: null, status: "opaque", removed: [] }] } }
        : f.action === "resolve"
          ? { ok: true, result: { url: f.url, final: "https://shop.example/p", chain: [{ url: f.url, status: 302, method: "HEAD" }], warning: "click recorded", stop: "left-tracker", removed: [], cached: false } }
          : { ok: true, result: {} },
  });
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  const r = await send({ command: "resolve", url: opaque, tabId: 5 }, PAGE);
  assert.equal(r.result.final, "https://shop.example/p");
  assert.deepEqual(messenger.tabMessages, [[5, { command: "linkResolved", url: opaque, final: "https://shop.example/p" }]]);
  const { record } = await send({ command: "report", tabId: 5 }, PAGE);
  assert.equal(record.result.links[0].resolved, "https://shop.example/p");
  // no tab given: nothing is sent to a tab
  messenger.tabMessages.length = 0;
  await send({ command: "resolve", url: opaque }, PAGE);
  assert.deepEqual(messenger.tabMessages, []);
});

test("resolving a hidden link sends what it showed; the verdict on the destination replaces the old one", async () => {
  const opaque = "https://click.example/ls/click?upn=1";
  const hidden = { kind: "hidden", domain: "click.example", shown: "www.paypal.com", source: "text", names: "paypal.com", imitates: "", evidence: "hidden why" };
  const deceptive = { ...hidden, kind: "deceptive", domain: "evil.example", evidence: "deceptive why" };
  const frames = [];
  const { send, messenger } = setup({
    host: (f) => {
      frames.push(f);
      return f.action === "sanitize"
        ? { ok: true, result: { html: "x", badge: 1, remote: [], links: [{ original: opaque, final: null, status: "opaque", removed: [], verdict: hidden }] } }
        : f.action === "resolve"
          ? { ok: true, result: { url: f.url, final: "https://evil.example/p", chain: [], removed: [], cached: false, verdict: deceptive } }
          : { ok: true, result: {} };
    },
  });
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  await send({ command: "resolve", url: opaque, tabId: 5 }, PAGE);
  const resolve = frames.find((f) => f.action === "resolve");
  assert.equal(resolve.text, "www.paypal.com");
  assert.equal(resolve.from, "news@shop.example");
  assert.deepEqual(messenger.tabMessages, [[5, { command: "linkResolved", url: opaque, final: "https://evil.example/p", verdict: deceptive }]]);
  const { record } = await send({ command: "report", tabId: 5 }, PAGE);
  assert.equal(record.result.links[0].verdict.kind, "deceptive");
});

test("a resolve result with a non-web destination is not applied to the message", async () => {
  const { send, messenger } = setup({
    host: (f) => ({ ok: true, result: { url: f.url, final: "javascript:alert(1)", chain: [] } }),
  });
  await send({ command: "resolve", url: "https://x.example/", tabId: 5 }, PAGE);
  assert.deepEqual(messenger.tabMessages, []);
});

test("after the first render the hosts are checked for CNAME cloaking; trackers found raise the count", async () => {
  const seen = [];
  const result = {
    html: "x",
    badge: 1,
    remote: [
      { url: "https://news.brand.example/img/hero.png", tracker: false, kind: "image", reason: "remote image" },
      { url: "https://t.esp.example/o/abc", tracker: true, kind: "pixel", vendor: "ESP" },
    ],
    links: [{ original: "https://click.brand.example/x", status: "unchanged" }, { original: "mailto:a@b.example", status: "unchanged" }],
  };
  const { send, badge, bg } = setup({
    host: (f) => {
      seen.push(f);
      if (f.action === "sanitize") return { ok: true, result: JSON.parse(JSON.stringify(result)) };
      if (f.action === "uncloak")
        return { ok: true, result: { hosts: { "news.brand.example": { status: "tracker", vendor: "Salesforce", rule: "sfmc" }, "t.esp.example": { status: "clean" } } } };
      return { ok: true, result: {} };
    },
  });
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  assert.equal(badge(5), "1");
  assert.ok(!seen.some((f) => f.action === "uncloak"), "never before the first render");
  await send({ command: "display.shown", timingMs: 12 }, DISPLAY);
  const u = seen.find((f) => f.action === "uncloak");
  assert.deepEqual(u.hosts, ["news.brand.example", "t.esp.example", "click.brand.example"]);
  assert.deepEqual(u.to, ["reader@example.org", "cc@example.org"]);
  assert.equal(badge(5), "2");
  const r = bg.records.get(5).result.remote[0];
  assert.equal(r.tracker, true);
  assert.equal(r.vendor, "Salesforce");
  assert.match(r.reason, /CNAME to Salesforce \(rule sfmc\)/);
});

test("uncloak refused (setting off) changes nothing", async () => {
  const { send, badge, logs } = setup({
    host: (f) =>
      f.action === "sanitize"
        ? { ok: true, result: { html: "x", badge: 0, remote: [{ url: "https://a.example/x.png", tracker: false }], links: [] } }
        : { ok: false, error: { code: "refused", message: "dns_uncloaking is off" } },
  });
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  await send({ command: "display.shown", timingMs: 1 }, DISPLAY);
  assert.equal(badge(5), "✓");
  assert.deepEqual(logs.filter((l) => l.startsWith("uncloak")), []);
});

test("hostsOf and applyUncloak are pure and idempotent", () => {
  assert.deepEqual(hostsOf({ remote: [{ url: "HTTPS://A.example/x" }, { url: "data:image/png;base64,AA" }, { url: "not a url" }], links: [{ original: "https://a.example/y" }] }), ["a.example"]);
  const result = { badge: 0, remote: [{ url: "https://a.example/x", tracker: false }] };
  const answer = { hosts: { "a.example": { status: "tracker", vendor: "V" } } };
  assert.equal(applyUncloak(result, answer), 1);
  assert.equal(applyUncloak(result, answer), 0);
  assert.equal(result.badge, 1);
});

test("messages already open at start-up get the display script injected", async () => {
  const { messenger } = setup({ host: okSanitize });
  messenger.openTabs = [
    { id: 5, type: "mail" }, // one message displayed
    { id: 6, type: "content" }, // not a mail tab
    { id: 7, type: "mail" }, // no message displayed
    { id: 8, type: "messageDisplay" },
    { id: 99, type: "messageDisplay" }, // injection refused: logged, the others still done
  ];
  const logs = [];
  assert.equal(await injectIntoOpenMessages(messenger, (m) => logs.push(m)), 2);
  assert.deepEqual(messenger.injected, [
    ["css", 5, DISPLAY_SCRIPT.css],
    ["js", 5, DISPLAY_SCRIPT.js],
    ["css", 8, DISPLAY_SCRIPT.css],
    ["js", 8, DISPLAY_SCRIPT.js],
    ["css", 99, DISPLAY_SCRIPT.css],
  ]);
  assert.match(logs[0], /tab 99: Missing host permission/);
});

test("display.sanitize reads the headers: Authentication-Results go to the helper, read receipts to the report", async () => {
  const { send, ports, messenger } = setup({ host: okSanitize, displayed: { messages: [{ ...HEADER, id: 42 }] } });
  messenger.fullHeaders = {
    "authentication-results": ["mx.reader.example; dmarc=pass header.from=shop.example", "forged.example; dmarc=pass"],
    "disposition-notification-to": ["<track@shop.example>"],
    "x-confirm-reading-to": ["track@shop.example"],
  };
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  assert.ok(messenger.calls.some((c) => c[0] === "getFull" && c[1] === 42));
  const req = ports[0].sent.find((f) => f.action === "sanitize");
  assert.deepEqual(req.authentication_results, messenger.fullHeaders["authentication-results"]);
  const { record } = await send({ command: "report", tabId: 5 }, PAGE);
  assert.deepEqual(record.receipts, [
    { header: "Disposition-Notification-To", to: "<track@shop.example>", thunderbird: "asks" },
    { header: "X-Confirm-Reading-To", to: "track@shop.example", thunderbird: "ignores" },
  ]);
  // headers that cannot be read count as absent: the mail is still sanitized, without a verdict
  messenger.fullThrows = true;
  const reply = await send({ command: "display.sanitize", parts: ["y"] }, DISPLAY);
  assert.equal(reply.ok, true);
  const last = ports[0].sent.filter((f) => f.action === "sanitize").at(-1);
  assert.equal("authentication_results" in last, false);
  assert.deepEqual((await send({ command: "report", tabId: 5 }, PAGE)).record.receipts, []);
});

test("blockImages undoes allowImages (keeping a 'keep links' choice) and re-renders", async () => {
  const calls = [];
  let list = { "shop.example": { images: true, keep_links: true }, "cdn.example": { images: true, keep_links: false } };
  const { send, messenger } = setup({
    host: (f) => {
      calls.push(f);
      return { ok: true, result: { allowlist: list } };
    },
  });
  assert.deepEqual(await send({ command: "blockImages", tabId: 5, domain: "shop.example" }, PAGE), { ok: true });
  assert.deepEqual(calls.filter((f) => f.action.startsWith("allowlist.") && f.action !== "allowlist.get").map((f) => [f.action, f.domain, f.images, f.keep_links]), [
    ["allowlist.add", "shop.example", false, true],
  ]);
  await send({ command: "blockImages", tabId: 5, domain: "cdn.example" }, PAGE);
  assert.deepEqual(calls.filter((f) => f.action === "allowlist.remove").map((f) => f.domain), ["cdn.example"]);
  assert.deepEqual(messenger.tabMessages, [[5, { command: "rerender" }], [5, { command: "rerender" }]]);
  // allowing again keeps the domain's "keep links" choice
  list = { "shop.example": { images: false, keep_links: true } };
  await send({ command: "allowImages", tabId: 5, domain: "shop.example" }, PAGE);
  const add = calls.filter((f) => f.action === "allowlist.add").at(-1);
  assert.deepEqual([add.images, add.keep_links], [true, true]);
  // a re-render the tab could not do is an error for the popup
  messenger.tabAnswer = { ok: false, error: { code: "swap", message: "parts mismatch" } };
  assert.equal((await send({ command: "blockImages", tabId: 5, domain: "cdn.example" }, PAGE)).error.code, "swap");
});

test("with DNS uncloaking on, an allowed image whose host is a cloaked tracker is never fetched", async () => {
  const frames = [];
  const result = {
    html: "",
    remote: [
      { url: "https://img.shop.example/a.png", action: "allowed", allowed_by: "sender", tracker: false, domain: "shop.example" },
      { url: "https://cdn.shop.example/b.png", action: "allowed", allowed_by: "sender", tracker: false, domain: "shop.example" },
    ],
    links: [],
  };
  const { send, bg } = setup({
    host: (f) => {
      frames.push(f);
      if (f.action === "sanitize") return { ok: true, result: structuredClone(result) };
      if (f.action === "uncloak") return { ok: true, result: { hosts: { "img.shop.example": { status: "tracker", vendor: "Acme Tracking" } } } };
      if (f.action === "images") return { ok: true, result: { images: [], ok: 0 } };
      return null;
    },
  });
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  await send({ command: "display.shown", timingMs: 5 }, DISPLAY);
  await send({ command: "display.images", urls: ["https://img.shop.example/a.png", "https://cdn.shop.example/b.png"] }, DISPLAY);
  assert.deepEqual(frames.find((f) => f.action === "images").urls, ["https://cdn.shop.example/b.png"]);
  const r = bg.records.get(5).result.remote[0];
  assert.deepEqual([r.action, r.tracker, r.allowed_by], ["blocked", true, ""]);
  assert.equal(bg.records.get(5).state.count, 1);
});

test("display.images passes the sender and its Authentication-Results, for the helper's own check", async () => {
  const frames = [];
  const remote = [{ url: "https://img.shop.example/a.png", action: "allowed", allowed_by: "sender", tracker: false }];
  const { send, messenger } = setup({
    displayed: { messages: [{ ...HEADER, id: 3 }] },
    host: (f) => {
      frames.push(f);
      if (f.action === "sanitize") return { ok: true, result: { html: "", remote, links: [] } };
      return { ok: true, result: { images: [], ok: 0 } };
    },
  });
  messenger.fullHeaders = { "authentication-results": ["mx.reader.example; dmarc=pass header.from=shop.example"] };
  await send({ command: "display.sanitize", parts: ["x"] }, DISPLAY);
  await send({ command: "display.images", urls: ["https://img.shop.example/a.png"] }, DISPLAY);
  const images = frames.find((f) => f.action === "images");
  assert.deepEqual([images.urls, images.from, images.authentication_results], [
    ["https://img.shop.example/a.png"],
    "news@shop.example",
    messenger.fullHeaders["authentication-results"],
  ]);
});

test("while the sender-domain policy is off, the headers are not waited for; switched on, the mail is sanitized with the verdict", async () => {
  let enabled = false;
  const frames = [];
  const { send, messenger } = setup({
    displayed: { messages: [{ ...HEADER, id: 9 }] },
    host: (f) => {
      frames.push(f);
      return { ok: true, result: { html: `<p>${frames.length}</p>`, remote: [], links: [], sender_images: { enabled } } };
    },
  });
  messenger.fullHeaders = { "authentication-results": ["mx.reader.example; dmarc=pass header.from=shop.example"] };
  // the first mail: the policy is not known yet, the verdict goes with it
  await send({ command: "display.sanitize", parts: ["a"] }, DISPLAY);
  assert.ok("authentication_results" in frames.at(-1));
  // known off: messages.getFull (which parses the whole mail) may take as long as it likes
  messenger.fullHangs = true;
  const reply = await send({ command: "display.sanitize", parts: ["b"] }, DISPLAY);
  assert.equal(reply.ok, true);
  assert.equal("authentication_results" in frames.at(-1), false);
  // switched on from a terminal: the result says so, and the mail is sanitized again with the verdict
  messenger.fullHangs = false;
  enabled = true;
  const before = frames.length;
  const again = await send({ command: "display.sanitize", parts: ["c"] }, DISPLAY);
  assert.equal(again.ok, true);
  assert.deepEqual(frames.slice(before).map((f) => "authentication_results" in f), [false, true]);
  assert.deepEqual(again.parts, [`<p>${frames.length}</p>`]);
  // and from then on the verdict goes with the first request
  const n = frames.length;
  await send({ command: "display.sanitize", parts: ["d"] }, DISPLAY);
  assert.deepEqual(frames.slice(n).map((f) => "authentication_results" in f), [true]);
});

// ---- the sanitize cache and pre-sanitizing new mail (issue 10) ----

// A helper with a current `state`; sanitize results carry the state they were made under.
function statefulHost(box) {
  return (frame) => {
    if (frame.action === "state") return { ok: true, result: { state: box.state } };
    if (frame.action === "sanitize") {
      if (box.hold && frame.html === box.hold) return null; // never answered (a slow mail)
      return { ok: true, result: { html: `<p>clean:${frame.html}</p>`, remote: [], links: [], headers: [], badge: 1, state: box.state } };
    }
    return okSanitize(frame);
  };
}

const sanitizesOf = (ports, html) => ports[0].sent.filter((f) => f.action === "sanitize" && (html === undefined || f.html === html));

test("a mail opened again is served from the cache while the helper's state is unchanged", async () => {
  const box = { state: "S1" };
  const { send, ports } = setup({ host: statefulHost(box) });
  const first = await send({ command: "display.sanitize", parts: ["<p>x</p>"] }, DISPLAY);
  assert.equal(first.cached, false);
  const again = await send({ command: "display.sanitize", parts: ["<p>x</p>"] }, DISPLAY);
  assert.equal(again.cached, true);
  assert.deepEqual(again.parts, first.parts);
  assert.equal(sanitizesOf(ports).length, 1, "the second open asked only for the state");
  assert.equal(ports[0].sent.filter((f) => f.action === "state").length, 1);
  // the allowlist, settings or rules changed: the helper's state differs, the entry is not used
  box.state = "S2";
  const changed = await send({ command: "display.sanitize", parts: ["<p>x</p>"] }, DISPLAY);
  assert.equal(changed.cached, false);
  assert.equal(sanitizesOf(ports).length, 2);
  // a different sender is a different request
  const other = setup({ host: statefulHost({ state: "S1" }), displayed: { id: 2, messages: [{ ...HEADER, author: "x@y.example" }] } });
  await other.send({ command: "display.sanitize", parts: ["<p>x</p>"] }, DISPLAY);
  assert.equal(sanitizesOf(other.ports)[0].from, "x@y.example");
});

test("the cached result handed out is a copy: marking trackers in one report does not change the cache", async () => {
  const box = { state: "S1" };
  const { send, bg } = setup({ host: statefulHost(box) });
  await send({ command: "display.sanitize", parts: ["<p>y</p>"] }, DISPLAY);
  bg.records.get(5).result.html = "changed";
  const again = await send({ command: "display.sanitize", parts: ["<p>y</p>"] }, DISPLAY);
  assert.deepEqual(again.parts, ["<p>clean:<p>y</p></p>"]);
});

test("an older helper without `state` is never served from the cache", async () => {
  const { send, ports } = setup({ host: okSanitize }); // results carry no state
  await send({ command: "display.sanitize", parts: ["z"] }, DISPLAY);
  const again = await send({ command: "display.sanitize", parts: ["z"] }, DISPLAY);
  assert.equal(again.cached, false);
  assert.equal(sanitizesOf(ports).length, 2);
});

function newMailEvent() {
  const listeners = [];
  return { listeners, addListener: (f) => listeners.push(f), fire: (...a) => listeners.map((f) => f(...a)) };
}

function withMessages(t, fulls) {
  t.messenger.messages = {
    onNewMailReceived: newMailEvent(),
    getFull: async (id) => fulls[id],
    continueList: async () => ({ id: null, messages: [] }),
  };
  return t.messenger.messages;
}

test("new mail is sanitized in the background and its first open is served from the cache", async () => {
  const box = { state: "S1" };
  const render = (full) => [full.html];
  const t = setup({ host: statefulHost(box), bgopts: { render } });
  const messages = withMessages(t, { 41: { html: "<p>new</p>" } });
  await t.bg.start();
  assert.equal(messages.onNewMailReceived.listeners.length, 1, "the listener is added at start");
  messages.onNewMailReceived.fire({ type: "inbox" }, { id: null, messages: [{ id: 41, ...HEADER }] });
  for (let i = 0; i < 5; i++) await t.answer();
  assert.equal(sanitizesOf(t.ports, "<p>new</p>").length, 1, "sanitized on arrival");
  assert.equal(t.bg.presanitizer.stats.done, 1);
  const open = await t.send({ command: "display.sanitize", parts: ["<p>new</p>"] }, DISPLAY);
  assert.equal(open.cached, true);
  assert.equal(sanitizesOf(t.ports, "<p>new</p>").length, 1, "no second sanitize");
  // what the display would have sent differs from the rebuild: a plain miss, sanitized as usual
  const differs = await t.send({ command: "display.sanitize", parts: ["<p>new</p> "] }, DISPLAY);
  assert.equal(differs.cached, false);
});

test("background sanitizing waits while a mail is being displayed", async () => {
  const box = { state: "S1", hold: "<p>slow</p>" };
  const t = setup({ host: statefulHost(box), bgopts: { render: (full) => [full.html] } });
  t.bg.presanitizer || assert.fail("no presanitizer");
  const messages = withMessages(t, { 42: { html: "<p>arrived</p>" } });
  await t.bg.start();
  const shown = t.bg.onMessage({ command: "display.sanitize", parts: ["<p>slow</p>"] }, DISPLAY);
  await t.answer();
  messages.onNewMailReceived.fire({ type: "inbox" }, { id: null, messages: [{ id: 42, ...HEADER }] });
  for (let i = 0; i < 5; i++) await t.answer();
  t.clock.advance(1000);
  for (let i = 0; i < 5; i++) await t.answer();
  assert.equal(sanitizesOf(t.ports, "<p>arrived</p>").length, 0, "nothing sent while the display waits");
  // the displayed mail is answered: background work resumes at the next poll
  const slow = sanitizesOf(t.ports, "<p>slow</p>")[0];
  t.ports[0].reply({ id: slow.id, ok: true, result: { html: "s", remote: [], links: [], headers: [], badge: 0, state: "S1" } });
  await flush();
  assert.equal((await shown).ok, true);
  t.clock.advance(200);
  for (let i = 0; i < 5; i++) await t.answer();
  assert.equal(sanitizesOf(t.ports, "<p>arrived</p>").length, 1);
});
