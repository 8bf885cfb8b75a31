"""Reading a mail (RFC 5322 bytes) into what the core needs. Pure: bytes in.

``parse_message(data)`` returns a ``Mail``: its HTML part decoded to str,
its plain-text part, the sender and recipient addresses, and the headers a
report cares about (read receipts, List-Unsubscribe, Message-ID, Date).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.utils import getaddresses

from .errors import InputError, NoHtmlError

__all__ = ["Mail", "parse_message", "decode_html_bytes", "READ_RECEIPT_HEADERS"]

#: Headers that ask the client to confirm reading (reported, never honoured).
READ_RECEIPT_HEADERS = ("Disposition-Notification-To", "Return-Receipt-To", "X-Confirm-Reading-To")


@dataclass(frozen=True)
class Mail:
    """A parsed mail.

    html: the first text/html part, decoded (None if the mail has none).
    text: the first text/plain part, decoded (None if none).
    sender: the From address (lower-case) or None.
    recipients: To, Cc and Delivered-To addresses (lower-case, unique).
    subject, date, message_id: header values ("" when absent).
    read_receipts: names of read-receipt headers present.
    list_unsubscribe: the List-Unsubscribe header ("" when absent).
    damage: what is wrong with the mail as a file (truncated MIME structure,
    a damaged base64 body), in words; empty for a sound mail.
    """

    html: str | None
    text: str | None
    sender: str | None
    recipients: tuple[str, ...]
    subject: str = ""
    date: str = ""
    message_id: str = ""
    read_receipts: tuple[str, ...] = ()
    list_unsubscribe: str = ""
    damage: tuple[str, ...] = ()

    def require_sound(self) -> "Mail":
        """This mail, or ``InputError`` when it is truncated or damaged."""
        if self.damage:
            raise InputError("the mail is damaged: " + "; ".join(self.damage))
        return self

    def require_html(self) -> str:
        if self.html is None:
            raise NoHtmlError("the mail has no HTML part" + (" (it is plain text)" if self.text is not None else ""))
        return self.html


def _part_text(part) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _header(msg, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # malformed header: the email package raises various errors
        return ""
    return str(value).strip() if value is not None else ""


def parse_message(data: bytes) -> Mail:
    """Parse RFC 5322 bytes. Raises ``InputError`` when it is not a mail at all."""
    if not data.strip():
        raise InputError("the mail is empty")
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    if not msg.keys() and not msg.get_payload():
        raise InputError("not a mail: no headers found")
    html = text = None
    damage: list[str] = []
    for part in msg.walk():
        if any(type(d).__name__ == "CloseBoundaryNotFoundDefect" for d in part.defects):
            damage.append("it is truncated (a MIME part never ends)")
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if (ctype == "text/html" and html is None) or (ctype == "text/plain" and text is None):
            body = _part_text(part)
            bad = [type(d).__name__ for d in part.defects if type(d).__name__.startswith("InvalidBase64")]
            if bad:
                damage.append(f"its {ctype} part has damaged base64 ({', '.join(bad)})")
            if ctype == "text/html":
                html = body
            else:
                text = body
    if not msg.keys():
        raise InputError("not a mail: no headers found")
    sender = sender_address(_header(msg, "From"))
    rcpt_headers = [_header(msg, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To")]
    recipients = tuple(dict.fromkeys(a.lower() for _, a in getaddresses([h for h in rcpt_headers if h]) if "@" in a))
    return Mail(
        html=html,
        text=text,
        sender=sender,
        recipients=recipients,
        subject=_decode_words(_header(msg, "Subject")),
        date=_header(msg, "Date"),
        message_id=_header(msg, "Message-ID"),
        read_receipts=tuple(h for h in READ_RECEIPT_HEADERS if _header(msg, h)),
        list_unsubscribe=_header(msg, "List-Unsubscribe"),
        damage=tuple(dict.fromkeys(damage)),
    )


_ADDR_SPEC = re.compile(r"[^\s<>@,;:\"()\[\]]+@[^\s<>@,;:\"()\[\]]+\.[^\s<>@,;:\"()\[\]]+")


def sender_address(value: str) -> str | None:
    """The address actually present in a From header, lower case, or None.

    A malformed display name (``Microsoft account team ,_<no-reply@x.example>``:
    the comma splits it) makes ``parseaddr`` return a word of the name as the
    address; the first item that is an address (has an ``@``) is taken, else
    the first addr-spec found in the text."""
    if not value:
        return None
    for _name, addr in getaddresses([value]):
        if "@" in addr:
            return addr.strip().lower()
    m = _ADDR_SPEC.search(value)
    return m.group(0).lower() if m else None


def _decode_words(value: str) -> str:
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return value


def decode_html_bytes(data: bytes) -> str:
    """Decode an .html file: BOM, then strict UTF-8; anything else is an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"the file starts like UTF-16 but is not valid UTF-16 (byte {exc.start})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r})") from exc
