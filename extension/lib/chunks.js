// Reassembly of chunked host replies.
//
// A reply over 1 MiB arrives as several frames
//   {"id": <id>, "chunk": i, "chunks": n, "data": "<slice of the reply JSON text>"}
// with 0 <= i < n. Frames may arrive in any order; once all n slices are in, they
// are joined in index order and parsed as one reply object.

export const MAX_CHUNKS = 256; // 256 MiB of reply text: far beyond any mail we display

export class ChunkError extends Error {
  constructor(message, id) {
    super(message);
    this.name = "ChunkError";
    this.code = "bad_chunks";
    this.id = id;
  }
}

export function isChunkFrame(frame) {
  return frame !== null && typeof frame === "object" && "chunk" in frame;
}

export class ChunkAssembler {
  constructor() {
    this._partial = new Map(); // id -> {n, slices: Array, have: number}
  }

  get pendingIds() {
    return [...this._partial.keys()];
  }

  // Add one chunk frame. Returns the parsed reply object when it completes the
  // reply, otherwise null. Throws ChunkError for a malformed or inconsistent frame
  // (the partial reply for that id is dropped).
  add(frame) {
    const { id, chunk, chunks, data } = frame;
    if (!(typeof id === "number" || typeof id === "string")) {
      throw new ChunkError("chunk frame without a valid id", undefined);
    }
    if (!Number.isInteger(chunks) || chunks < 1 || chunks > MAX_CHUNKS) {
      this._partial.delete(id);
      throw new ChunkError(`chunk count ${chunks} out of range`, id);
    }
    if (!Number.isInteger(chunk) || chunk < 0 || chunk >= chunks) {
      this._partial.delete(id);
      throw new ChunkError(`chunk index ${chunk} out of range 0..${chunks - 1}`, id);
    }
    if (typeof data !== "string") {
      this._partial.delete(id);
      throw new ChunkError("chunk data is not a string", id);
    }
    let entry = this._partial.get(id);
    if (!entry) {
      entry = { n: chunks, slices: new Array(chunks), have: 0 };
      this._partial.set(id, entry);
    } else if (entry.n !== chunks) {
      this._partial.delete(id);
      throw new ChunkError(`chunk count changed from ${entry.n} to ${chunks}`, id);
    }
    if (entry.slices[chunk] !== undefined) {
      this._partial.delete(id);
      throw new ChunkError(`chunk ${chunk} received twice`, id);
    }
    entry.slices[chunk] = data;
    entry.have += 1;
    if (entry.have < entry.n) return null;
    this._partial.delete(id);
    let reply;
    try {
      reply = JSON.parse(entry.slices.join(""));
    } catch (e) {
      throw new ChunkError(`reassembled reply is not JSON: ${e.message}`, id);
    }
    if (reply === null || typeof reply !== "object" || Array.isArray(reply)) {
      throw new ChunkError("reassembled reply is not an object", id);
    }
    return reply;
  }

  // Forget a partial reply (its request timed out or the port closed).
  drop(id) {
    this._partial.delete(id);
  }

  clear() {
    this._partial.clear();
  }
}
