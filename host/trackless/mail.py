"""Reading a mail (RFC 5322 bytes) into what the core needs. Pure: bytes in.

``parse_message(data)`` returns a ``Mail``: its HTML part decoded to str,
its plain-text part, the sender and recipient addresses, and the headers a
report cares about (read receipts, List-Unsubscribe, Message-ID, Date).
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr

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


# boundary="abc with no closing quote (seen in real mail): Thunderbird reads abc
_UNCLOSED_BOUNDARY = re.compile(rb'(?i)(\bboundary[ \t]*=[ \t]*)"([^"\r\n;]+)(?=[\r\n;])')


def _boundary_not_found(msg) -> bool:
    return any(type(d).__name__ == "StartBoundaryNotFoundDefect" for part in msg.walk() for d in part.defects)


def parse_message(data: bytes) -> Mail:
    """Parse RFC 5322 bytes. Raises ``InputError`` when it is not a mail at all."""
    if not data.strip():
        raise InputError("the mail is empty")
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    if _boundary_not_found(msg):
        fixed = _UNCLOSED_BOUNDARY.sub(rb'\1"\2"', data)
        if fixed != data:
            msg = email.message_from_bytes(fixed, policy=email.policy.compat32)
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
    sender = parseaddr(_header(msg, "From"))[1].lower() or None
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


def _decode_words(value: str) -> str:
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return value


#: Labels the HTML standard decodes as windows-1252 (a superset); utf-16 in a <meta> means utf-8 (HTML spec).
_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                   "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252",
                   "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8"}
_C1 = "trackless-windows-1252"  # the 5 bytes cp1252 leaves undefined decode to U+0081... as in the HTML standard
codecs.register_error(_C1, lambda exc: (chr(exc.object[exc.start]), exc.start + 1))
_PRESCAN_BYTES = 4096  # the HTML standard's prescan looks at 1024 bytes; a little more for long <head>s


def decode_html_bytes(data: bytes) -> str:
    """Decode an .html file the way a browser does: BOM, then the declared charset, then UTF-8.

    The declaration (``<meta charset>``, ``<meta http-equiv="Content-Type">``
    or an XML declaration) is found by bs4's ``EncodingDetector`` in the
    first bytes only. Without a BOM or a declaration the bytes must be UTF-8;
    a declared charset the bytes do not fit, or an unknown one, is an error
    that names it (nothing is guessed silently).
    """
    from bs4.dammit import EncodingDetector

    body, bom = EncodingDetector.strip_byte_order_mark(data)
    if bom:
        try:
            return body.decode(bom)
        except UnicodeDecodeError as exc:
            name = bom.upper().replace("LE", "").replace("BE", "")
            raise InputError(f"the file starts like {name} (a byte-order mark) but is not valid {name} (byte {exc.start})") from exc
    declared = EncodingDetector.find_declared_encoding(data[:_PRESCAN_BYTES], is_html=True)
    encoding = _WHATWG_ALIASES.get((declared or "utf-8").strip().lower(), (declared or "utf-8").strip().lower())
    try:
        "".encode(encoding)
    except LookupError:
        raise InputError(f"the file declares the unknown charset {declared!r}") from None
    try:
        return data.decode(encoding, errors=_C1 if encoding == "cp1252" else "strict")
    except UnicodeDecodeError as exc:
        what = f"valid {declared}, the charset it declares" if declared else "valid UTF-8 (and declares no charset)"
        raise InputError(f"the file is not {what} (byte {exc.start}: {data[exc.start:exc.start + 1]!r})") from exc
