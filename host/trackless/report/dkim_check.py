"""``--dns``: verify each mail's DKIM signatures against the keys their domains publish.

The raw mail is read again from where the run found it (``sources.read_raw``:
the file, or the mail at its mbox offset) and each ``DKIM-Signature`` is
checked with dkimpy, whose key lookup is a DNS TXT query through dnspython
(``selector._domainkey.domain``). The resolver is injectable (tests serve a
key they generated; no network). Answers are cached per name for the run.

A selector or domain that looks per-recipient (a token, or the reader's
address in any encoding) is never looked up: the query itself would tell
the sender that this mail was examined. Such a signature is "not checked".
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ..core.identity import Identity
from .analyse import MailFindings
from .redact import looks_like_token
from .sources import read_raw

__all__ = ["DkimVerifier", "verify_signatures"]

TxtLookup = Callable[..., bytes | None]


def _default_txt(name: bytes, timeout: int = 5) -> bytes | None:
    import dkim.dnsplug

    return dkim.dnsplug.get_txt(name, timeout=timeout)


def verify_signatures(data: bytes, count: int, txt: TxtLookup) -> list[str]:
    """For each of the first ``count`` signatures: ``pass``, ``fail`` or ``error: why``."""
    import dkim

    out = []
    for i in range(count):
        try:
            ok = dkim.DKIM(data).verify(idx=i, dnsfunc=txt)
            out.append("pass" if ok else "fail (the signature does not match the mail or the published key)")
        except dkim.DKIMException as exc:
            text = str(exc)
            out.append(f"fail ({text})" if "mismatch" in text else f"error: {text}")
        except Exception as exc:  # a malformed signature or key: reported, never fatal
            out.append(f"error: {type(exc).__name__}: {exc}")
    return out


class DkimVerifier:
    """``verifier(findings) -> findings`` with ``evidence.dkim[*].verified`` filled in."""

    def __init__(self, txt: TxtLookup | None = None, readers=()):
        self._txt = txt or _default_txt
        self._cache: dict[bytes, bytes | None] = {}
        self._readers = tuple(readers)

    def _lookup(self, name: bytes, timeout: int = 5) -> bytes | None:
        if name not in self._cache:
            self._cache[name] = self._txt(name, timeout=timeout)
        return self._cache[name]

    def __call__(self, f: MailFindings) -> MailFindings:
        ev = f.evidence
        if ev is None or not ev.dkim or not ev.source:
            return f
        identity = Identity.of((*f.recipients, *self._readers))
        private = [looks_like_token(d.selector) or looks_like_token(d.domain.split(".")[0])
                   or bool(identity and (identity.found_in(d.selector) or identity.found_in(d.domain)))
                   for d in ev.dkim]
        try:
            data = read_raw(ev.source, ev.offset)
        except OSError as exc:
            verdicts = [f"error: cannot read the mail again: {exc.strerror or exc}"] * len(ev.dkim)
        else:
            verdicts = verify_signatures(data, len(ev.dkim), self._lookup) if not all(private) else []
        sigs = []
        for i, d in enumerate(ev.dkim):
            if private[i]:
                v = "not checked: the selector or domain looks per-recipient; looking it up would tell the sender"
            else:
                v = verdicts[i] if i < len(verdicts) else "not checked"
            sigs.append(replace(d, verified=v))
        return replace(f, evidence=replace(ev, dkim=tuple(sigs)))
