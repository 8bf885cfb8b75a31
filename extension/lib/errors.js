// Error codes the add-on itself produces (the host's own codes pass through
// unchanged: see PROTOCOL.md and host/trackless/errors.py).

export const UNREACHABLE = "host_unreachable"; // no host process answering (not installed, crashed, backing off)
export const DISCONNECTED = "host_disconnected"; // the port closed while the request was in flight
export const TIMEOUT = "timeout"; // no reply within the request's timeout
export const BAD_CHUNKS = "bad_chunks"; // a chunked reply was malformed
export const BAD_REPLY = "bad_reply"; // a reply frame was not a valid reply
export const UNKNOWN_ACTION = "unknown_action"; // the host does not know the action (older helper)

export class HostError extends Error {
  constructor(code, message) {
    super(message || code);
    this.name = "HostError";
    this.code = code;
  }

  toJSON() {
    return { code: this.code, message: this.message };
  }
}

// Plain {code, message} for any thrown value (what travels over runtime messages).
export function errorInfo(err) {
  if (err && typeof err === "object" && typeof err.code === "string") {
    return { code: err.code, message: String(err.message || err.code) };
  }
  return { code: "internal", message: String((err && err.message) || err) };
}
