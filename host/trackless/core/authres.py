"""The authentication verdict of a mail from its ``Authentication-Results`` headers (RFC 8601).

Pure: header values in, a frozen ``AuthVerdict`` out. Only the topmost header
counts: it is the one the reader's own provider added on receipt; any header
below it may have been written by the sender. The mail is authenticated for
its From domain when that header says ``dmarc=pass`` for the From domain, or
``dkim=pass`` with a signing domain (``header.d``) whose registrable domain is
the From address's (relaxed alignment). SPF is not used: it vouches for the
envelope sender, not for the From a reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

from ..domains import registrable_domain

__all__ = ["AuthVerdict", "verdict", "parse"]

_METHOD = re.compile(r"^\s*([a-z0-9_-]+)(?:\s*/\s*\d+)?\s*=\s*([a-z0-9_-]+)", re.I)
_PROP = re.compile(r"\b([a-z0-9_-]+)\s*\.\s*([a-z0-9_-]+)\s*=\s*(\"[^\"]*\"|[^\s;\"]+)", re.I)
_MAX_HEADER = 16_384


@dataclass(frozen=True)
class AuthVerdict:
    """Whether a mail is authenticated for its From domain, and why in words.

    domain: registrable domain of the From address ("" when there is none).
    passed: dmarc or an aligned dkim passed in the topmost header.
    method: "dmarc" or "dkim" when passed, else "".
    reason: one short sentence for the popup and the report.
    """

    domain: str = ""
    passed: bool = False
    method: str = ""
    reason: str = "no Authentication-Results header"

    def to_dict(self) -> dict:
        return {"domain": self.domain, "passed": self.passed, "method": self.method, "reason": self.reason}


def _strip_comments(text: str) -> str:
    """Text without (comments), nested or not; quoted strings kept as they are."""
    out, depth, quoted, escaped = [], 0, False, False
    for ch in text:
        if escaped:
            escaped = False
            if not depth:
                out.append(ch)
            continue
        if ch == "\\":
            escaped = True
            if not depth:
                out.append(ch)
            continue
        if quoted:
            quoted = ch != '"'
            out.append(ch)
        elif ch == '"' and not depth:
            quoted = True
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            out.append(" ")
        elif not depth:
            out.append(ch)
    return "".join(out)


def _split(text: str) -> list[str]:
    parts, cur, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def parse(header: str) -> list[tuple[str, str, dict[str, str]]]:
    """The results of one header value: [(method, result, {"header.d": ...}), ...],
    all lower case. The authserv-id (before the first ";") is skipped."""
    text = _strip_comments(str(header)[:_MAX_HEADER].replace("\r", " ").replace("\n", " "))
    out = []
    for part in _split(text)[1:]:
        m = _METHOD.match(part)
        if not m:
            continue
        props = {}
        for p in _PROP.finditer(part[m.end():]):
            key = f"{p.group(1).lower()}.{p.group(2).lower()}"
            props.setdefault(key, p.group(3).strip('"').lower())
        out.append((m.group(1).lower(), m.group(2).lower(), props))
    return out


def _domain_of(value: str) -> str:
    value = value.rsplit("@", 1)[-1].strip().strip(".")
    return registrable_domain(value) if value else ""


def verdict(headers, sender: str | None) -> AuthVerdict:
    """The verdict for a mail from ``sender`` (its From address) given its
    ``Authentication-Results`` values, topmost first."""
    address = parseaddr(sender)[1] if sender else ""
    domain = _domain_of(address) if "@" in address else ""
    if not domain:
        return AuthVerdict("", False, "", "no sender address")
    headers = [h for h in (headers or ()) if isinstance(h, str) and h.strip()]
    if not headers:
        return AuthVerdict(domain, False, "", "no Authentication-Results header from your provider")
    results = parse(headers[0])
    dmarc = [(r, p) for m, r, p in results if m == "dmarc"]
    for result, props in dmarc:
        if result == "pass" and _domain_of(props.get("header.from", "")) == domain:
            return AuthVerdict(domain, True, "dmarc", f"DMARC passed for {domain}")
    if any(r in ("fail", "quarantine", "reject") for r, _ in dmarc):
        return AuthVerdict(domain, False, "", f"DMARC failed for {domain}")
    dkim = [(r, p) for m, r, p in results if m == "dkim"]
    for result, props in dkim:
        signer = props.get("header.d") or props.get("header.i", "")
        if result == "pass" and signer and _domain_of(signer) == domain:
            return AuthVerdict(domain, True, "dkim", f"DKIM signature of {domain} verified")
    if any(r == "pass" for r, _ in dkim):
        return AuthVerdict(domain, False, "", f"DKIM passed, but for another domain than {domain}")
    if dkim or dmarc:
        return AuthVerdict(domain, False, "", f"neither DKIM nor DMARC passed for {domain}")
    return AuthVerdict(domain, False, "", f"your provider did not check DKIM or DMARC for {domain}")
