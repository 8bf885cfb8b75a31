"""Learning per-recipient ids from the reader's own mail. Pure: URLs in, facts out.

Three ways a random-looking value (``tokens.tokenish``, not a content address)
in a URL part (a query parameter or a path segment) is shown to name the reader:

* **within one mail**: the same value in several URLs of different shapes (a
  pixel path and a link parameter, two hosts, two parameter names) is one id,
  carried by every tracker and link it appears in (``mail_ids``);
* **across mails of one sender** (``Learner``): a value that is the same in
  every mail from that sender (at least ``MIN_MAILS``; four of five mails
  will do) and appears in at least two of each mail's URLs identifies the
  reader; one seen in one mail only identifies that send; one in a single
  URL per mail (a logo) is content and is not even kept;
* the learned facts are applied to the next mail of that sender (``apply``):
  every reference and link carrying a learned value is a tracker, with the
  evidence in its reason ("this value appeared in all 14 mails from this sender").

The state is a plain dict (JSON-ready) so an edge can keep it: the native host
stores it under the user data dir (``trackless.learnstore``), ``trackless
report`` keeps it in memory over the mails it reads. Values are kept as
short SHA-256 digests, never in clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from ..result import Link, Remote
from .tokens import content_reason, tokenish

__all__ = ["slots", "mail_ids", "Learner", "apply", "digest", "MIN_MAILS", "MAX_SENDERS", "MAX_VALUES"]

#: A sender's value becomes a learned reader id after this many mails.
MIN_MAILS = 3
#: Bounds of the learned state: senders kept (least recently seen dropped), values per sender.
MAX_SENDERS = 300
MAX_VALUES = 32


def digest(value: str) -> str:
    """A short digest of a value (the store never keeps ids in clear)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def slots(url: str) -> list[tuple[str, str]]:
    """(slot, value) for every random-looking part of a URL: ``q:<name>`` for a
    query parameter, ``p:<n>`` for the n-th path segment. Content addresses
    (asset files, content hosts, static paths) have none."""
    return _host_slots(url)[1]


def _host_slots(url: str) -> tuple[str, list[tuple[str, str]]]:
    """(host, ``slots(url)``) from one split of the URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", []
    host = parts.hostname
    if not host or content_reason(parts) is not None:
        return host or "", []
    out = []
    for i, seg in enumerate(s for s in parts.path.split("/") if s):
        stem = seg.rsplit(".", 1)[0] if "." in seg[-6:] else seg
        if tokenish(stem):
            out.append((f"p:{i}", stem))
    for seg in (parts.query or "").split("&"):
        name, eq, value = seg.partition("=")
        if eq and value and tokenish(value):
            out.append((f"q:{name}", value))
        elif not eq and name and tokenish(name):
            out.append(("q:", name))
    return host, out


def mail_ids(urls: Iterable[tuple[str, bool]]) -> dict[str, str]:
    """Values that one mail uses as one id: value -> evidence. ``urls``: (url,
    judged a tracker). A value counts when it is in a tracker and in at least
    one other URL, in a different slot or on a different host (a product id
    shared by a product image and its link, no tracker among them, does not)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    count: dict[str, int] = {}
    in_tracker: set[str] = set()
    for url, tracker in dict.fromkeys(urls):
        host, found = _host_slots(url)
        for slot, value in found:
            seen.setdefault(value, set()).add((slot, host))
            count[value] = count.get(value, 0) + 1
            if tracker:
                in_tracker.add(value)
    out = {}
    for value, places in seen.items():
        spread = len({s for s, _ in places}) >= 2 or len({h for _, h in places}) >= 2
        if value in in_tracker and count[value] >= 2 and spread:
            out[value] = f"the same id appears in {count[value]} addresses of this mail, trackers among them"
    return out


class Learner:
    """Across mails of one sender: which values identify the reader.

    ``state`` (a JSON-ready dict) is ``{"senders": {sender: {"mails": n,
    "seen": t, "values": {digest: [mails, urls]}}}, "clock": t}``; the
    learner changes it in place and keeps it bounded.
    """

    def __init__(self, state: Mapping | None = None):
        self.state = {"senders": {}, "clock": 0}
        if isinstance(state, Mapping) and isinstance(state.get("senders"), Mapping):
            self.state = {"senders": dict(state["senders"]), "clock": int(state.get("clock", 0) or 0)}

    def learn(self, sender: str | None, urls: Iterable[str]) -> None:
        """Count one mail of ``sender`` with these URLs (remote references and links)."""
        if not sender:
            return
        per_value: dict[str, int] = {}
        for url in dict.fromkeys(urls):
            for _slot, value in slots(url):
                d = digest(value)
                per_value[d] = per_value.get(d, 0) + 1
        self.state["clock"] += 1
        rec = self.state["senders"].setdefault(sender, {"mails": 0, "seen": 0, "values": {}})
        rec["mails"] += 1
        rec["seen"] = self.state["clock"]
        values = rec["values"]
        for d, n in per_value.items():
            if n < 2:
                continue  # in one address of this mail only (a logo, a one-off link): not an id of the reader
            mails, total = values.get(d, (0, 0))
            values[d] = [mails + 1, total + n]
        if len(values) > MAX_VALUES:
            # keep the values seen in most mails (ids recur, one-off send ids fade)
            keep = sorted(values.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_VALUES]
            rec["values"] = dict(keep)
        senders = self.state["senders"]
        if len(senders) > MAX_SENDERS:
            for old in sorted(senders, key=lambda s: senders[s].get("seen", 0))[: len(senders) - MAX_SENDERS]:
                del senders[old]

    def known(self, sender: str | None) -> dict[str, str]:
        """digest -> evidence, for the values that identify the reader of ``sender``'s mail."""
        rec = self.state["senders"].get(sender or "")
        if not rec or rec.get("mails", 0) < MIN_MAILS:
            return {}
        n = rec["mails"]
        out = {}
        for d, (mails, total) in rec.get("values", {}).items():
            if mails >= max(MIN_MAILS, n - n // 5) and total >= 2 * mails:
                out[d] = (f"this value appeared in all {n} mails from this sender" if mails >= n
                          else f"this value appeared in {mails} of {n} mails from this sender")
        return out


def _evidence(url: str, in_mail: Mapping[str, str], learned: Mapping[str, str]) -> str | None:
    for _slot, value in slots(url):
        if value in in_mail:
            return f"an id of the reader: {in_mail[value]}"
        if learned:
            why = learned.get(digest(value))
            if why:
                return f"an id of the reader learned from your mail: {why}"
    return None


def apply(remote: tuple[Remote, ...], links: tuple[Link, ...],
          learned: Mapping[str, str] | None = None) -> tuple[tuple[Remote, ...], tuple[Link, ...]]:
    """Mark every reference and link that carries an id of the reader (found in
    this mail, or learned for its sender) as a tracker, the evidence in its reason."""
    in_mail = mail_ids([(r.url, r.tracker) for r in remote] + [(l.original, l.tracker) for l in links])
    if not in_mail and not learned:
        return remote, links
    new_remote = []
    for r in remote:
        why = _evidence(r.url, in_mail, learned or {})
        if why and not r.tracker:
            r = replace(r, tracker=True, confidence="medium", reason=f"{r.reason}; {why}")
        elif why:
            r = replace(r, reason=f"{r.reason}; {why}")
        new_remote.append(r)
    new_links = []
    for link in links:
        why = _evidence(link.original, in_mail, learned or {})
        if why and link.rule != "keep":
            link = replace(link, tracker=True, reason=f"{link.reason}; {why}" if link.reason else why)
        new_links.append(link)
    return tuple(new_remote), tuple(new_links)
