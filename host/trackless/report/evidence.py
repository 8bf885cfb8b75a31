"""What ties a finding to its source mail (pure, no I/O): the facts a third party can check.

``evidence_of(data)`` reads the raw bytes once more, headers only:

- ``sha256``: SHA-256 of the raw message bytes exactly as read from the
  source (for an mbox: the message without its ``From `` line, ``>From``
  unescaped), so a bundled ``.eml`` can be checked against the report;
- ``content_key``: SHA-256 of the body with line endings normalised; with
  the Message-ID it says whether two copies (Inbox and All Mail, a local
  folder and IMAP) are the same mail (mail programs add their own status
  headers to each copy, so the headers are left out);
- ``dkim``: each ``DKIM-Signature``'s signing domain (``d=``) and selector
  (``s=``), in header order;
- ``auth``: each ``Authentication-Results`` header: the receiving provider
  (authserv-id) and its ``dkim=``, ``spf=``, ``dmarc=`` verdicts. These are
  written by the receiving server and can be forged by anyone upstream of it;
  only the topmost one (added last) is the provider's own.

The source path and the mbox byte offset are added by the run (the worker
does not know them); ``dkim_verified`` by ``--dns`` (see ``dkim_verify``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email import policy

__all__ = ["DkimSignature", "AuthResult", "Evidence", "evidence_of", "content_key", "parse_dkim", "parse_auth"]

_TAG = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s*=\s*([^;]*)")
_METHOD = re.compile(r"\b(dkim|spf|dmarc|arc)\s*=\s*([A-Za-z]+)", re.IGNORECASE)
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class DkimSignature:
    """One DKIM-Signature: signing domain and selector; ``verified`` is None unless ``--dns`` checked it
    (then ``pass``, or ``fail: why``, or ``error: why``)."""

    domain: str
    selector: str
    verified: str | None = None


@dataclass(frozen=True)
class AuthResult:
    """One Authentication-Results header: who wrote it and its verdicts (``""`` when absent)."""

    authserv_id: str
    dkim: str
    spf: str
    dmarc: str
    raw: str


@dataclass(frozen=True)
class Evidence:
    sha256: str
    content_key: str
    size: int
    dkim: tuple[DkimSignature, ...] = ()
    auth: tuple[AuthResult, ...] = ()
    source: str = ""          # the file the mail was read from
    offset: int | None = None  # byte offset of its ``From `` line in an mbox; None for a single-mail file

    @property
    def position(self) -> str:
        return "whole file" if self.offset is None else f"mbox byte offset {self.offset}"


def _unfold(value: str) -> str:
    return _WS.sub(" ", value).strip()


def parse_dkim(value: str) -> DkimSignature | None:
    tags = {k.lower(): _WS.sub("", v) for k, v in _TAG.findall(_unfold(value))}
    if not tags.get("d") and not tags.get("s"):
        return None
    return DkimSignature(domain=tags.get("d", "").lower(), selector=tags.get("s", ""))


def parse_auth(value: str) -> AuthResult:
    text = _unfold(value)
    head = text.split(";", 1)[0].strip()
    authserv = head.split()[0] if head and "=" not in head.split()[0] else ""
    verdicts: dict[str, str] = {}
    for method, result in _METHOD.findall(text):
        verdicts.setdefault(method.lower(), result.lower())
    return AuthResult(authserv_id=authserv.lower(), dkim=verdicts.get("dkim", ""), spf=verdicts.get("spf", ""),
                      dmarc=verdicts.get("dmarc", ""), raw=text[:2000])


def content_key(data: bytes) -> str:
    """SHA-256 of the body (after the first empty line), CRLF/CR normalised to LF."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = data.find(sep)
        if i >= 0:
            body = data[i + len(sep):]
            break
    else:
        body = b""
    body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip(b"\n")
    return hashlib.sha256(body).hexdigest()


def evidence_of(data: bytes) -> Evidence:
    try:
        msg = BytesHeaderParser(policy=policy.compat32).parsebytes(data)
        dkim_values = [str(v) for v in (msg.get_all("DKIM-Signature") or [])]
        auth_values = [str(v) for v in (msg.get_all("Authentication-Results") or [])]
    except Exception:  # malformed headers: the hash still ties the report to the bytes
        dkim_values, auth_values = [], []
    sigs = tuple(s for s in (parse_dkim(v) for v in dkim_values[:20]) if s is not None)
    return Evidence(sha256=hashlib.sha256(data).hexdigest(), content_key=content_key(data), size=len(data),
                    dkim=sigs, auth=tuple(parse_auth(v) for v in auth_values[:20]))
