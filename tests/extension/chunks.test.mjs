import "./i18n_setup.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChunkAssembler, ChunkError, isChunkFrame, MAX_CHUNKS } from "../../extension/lib/chunks.js";

// Cut a reply's JSON text into n chunk frames (as the host does).
function chunk(reply, n) {
  const text = JSON.stringify(reply);
  const size = Math.ceil(text.length / n);
  const frames = [];
  for (let i = 0; i < n; i++) frames.push({ id: reply.id, chunk: i, chunks: n, data: text.slice(i * size, (i + 1) * size) });
  return frames;
}

const REPLY = { id: 7, ok: true, result: { html: "<p>é \"quoted\" \u2028</p>".repeat(50), badge: 3 } };

test("in-order chunks reassemble into the reply", () => {
  const a = new ChunkAssembler();
  const frames = chunk(REPLY, 4);
  for (const f of frames.slice(0, 3)) assert.equal(a.add(f), null);
  assert.deepEqual(a.add(frames[3]), REPLY);
  assert.deepEqual(a.pendingIds, []);
});

test("out-of-order chunks reassemble in index order", () => {
  for (const order of [[3, 1, 0, 2], [2, 3, 1, 0], [0, 3, 2, 1]]) {
    const a = new ChunkAssembler();
    const frames = chunk(REPLY, 4);
    let out = null;
    for (const i of order) out = a.add(frames[i]);
    assert.deepEqual(out, REPLY, `order ${order}`);
  }
});

test("interleaved replies with different ids stay apart", () => {
  const a = new ChunkAssembler();
  const r1 = { ...REPLY, id: 1 };
  const r2 = { id: "two", ok: false, error: { code: "x", message: "y".repeat(300) } };
  const f1 = chunk(r1, 3);
  const f2 = chunk(r2, 2);
  assert.equal(a.add(f1[0]), null);
  assert.equal(a.add(f2[1]), null);
  assert.equal(a.add(f1[2]), null);
  assert.deepEqual(a.add(f2[0]), r2);
  assert.deepEqual(a.add(f1[1]), r1);
});

test("a missing chunk leaves the reply pending until dropped", () => {
  const a = new ChunkAssembler();
  const frames = chunk(REPLY, 3);
  a.add(frames[0]);
  a.add(frames[2]);
  assert.deepEqual(a.pendingIds, [7]);
  a.drop(7);
  assert.deepEqual(a.pendingIds, []);
  // a late chunk after the drop starts a new partial reply, never completes the old one
  assert.equal(a.add(frames[1]), null);
});

test("malformed and inconsistent frames are errors that drop the partial reply", () => {
  const cases = [
    [{ id: 1, chunk: 0, chunks: 0, data: "" }, /count/],
    [{ id: 1, chunk: 0, chunks: MAX_CHUNKS + 1, data: "" }, /count/],
    [{ id: 1, chunk: 2, chunks: 2, data: "" }, /index/],
    [{ id: 1, chunk: -1, chunks: 2, data: "" }, /index/],
    [{ id: 1, chunk: 0.5, chunks: 2, data: "" }, /index/],
    [{ id: 1, chunk: 0, chunks: 2, data: 5 }, /not a string/],
    [{ id: null, chunk: 0, chunks: 2, data: "" }, /id/],
  ];
  for (const [frame, re] of cases) {
    const a = new ChunkAssembler();
    assert.throws(() => a.add(frame), (e) => e instanceof ChunkError && e.code === "bad_chunks" && re.test(e.message), JSON.stringify(frame));
    assert.deepEqual(a.pendingIds, []);
  }
});

test("duplicate chunk and changed count are errors", () => {
  const a = new ChunkAssembler();
  const f = chunk(REPLY, 3);
  a.add(f[0]);
  assert.throws(() => a.add(f[0]), /twice/);
  assert.deepEqual(a.pendingIds, []);
  a.add(f[0]);
  assert.throws(() => a.add({ ...f[1], chunks: 4 }), /changed/);
  assert.deepEqual(a.pendingIds, []);
});

test("reassembled text must be a JSON object", () => {
  const a = new ChunkAssembler();
  a.add({ id: 1, chunk: 0, chunks: 2, data: '{"id":1,' });
  assert.throws(() => a.add({ id: 1, chunk: 1, chunks: 2, data: '"ok":tru' }), /not JSON/);
  assert.throws(() => new ChunkAssembler().add({ id: 2, chunk: 0, chunks: 1, data: "[1,2]" }), /not an object/);
});

test("isChunkFrame distinguishes chunk frames from replies", () => {
  assert.equal(isChunkFrame({ id: 1, chunk: 0, chunks: 1, data: "" }), true);
  assert.equal(isChunkFrame({ id: 1, ok: true, result: {} }), false);
  assert.equal(isChunkFrame(null), false);
});
