// What the add-on reads from a mail's headers (messages.getFull(id).headers:
// lower-case name -> [values], in the order they appear). Pure.

// Headers that ask for a read receipt, and whether Thunderbird acts on them:
// it answers Disposition-Notification-To (and Return-Receipt-To when that is
// missing) following Settings → Privacy & Security → Return Receipts (by
// default it asks you first); the others it ignores.
export const RECEIPT_HEADERS = Object.freeze([
  ["disposition-notification-to", "Disposition-Notification-To", true],
  ["return-receipt-to", "Return-Receipt-To", true],
  ["x-confirm-reading-to", "X-Confirm-Reading-To", false],
  ["read-receipt-to", "Read-Receipt-To", false],
]);

function values(headers, name) {
  const v = headers && typeof headers === "object" ? headers[name] : null;
  return (Array.isArray(v) ? v : typeof v === "string" ? [v] : []).filter((x) => typeof x === "string");
}

// [{header, to, thunderbird: "asks"|"ignores"}] for every read-receipt request.
export function readReceipts(headers) {
  const out = [];
  for (const [name, label, honoured] of RECEIPT_HEADERS) {
    for (const to of values(headers, name)) out.push({ header: label, to: to.trim(), thunderbird: honoured ? "asks" : "ignores" });
  }
  return out;
}

// The Authentication-Results values, topmost first (the first is the one the
// reader's own provider added).
export function authenticationResults(headers) {
  return values(headers, "authentication-results").slice(0, 100);
}
