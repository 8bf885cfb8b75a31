import assert from "node:assert/strict";
import { test } from "node:test";
import { badgeFor, COLORS, countLinks, countOf, stateForError } from "../../extension/lib/badge.js";

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
  assert.match(badgeFor({ kind: "done", count: 2, remoteAllowed: true }).title, /remote content appears to be allowed.*2 trackers found/s);
  assert.match(badgeFor({ kind: "done", count: 1 }).title, /1 tracker blocked/);
  assert.match(badgeFor({ kind: "done", count: 0 }).title, /clean/);
});

test("stateForError separates unreachable from other failures", () => {
  assert.deepEqual(stateForError({ code: "host_unreachable", message: "m" }), { kind: "unreachable", message: "m" });
  assert.deepEqual(stateForError({ code: "timeout", message: "t" }), { kind: "error", code: "timeout", message: "t" });
  assert.deepEqual(stateForError(undefined), { kind: "error", code: "internal", message: "internal" });
});

test("countOf prefers the host's badge number and otherwise counts trackers and tracked links", () => {
  assert.equal(countOf({ badge: 5, remote: [], links: [] }), 5);
  const result = {
    remote: [{ tracker: true }, { tracker: false }, { tracker: true }],
    links: [
      { status: "unchanged", removed: [] },
      { status: "cleaned", removed: ["utm_source"] },
      { status: "unwrapped", removed: [] },
      { status: "opaque", removed: [] },
      { status: "cleaned", removed: [] },
    ],
  };
  assert.equal(countOf(result), 5);
  assert.equal(countOf({ ...result, badge: -1 }), 5);
  assert.equal(countOf({}), 0);
  assert.equal(countLinks(result.links), 3);
  assert.equal(countLinks(null), 0);
});

test("countOf counts only links the host calls trackers when it says so (issue 17)", () => {
  const links = [
    { status: "unwrapped", removed: ["utm_source"], tracker: false }, // a Google redirect with utm_* only
    { status: "opaque", removed: [], tracker: false }, // a shortener
    { status: "opaque", removed: [], tracker: true }, // CleverReach
    { status: "cleaned", removed: ["mc_eid"], tracker: true },
  ];
  assert.equal(countLinks(links), 2);
  assert.equal(countOf({ remote: [{ tracker: false }, { tracker: true }], links }), 3);
});
