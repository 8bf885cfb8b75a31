import "./i18n_setup.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { badgeFor, COLORS, countLinks, countOf, doneState, stateForError, summaryText } from "../../extension/lib/badge.js";

test("badge table", () => {
  const rows = [
    [{ kind: "pending" }, "…", COLORS.pending],
    [{ kind: "done", count: 0 }, "✓", COLORS.clean],
    [{ kind: "done", count: 1 }, "1", COLORS.trackers],
    [{ kind: "done", count: 42 }, "42", COLORS.trackers],
    [{ kind: "done", count: 1000 }, "999+", COLORS.trackers],
    [{ kind: "done", count: 3, remoteAllowed: true }, "!", COLORS.remoteAllowed],
    [{ kind: "done", count: 0, remoteAllowed: true }, "!", COLORS.remoteAllowed],
    [{ kind: "unreachable", message: "x" }, "off", COLORS.unreachable],
    [{ kind: "error", code: "timeout" }, "err", COLORS.error],
    [{ kind: "error", code: "internal" }, "err", COLORS.error],
    [{ kind: "none" }, "", COLORS.pending],
    [undefined, "", COLORS.pending],
  ];
  for (const [state, text, color] of rows) {
    const b = badgeFor(state);
    assert.equal(b.text, text, JSON.stringify(state));
    assert.equal(b.color, color, JSON.stringify(state));
    assert.ok(b.title.startsWith("Trackless"), b.title);
  }
});

test("all states are visually distinct", () => {
  const states = [
    { kind: "done", count: 0 },
    { kind: "done", count: 2 },
    { kind: "done", count: 2, remoteAllowed: true },
    { kind: "unreachable" },
    { kind: "error", code: "timeout" },
    { kind: "pending" },
  ];
  const seen = new Set(states.map((s) => `${badgeFor(s).text}|${badgeFor(s).color}`));
  assert.equal(seen.size, states.length);
});

test("titles explain and give the fix", () => {
  assert.match(badgeFor({ kind: "unreachable" }).title, /trackless install/);
  assert.match(badgeFor({ kind: "error", code: "timeout" }).title, /too slow/);
  assert.match(badgeFor({ kind: "done", count: 2, remoteAllowed: true }).title, /loaded remote content.*blocking back on.*\(2 trackers blocked\)/s);
  assert.match(badgeFor({ kind: "done", count: 0 }).title, /no trackers found/);
});

test("the badge number counts what its tooltip says first: trackers blocked", () => {
  const rows = [
    [{ kind: "done", count: 3, links: 5 }, "3", "Trackless: 3 trackers blocked · 5 tracking links cleaned"],
    [{ kind: "done", count: 1, links: 1 }, "1", "Trackless: 1 tracker blocked · 1 tracking link cleaned"],
    [{ kind: "done", count: 1 }, "1", "Trackless: 1 tracker blocked"],
    [{ kind: "done", count: 0, links: 2 }, "✓", "Trackless: no trackers found · 2 tracking links cleaned"],
    [{ kind: "done", count: 0, links: 0 }, "✓", "Trackless: no trackers found"],
  ];
  for (const [state, text, title] of rows) {
    assert.deepEqual([badgeFor(state).text, badgeFor(state).title], [text, title]);
  }
  assert.equal(summaryText(8, 0), "8 trackers blocked");
});

test("stateForError separates unreachable from other failures", () => {
  assert.deepEqual(stateForError({ code: "host_unreachable", message: "m" }), { kind: "unreachable", message: "m" });
  assert.deepEqual(stateForError({ code: "timeout", message: "t" }), { kind: "error", code: "timeout", message: "t" });
  assert.deepEqual(stateForError(undefined), { kind: "error", code: "internal", message: "internal" });
});

test("countOf counts trackers only (never links, never the host's combined badge); countLinks the tracking links", () => {
  const result = {
    badge: 5,
    remote: [{ tracker: true }, { tracker: false }, { tracker: true }, null],
    links: [
      { status: "unchanged", removed: [] },
      { status: "cleaned", removed: ["utm_source"] },
      { status: "unwrapped", removed: [] },
      { status: "opaque", removed: [] },
      { status: "cleaned", removed: [] },
    ],
  };
  assert.equal(countOf(result), 2);
  assert.equal(countOf({}), 0);
  assert.equal(countLinks(result.links), 3);
  assert.equal(countLinks(null), 0);
  assert.deepEqual(doneState(result), { kind: "done", count: 2, links: 3 });
});

test("countLinks counts only links the host calls trackers when it says so (issue 17)", () => {
  const links = [
    { status: "unwrapped", removed: ["utm_source"], tracker: false }, // a Google redirect with utm_* only
    { status: "opaque", removed: [], tracker: false }, // a shortener
    { status: "opaque", removed: [], tracker: true }, // CleverReach
    { status: "cleaned", removed: ["mc_eid"], tracker: true },
  ];
  assert.equal(countLinks(links), 2);
  // the badge number stays the trackers blocked; the links are the tooltip's second part
  assert.equal(countOf({ remote: [{ tracker: false }, { tracker: true }], links }), 1);
  assert.deepEqual(doneState({ remote: [{ tracker: true }], links }), { kind: "done", count: 1, links: 2 });
});
