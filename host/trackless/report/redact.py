"""``--redact``: stable placeholders for the reader's address and per-recipient tokens.

A ``Redactor`` is fed the mails in report order (in the main process, so the
numbering is deterministic) and returns copies of the findings in which:

- every reader address (a mail's recipients and the ``--to`` addresses) is
  replaced, wherever it appears, by ``[reader-N]``; an encoded form by
  ``[reader-N:ENCODING]`` (percent-encoded, double percent-encoded, base64,
  base64url, md5, sha1, sha256: every encoding ``trackless.core.identity`` knows);
- per-recipient tokens are replaced by ``[token-N]``: the sanitizer's
  ``token`` of each tracker, the values of tracking parameters whose name
  marks an id (``*id*``, ``*enc*``, ``*tok*``, ``*hash*``, ``*mail*``,
  ``*user*``, ``*sub*``, ``*rcpt*``, ``*recipient*``), and, in every URL and
  each path segment, query value or fragment that looks like a token (10+ characters with at least 3 letters and 3 digits, or 24+
  characters that are not a plain lower-case slug). The same token always
  gets the same placeholder. Over-redaction of a slug is accepted; the
  reverse is not;
- a per-recipient-looking DKIM selector becomes ``[token-N]``;
- the local part of each Message-ID becomes ``[token-N]`` (the sender can map
  a Message-ID to its recipient); its domain stays;
- as a last check, any string in which ``Identity.found_in`` still finds a
  reader address is replaced whole by ``[redacted: carries the reader's address]``;
- and as a final pass over the written output (``Scrubber``, whatever the
  format: Markdown, HTML, JSON), every remaining occurrence of a reader
  address in any encoding above, also as written by the format's escaping
  (Markdown backslashes, HTML entities, JSON escapes) and inside host labels
  and paths, becomes its placeholder. That pass sees every string the report
  holds: Date header comments, Authentication-Results, DNS rows, the
  skipped list, the sources.

Hosts, registrable domains, vendors and sender addresses are kept: they are
the evidence. Tracking-parameter names are kept; campaign values such as
``utm_source=newsletter`` are kept.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import replace
from typing import Iterable
from urllib.parse import quote, unquote

from ..core.identity import Identity
from .analyse import MailFindings

__all__ = ["Redactor", "Scrubber", "ScrubbingWriter", "looks_like_token", "IDENTIFYING_PARAM", "LEFTOVER"]

LEFTOVER = "[redacted: carries the reader's address]"
IDENTIFYING_PARAM = re.compile(r"id|enc|tok|hash|mail|user|sub|rcpt|recipient|uid|key|sig", re.IGNORECASE)
_SLUG = re.compile(r"[a-z]+(?:[-_][a-z]+)*")
_PLACEHOLDER = re.compile(r"\[(?:reader|token)-\d+(?::[a-z0-9-]+)?\]")
_PLACEHOLDER_SPLIT = re.compile(r"(\[(?:reader|token)-\d+(?::[a-z0-9-]+)?\])")


def looks_like_token(value: str) -> bool:
    """A per-recipient-looking value (see the module docstring for the rule)."""
    if not value or _PLACEHOLDER.fullmatch(value):
        return False
    v = unquote(value)
    letters = sum(c.isalpha() for c in v)
    digits = sum(c.isdigit() for c in v)
    if len(v) >= 10 and letters >= 3 and digits >= 3:
        return True
    return len(v) >= 24 and not _SLUG.fullmatch(v)


def _encodings(address: str) -> list[tuple[str, str, bool]]:
    """(encoding, needle, case_sensitive), longest needles first."""
    raw = address.encode("utf-8")
    out = [
        ("plain", address, False),
        ("percent-encoded", quote(address, safe=""), False),
        ("percent-encoded", quote(address, safe="@"), False),
        ("percent-encoded", quote(quote(address, safe=""), safe=""), False),
        ("base64", base64.b64encode(raw).decode("ascii").rstrip("="), True),
        ("base64url", base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="), True),
    ]
    for name in ("md5", "sha1", "sha256"):
        out.append((name, hashlib.new(name, raw).hexdigest(), False))
    seen: set = set()
    uniq = []
    for enc, needle, sensitive in out:
        key = (needle if sensitive else needle.lower(), sensitive)
        if needle and key not in seen:
            seen.add(key)
            uniq.append((enc, needle, sensitive))
    uniq.sort(key=lambda e: -len(e[1]))
    return uniq


class Redactor:
    """Stateful only in its placeholder numbering; feed mails in report order."""

    def __init__(self, readers: Iterable[str] = ()):
        self._readers: dict[str, int] = {}
        self._tokens: dict[str, str] = {}
        self._ci: re.Pattern | None = None
        self._cs: re.Pattern | None = None
        self._lookup: dict[str, str] = {}
        self._identity = Identity.of(())
        for a in readers:
            self.add_reader(a)

    # -- readers -------------------------------------------------------------
    def add_reader(self, address: str) -> None:
        a = address.strip().lower()
        if not a or "@" not in a or a in self._readers:
            return
        self._readers[a] = len(self._readers) + 1
        self._identity = Identity.of(self._readers)
        ci, cs = [], []
        self._lookup = {}
        for addr, n in self._readers.items():
            for enc, needle, sensitive in _encodings(addr):
                label = f"[reader-{n}]" if enc == "plain" else f"[reader-{n}:{enc}]"
                (cs if sensitive else ci).append(needle)
                self._lookup[needle if sensitive else needle.lower()] = label
        ci.sort(key=len, reverse=True)
        cs.sort(key=len, reverse=True)
        self._ci = re.compile("|".join(re.escape(n) for n in ci), re.IGNORECASE) if ci else None
        self._cs = re.compile("|".join(re.escape(n) for n in cs)) if cs else None

    @property
    def readers(self) -> dict[str, str]:
        """address -> placeholder."""
        return {a: f"[reader-{n}]" for a, n in self._readers.items()}

    # -- tokens --------------------------------------------------------------
    def _token(self, value: str) -> str:
        ph = self._tokens.get(value)
        if ph is None:
            ph = self._tokens[value] = f"[token-{len(self._tokens) + 1}]"
        return ph

    def _addresses(self, s: str) -> str:
        if self._ci is not None:
            s = self._ci.sub(lambda m: self._lookup[m.group(0).lower()], s)
        if self._cs is not None:
            s = self._cs.sub(lambda m: self._lookup[m.group(0)], s)
        return s

    def _tokenize(self, text: str) -> str:
        """``text`` with token-looking parts replaced; existing placeholders are left alone."""
        if not _PLACEHOLDER.search(text):
            return self._token(text) if looks_like_token(text) else text
        parts = _PLACEHOLDER_SPLIT.split(text)
        return "".join(p if _PLACEHOLDER.fullmatch(p) or not looks_like_token(p) else self._token(p) for p in parts)

    def _structural(self, url: str) -> str:
        """Replace token-looking path segments, query values and fragment of a URL-ish string."""
        head, sep, rest = url.partition("://")
        if not sep:
            head, rest = "", url
        else:
            head += sep
        # authority stays; everything after the first "/" "?" or "#" is scanned
        m = re.search(r"[/?#]", rest)
        if not m:
            return url
        authority, tail = rest[: m.start()], rest[m.start():]

        def seg(match: re.Match) -> str:
            return self._tokenize(match.group(0))

        def pair(match: re.Match) -> str:
            key, eq, value = match.group(1), match.group(2), match.group(3)
            key = re.sub(r"[^/]+", seg, key)
            if eq and value and not _PLACEHOLDER.search(value) and IDENTIFYING_PARAM.search(key) and len(unquote(value)) >= 4:
                value = self._token(value)
            elif value:
                value = re.sub(r"[^/]+", seg, value)
            return key + eq + value

        path, qmark, query = tail.partition("?")
        frag = ""
        if "#" in (query if qmark else path):
            if qmark:
                query, _, frag = query.partition("#")
            else:
                path, _, frag = path.partition("#")
            frag = "#" + frag
        path = re.sub(r"[^/;]+", seg, path)
        if qmark:
            query = re.sub(r"([^&=;]*)(=?)([^&;]*)", pair, query)
        if frag and len(frag) > 1:
            body = frag[1:]
            frag = "#" + (re.sub(r"([^&=]*)(=?)([^&]*)", pair, body) if "=" in body else re.sub(r"[^/]+", seg, body))
        return head + authority + path + qmark + query + frag

    def _token_field(self, token: str | None) -> str | None:
        """A tracker's token: the reader's (encoded) address keeps its reader placeholder."""
        if not token:
            return token
        scrubbed = self._addresses(token)
        return self._final(scrubbed) if scrubbed != token else self._token(token)

    def _message_id(self, mid: str) -> str:
        """A Message-ID names one copy of a mail, which the sender can map to its recipient: its
        local part always becomes a placeholder; the domain (the sending infrastructure) stays."""
        m = re.fullmatch(r"\s*<?([^<>]*?)@([^<>@\s]+)>?\s*", mid)
        if not m:
            bare = mid.strip().strip("<>")
            if not bare or _PLACEHOLDER.fullmatch(bare):
                return mid
            return self._token(mid)
        local = m.group(1)
        return f"<{local if _PLACEHOLDER.fullmatch(local) else self._token(local)}@{m.group(2)}>"

    def _literal(self, s: str, known: list[str]) -> str:
        for t in known:
            if t in s:
                s = s.replace(t, self._token(t))
        return s

    def _final(self, s: str) -> str:
        return LEFTOVER if self._identity and self._identity.found_in(s) else s

    def text(self, s: str, known: list[str] = ()) -> str:
        """Plain text (subject, origin, names): addresses and known tokens only."""
        return self._final(self._literal(self._addresses(s), list(known)))

    def url(self, s: str | None, known: list[str] = ()) -> str | None:
        if s is None:
            return None
        return self._final(self._structural(self._literal(self._addresses(s), list(known))))

    # -- findings ------------------------------------------------------------
    def mail(self, f: MailFindings, extra_readers: Iterable[str] = ()) -> MailFindings:
        for a in (*f.recipients, *extra_readers):
            self.add_reader(a)
        known: list[str] = []
        for t in f.trackers:
            if t.token:
                known.append(t.token)
        for l in f.links:
            for name, value in l.tracking_params:
                if value and (IDENTIFYING_PARAM.search(name) or looks_like_token(value)) and len(unquote(value)) >= 4:
                    known.append(value)
        known = sorted(set(known), key=len, reverse=True)
        u = lambda s: self.url(s, known)  # noqa: E731
        t = lambda s: self.text(s, known)  # noqa: E731
        trackers = tuple(replace(x, url=u(x.url), token=self._token_field(x.token),
                                 reason=t(x.reason)) for x in f.trackers)
        links = tuple(replace(
            x, original=u(x.original), destination=u(x.destination), chain=tuple(u(c) for c in x.chain),
            tracking_params=tuple((n, (None if v is None else self._token(v) if v in known else t(v)))
                                  for n, v in x.tracking_params),
        ) for x in f.links)
        other = tuple(replace(x, url=u(x.url)) for x in f.other_remote)
        return replace(
            f,
            origin=t(f.origin),
            date=t(f.date),
            evidence=None if f.evidence is None else replace(
                f.evidence, source=t(f.evidence.source),
                dkim=tuple(replace(d, selector=self._tokenize(t(d.selector))) for d in f.evidence.dkim),
                auth=tuple(replace(a, raw=t(a.raw), authserv_id=t(a.authserv_id)) for a in f.evidence.auth)),
            sender=t(f.sender) if f.sender else f.sender,
            subject=t(f.subject),
            message_id=self._final(self._message_id(self._literal(self._addresses(f.message_id), known))),
            recipients=tuple(t(r) for r in f.recipients),
            trackers=trackers,
            links=links,
            other_remote=other,
        )


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&])")


def _written_forms(needle: str) -> set[str]:
    """The ways a report format may write ``needle``: as is, Markdown-escaped, HTML-escaped, JSON-escaped."""
    forms = {needle, _MD_SPECIAL.sub(r"\\\1", needle), html.escape(needle, quote=True), html.escape(needle, quote=False),
             json.dumps(needle, ensure_ascii=False)[1:-1], json.dumps(needle)[1:-1]}
    forms.add(html.escape(_MD_SPECIAL.sub(r"\\\1", needle), quote=True))
    return {f for f in forms if f}


class Scrubber:
    """The final pass: every written form of every reader address encoding -> its placeholder."""

    def __init__(self, readers: dict[str, str]):
        ci: dict[str, str] = {}
        cs: dict[str, str] = {}
        for addr, label in readers.items():
            n = label[len("[reader-"):-1]
            for enc, needle, sensitive in _encodings(addr):
                ph = f"[reader-{n}]" if enc == "plain" else f"[reader-{n}:{enc}]"
                for form in _written_forms(needle):
                    if sensitive:
                        cs[form] = ph
                    else:
                        ci[form.lower()] = ph
        self._ci = re.compile("|".join(re.escape(k) for k in sorted(ci, key=len, reverse=True)), re.IGNORECASE) if ci else None
        self._cs = re.compile("|".join(re.escape(k) for k in sorted(cs, key=len, reverse=True))) if cs else None
        self._ci_map, self._cs_map = ci, cs
        self.longest = max((len(k) for k in (*ci, *cs)), default=0)

    def __call__(self, text: str) -> str:
        if self._ci is not None:
            text = self._ci.sub(lambda m: self._ci_map[m.group(0).lower()], text)
        if self._cs is not None:
            text = self._cs.sub(lambda m: self._cs_map[m.group(0)], text)
        return text


class ScrubbingWriter:
    """A text stream that passes everything written through a ``Scrubber`` before ``out``.

    It holds back the last ``longest - 1`` characters (a needle may be cut between two writes), so
    ``close()`` (or ``flush_all()``) must be called at the end."""

    def __init__(self, out, scrub: Scrubber, *, block: int = 1 << 16):
        self.out = out
        self.scrub = scrub
        self.block = block
        self.buf = ""

    def write(self, text: str) -> int:
        self.buf += text
        if len(self.buf) >= self.block + self.scrub.longest:
            self._emit(final=False)
        return len(text)

    def _emit(self, final: bool) -> None:
        buf = self.buf
        cut = len(buf) if final else len(buf) - max(0, self.scrub.longest - 1)
        # a match starting before the cut is whole within buf (no needle is longer than ``longest``):
        # move the cut past any match that straddles it, until none does
        moved = True
        while moved and cut < len(buf):
            moved = False
            for rx in (self.scrub._ci, self.scrub._cs):
                if rx is None:
                    continue
                for m in rx.finditer(buf, max(0, cut - self.scrub.longest)):
                    if m.start() >= cut:
                        break
                    if m.end() > cut:
                        cut, moved = m.end(), True
        self.out.write(self.scrub(buf[:cut]))
        self.buf = buf[cut:]

    def flush_all(self) -> None:
        self._emit(final=True)

    close = flush_all
