"""``--bundle DIR``: a complaint file someone else can check.

DIR holds ``report.FORMAT``, ``mails/NNNNN.eml`` (the original bytes of the
mail numbered NNNNN in the report, read again from its source and checked
against the SHA-256 the report gives) and ``MANIFEST.sha256`` (the format of
``sha256sum``, so ``cd DIR && sha256sum -c MANIFEST.sha256`` checks it all).

The bundle is built in a temporary directory beside DIR and renamed into
place at the end: DIR is either complete or absent. With ``--redact`` the
original mails are left out (see commands/report.py for why); the manifest
then covers the report alone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from typing import Iterable

from ..errors import InputError
from .evidence import Evidence
from .sources import read_raw

__all__ = ["start", "add_mails", "finish", "abort", "MANIFEST"]

MANIFEST = "MANIFEST.sha256"


def start(target: str) -> str:
    """Create and return the temporary directory the bundle is built in."""
    parent = os.path.dirname(os.path.abspath(target)) or "."
    tmp = os.path.join(parent, f".{os.path.basename(os.path.abspath(target))}.{os.getpid()}.tmp")
    os.makedirs(os.path.join(tmp, "mails"), mode=0o700)
    return tmp


def add_mails(tmp: str, cited: Iterable[tuple[int, Evidence]]) -> int:
    """Copy each cited mail's original bytes into ``tmp/mails``; a mail whose bytes no longer match the
    report's hash (the mailbox changed during the run) stops the bundle with ``InputError``."""
    n = 0
    for index, ev in cited:
        data = read_raw(ev.source, ev.offset)
        if hashlib.sha256(data).hexdigest() != ev.sha256:
            raise InputError(f"{ev.source} ({ev.position}) changed while the report was written; "
                             "run the report again")
        with open(os.path.join(tmp, "mails", f"{index:05d}.eml"), "xb") as fh:
            fh.write(data)
        n += 1
    return n


def _manifest_lines(tmp: str) -> list[str]:
    lines = []
    for root, _dirs, files in os.walk(tmp):
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, tmp).replace(os.sep, "/")
            if rel == MANIFEST:
                continue
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            lines.append(f"{h.hexdigest()}  {rel}")
    return sorted(lines, key=lambda line: (not line[66:].startswith("report."), line[66:]))


def finish(tmp: str, target: str) -> None:
    """Write the manifest and move the bundle into place."""
    with open(os.path.join(tmp, MANIFEST), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(_manifest_lines(tmp)) + "\n")
    mails = os.path.join(tmp, "mails")
    if not os.listdir(mails):
        os.rmdir(mails)
    if os.path.isdir(target) and not os.listdir(target):
        os.rmdir(target)
    os.rename(tmp, target)


def abort(tmp: str) -> None:
    shutil.rmtree(tmp, ignore_errors=True)
