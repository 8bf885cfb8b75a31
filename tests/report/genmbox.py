"""Generate an mbox of N small, realistic newsletter-like mails (for the streaming test and the benchmark).

Deterministic for a given N and seed: 12 senders over 12 months, each mail
with an open pixel carrying a per-recipient token (every third one the MD5
of the reader's address), an opaque click wrapper, a link with utm_* and a
per-recipient id, a content image, and a plain-text alternative.
"""

from __future__ import annotations

import hashlib
import random
import sys

READER = "reader@example.org"
SENDERS = [f"news@brand{i}.example" for i in range(12)]


def mail(i: int, rng: random.Random) -> bytes:
    s = i % len(SENDERS)
    sender = SENDERS[s]
    domain = sender.split("@")[1]
    month = 1 + (i * 7 + s) % 12
    day = 1 + i % 28
    token = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(20))
    ident = hashlib.md5(READER.encode()).hexdigest() if i % 3 == 0 else token
    html = (
        f'<html><body><table width="600"><tr><td><img src="https://cdn.{domain}/img/hero{i % 5}.jpg" width="600"></td></tr>'
        f"<tr><td><h1>Offer {i}</h1><p>Dear reader, this week's selection is ready.</p>"
        f'<p><a href="https://click.{domain}/ls/click?upn={token}">Shop now</a></p>'
        f'<p><a href="https://www.{domain}/offers?utm_source=newsletter&amp;utm_campaign=w{i % 52}&amp;mc_eid={token[:10]}">All offers</a></p>'
        f'</td></tr></table><img src="https://t.esp{s % 3}.example/wf/open?upn={ident}" width="1" height="1" alt=""></body></html>'
    )
    text = f"Offer {i}\nShop now: https://www.{domain}/offers\n"
    return (
        f"From: Brand {s} <{sender}>\nTo: {READER}\nSubject: Offer {i} from Brand {s}\n"
        f"Date: {day:02d} {['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'][month - 1]} 2026 08:{i % 60:02d}:00 +0000\n"
        f"Message-ID: <{i}.{token}@{domain}>\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/alternative; boundary="b{i}"\n\n'
        f"--b{i}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
        f"--b{i}\nContent-Type: text/html; charset=utf-8\n\n{html}\n--b{i}--\n"
    ).encode()


def write_mbox(path: str, n: int, seed: int = 7) -> int:
    """Write ``n`` mails to ``path``; returns the file size."""
    rng = random.Random(seed)
    size = 0
    with open(path, "wb") as fh:
        for i in range(n):
            data = mail(i, rng)
            chunk = f"From news@brand{i % 12}.example Mon Jan  5 08:00:00 2026\n".encode() + data + b"\n"
            fh.write(chunk)
            size += len(chunk)
    return size


if __name__ == "__main__":
    print(write_mbox(sys.argv[1], int(sys.argv[2])))
