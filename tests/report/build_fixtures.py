"""Build the mbox and Maildir forms of the fixture mailbox from its .eml files.

    .venv/bin/python tests/report/build_fixtures.py

The .eml files in fixtures/eml/ are the source of truth (written by hand);
fixtures/mailbox.mbox and fixtures/Maildir/ are derived from them here and
committed. tests/report/test_sources.py checks they stay in sync.
The mbox is written the way Thunderbird and mutt write one (mboxrd quoting:
a body line matching ``>*From `` gets one more ``>``), so the fixture also
exercises the unescaping.
"""

from __future__ import annotations

import email
import email.utils
import os
import re
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
EML = os.path.join(FIXTURES, "eml")


def eml_files() -> list[str]:
    return sorted(f for f in os.listdir(EML) if f.endswith(".eml"))


def from_line(data: bytes) -> bytes:
    msg = email.message_from_bytes(data)
    sender = email.utils.parseaddr(msg.get("From", ""))[1] or "MAILER-DAEMON"
    ts = email.utils.parsedate_to_datetime(msg["Date"]).timestamp()
    return f"From {sender} {time.asctime(time.gmtime(ts))}\n".encode("ascii")


def mbox_bytes() -> bytes:
    out = []
    for name in eml_files():
        with open(os.path.join(EML, name), "rb") as fh:
            data = fh.read()
        body = re.sub(rb"(?m)^(>*From )", rb">\1", data)
        if not body.endswith(b"\n"):
            body += b"\n"
        out.append(from_line(data) + body + b"\n")
    return b"".join(out)


def maildir_files() -> dict[str, bytes]:
    files = {}
    for i, name in enumerate(eml_files(), 1):
        with open(os.path.join(EML, name), "rb") as fh:
            files[f"cur/{1790000000 + i}.M{i}P4242.fixture:2,S"] = fh.read()
    return files


def build() -> None:
    with open(os.path.join(FIXTURES, "mailbox.mbox"), "wb") as fh:
        fh.write(mbox_bytes())
    md = os.path.join(FIXTURES, "Maildir")
    shutil.rmtree(md, ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub))
    open(os.path.join(md, "new", ".gitkeep"), "wb").close()
    # a half-delivered mail in tmp/ must be ignored, as must Dovecot's index file
    with open(os.path.join(md, "tmp", "1790000099.M99P4242.fixture"), "wb") as fh:
        fh.write(b"From: half@delivered.example\n\nnot yet delivered\n")
    with open(os.path.join(md, "dovecot-uidlist"), "wb") as fh:
        fh.write(b"3 V1790000000 N9\n")
    for rel, data in maildir_files().items():
        with open(os.path.join(md, rel), "wb") as fh:
            fh.write(data)


if __name__ == "__main__":
    build()
    print(f"wrote {FIXTURES}/mailbox.mbox and {FIXTURES}/Maildir/", file=sys.stderr)
