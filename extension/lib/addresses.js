// Mail addresses from Thunderbird's header strings ("Name <a@b.example>", "a@b.example"). Pure.

export function addressOf(text) {
  if (typeof text !== "string") return null;
  const angle = text.match(/<([^<>\s]+@[^<>\s]+)>\s*$/);
  const raw = angle ? angle[1] : text.trim();
  if (!/^[^\s@<>",;]+@[^\s@<>",;]+$/.test(raw)) return null;
  return raw;
}

export function addressesOf(list) {
  const out = [];
  for (const item of Array.isArray(list) ? list : [list]) {
    const a = addressOf(item);
    if (a && !out.includes(a)) out.push(a);
  }
  return out;
}

// {from, to} for the host from a messages.MessageHeader. `to` is every address the
// mail was delivered to (To, Cc, Bcc): any of them may be the reader's.
export function partiesOf(header) {
  if (!header || typeof header !== "object") return { from: "", to: [] };
  return {
    from: addressOf(header.author) || "",
    to: addressesOf([...(header.recipients || []), ...(header.ccList || []), ...(header.bccList || [])]),
  };
}

// The one displayed message of a getDisplayedMessages() answer: MV3 gives a
// MessageList {messages}, MV2 an array. null when none or several.
export function singleMessage(answer) {
  const list = Array.isArray(answer) ? answer : answer && Array.isArray(answer.messages) ? answer.messages : [];
  return list.length === 1 ? list[0] : null;
}
