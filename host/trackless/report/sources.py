"""Walking mail sources: .eml files, mbox files, Maildir folders, directories.

``iter_sources(paths)`` yields, in a deterministic order, one ``RawMail``
(origin label + raw bytes) per mail found, or one ``SourceError`` per thing
that could not be read. It never loads more than one mail at a time:

- mbox files are read line by line and split on ``From `` lines (at the start
  of the file or after an empty line); ``>From `` escaping is undone the
  mboxrd way (one ``>`` removed from ``>+From ``), which is also right for
  the common mboxo files of Thunderbird and mutt. ``mailbox.mbox`` is not
  used: it indexes the whole file first.
- Maildir folders (a directory with ``cur`` and ``new``) give one mail per
  file in ``new`` then ``cur`` (sorted); Maildir++ sub-folders (``.Name``) are
  walked too; ``tmp`` is not (mails there are still being delivered).
- Other directories are walked recursively (sorted, symlink loops skipped);
  each file is sniffed: ``From `` at the start is an mbox, a first line
  shaped like a header (a field name of letters, digits and ``-``, then
  ``:``; or a ``.eml`` name) is a single mail. Anything else found while
  walking a directory is not mail and is ignored silently (Thunderbird's
  ``logins.json``, ``folderTree.json``, ``.msf`` indexes, Dovecot/Courier
  indexes, ``.DS_Store``), as are empty files (Thunderbird's empty Trash or
  Unsent Messages folders) and mbox files holding no message.
- A file named on the command line is always read: sniffed as mbox or mail.

Origins: ``path`` for a single mail, ``path#N`` for the N-th mail (1-based)
of an mbox. ``RawMail.path`` and ``RawMail.offset`` (the byte offset of the
mail's ``From `` line in its mbox; None for a single-mail file) are the
evidence of where the mail was found.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Iterator

__all__ = [
    "RawMail", "SourceError", "iter_sources", "split_mbox", "total_bytes", "read_raw",
    "MAX_MAIL_BYTES",
]

#: A single mail above this size is skipped with a ``too_large`` error.
MAX_MAIL_BYTES = 64 * 1024 * 1024

_MAX_LINE = 1 << 20  # lines are read in pieces of at most this many bytes
_HEADER_LINE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9-]*[ \t]*:")
_ESCAPED_FROM = re.compile(rb"^>+From ")
_IGNORED_NAMES = {".ds_store", "maildirfolder", "dovecot-uidlist", "dovecot-keywords", "dovecot.index",
                  "dovecot.index.log", "dovecot.index.cache", "courierimapuiddb", "courierimapkeywords",
                  "thumbs.db", "desktop.ini"}
_IGNORED_SUFFIXES = (".msf", ".index", ".lock", ".summary", ".cmeta", ".ibex.index", ".ev-summary", ".json",
                     ".sqlite", ".sqlite-wal", ".sqlite-shm", ".dat")


@dataclass(frozen=True)
class RawMail:
    """One mail as found: where it came from and its raw RFC 5322 bytes."""

    origin: str
    data: bytes
    path: str = field(default="", compare=False)
    offset: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SourceError:
    """Something that could not be read. ``code`` is one of ``errors.ERROR_CODES``."""

    origin: str
    code: str
    message: str


def _is_from_line(line: bytes) -> bool:
    return line.startswith(b"From ")


def _unescape(line: bytes) -> bytes:
    if line.startswith(b">") and _ESCAPED_FROM.match(line):
        return line[1:]
    return line


def _is_blank(line: bytes) -> bool:
    return line in (b"\n", b"\r\n", b"\r", b"")


def split_mbox(stream: BinaryIO, origin: str, *, max_bytes: int = MAX_MAIL_BYTES) -> Iterator[RawMail | SourceError]:
    """Split an mbox stream into mails, one at a time.

    A message starts at a ``From `` line that is the first line or follows an
    empty line. The empty line before the next ``From `` line is the
    separator and is not part of the mail. Text before the first ``From ``
    line means the file is not an mbox: that is reported once.
    """
    lines: list[bytes] = []
    size = 0
    too_big = False
    n = 0
    prev_blank = True
    started = False
    pending_blank: bytes | None = None  # a blank line held back: separator or content
    pos = 0  # bytes read so far
    start = 0  # offset of the current message's From line

    def flush():
        nonlocal lines, size, too_big
        label = f"{origin}#{n}"
        if too_big:
            out: RawMail | SourceError = SourceError(label, "too_large", f"the mail is larger than {max_bytes // (1024 * 1024)} MiB; skipped")
        elif not any(not _is_blank(l) for l in lines):
            out = SourceError(label, "bad_input", "empty message in mbox")
        else:
            out = RawMail(label, b"".join(lines), path=origin, offset=start)
        lines = []
        size = 0
        too_big = False
        return out

    at_line_start = True
    while True:
        line = stream.readline(_MAX_LINE)
        if not line:
            break
        line_start = pos
        pos += len(line)
        piece_at_start = at_line_start
        at_line_start = line.endswith(b"\n")
        if not piece_at_start:  # the rest of an over-long line: plain content
            prev_blank = False
            if started and not too_big:
                size += len(line)
                if size > max_bytes:
                    too_big = True
                    lines = []
                else:
                    lines.append(line)
            continue
        if _is_from_line(line) and prev_blank:
            if started:
                yield flush()
            started = True
            n += 1
            start = line_start
            pending_blank = None
            prev_blank = False
            continue
        if not started:
            if _is_blank(line):
                continue
            yield SourceError(origin, "bad_input", "not an mbox: it does not start with a 'From ' line")
            return
        if pending_blank is not None:
            if not too_big:
                lines.append(pending_blank)
            pending_blank = None
        if _is_blank(line):
            pending_blank = line
            prev_blank = True
            continue
        prev_blank = False
        if too_big:
            continue
        line = _unescape(line)
        size += len(line)
        if size > max_bytes:
            too_big = True
            lines = []
            continue
        lines.append(line)
    if started:
        yield flush()


def _read_one(path: str, max_bytes: int) -> RawMail | SourceError:
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return SourceError(path, "bad_input", f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return SourceError(path, "too_large", f"the mail is larger than {max_bytes // (1024 * 1024)} MiB; skipped")
    if not data.strip():
        return SourceError(path, "bad_input", "empty file")
    return RawMail(path, data, path=path)


def _sniff(path: str) -> str:
    """'mbox', 'mail' or 'other' from the first bytes of a file ('' if unreadable)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return ""
    stripped = head.lstrip(b"\r\n")
    if stripped.startswith(b"From "):
        return "mbox"
    if _HEADER_LINE.match(stripped):
        return "mail"
    return "other"


def _read_file(path: str, explicit: bool, max_bytes: int) -> Iterator[RawMail | SourceError]:
    kind = _sniff(path)
    if kind == "mbox":
        try:
            fh = open(path, "rb")
        except OSError as exc:
            yield SourceError(path, "bad_input", f"cannot read: {exc.strerror or exc}")
            return
        with fh:
            try:
                yield from split_mbox(fh, path, max_bytes=max_bytes)
            except OSError as exc:
                yield SourceError(path, "bad_input", f"read error in mbox: {exc.strerror or exc}")
        return
    if kind == "" and not explicit:
        yield _read_one(path, max_bytes)  # gives the OSError message
        return
    if kind == "other" and not explicit and not path.lower().endswith(".eml"):
        return  # not mail (or empty): silently ignored while walking a directory
    yield _read_one(path, max_bytes)


def _is_maildir(path: str) -> bool:
    return os.path.isdir(os.path.join(path, "cur")) and os.path.isdir(os.path.join(path, "new"))


def _ignored(name: str) -> bool:
    low = name.lower()
    return low in _IGNORED_NAMES or low.endswith(_IGNORED_SUFFIXES) or low.startswith("dovecot.")


def _listdir(path: str) -> tuple[list[str] | None, SourceError | None]:
    try:
        return sorted(os.listdir(path)), None
    except OSError as exc:
        return None, SourceError(path, "bad_input", f"cannot list directory: {exc.strerror or exc}")


def _walk_dir(path: str, seen: set, max_bytes: int) -> Iterator[RawMail | SourceError]:
    try:
        st = os.stat(path)
    except OSError as exc:
        yield SourceError(path, "bad_input", f"cannot read: {exc.strerror or exc}")
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return
    seen.add(key)
    names, err = _listdir(path)
    if err:
        yield err
        return
    assert names is not None
    if _is_maildir(path):
        for sub in ("new", "cur"):
            d = os.path.join(path, sub)
            files, err = _listdir(d)
            if err:
                yield err
                continue
            assert files is not None
            for name in files:
                if name.startswith("."):
                    continue
                p = os.path.join(d, name)
                if os.path.isfile(p):
                    yield _read_one(p, max_bytes)
        names = [n for n in names if n not in ("cur", "new", "tmp")]
    for name in names:
        p = os.path.join(path, name)
        try:
            mode = os.stat(p).st_mode
        except OSError as exc:
            yield SourceError(p, "bad_input", f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            yield from _walk_dir(p, seen, max_bytes)
        elif stat.S_ISREG(mode):
            if _ignored(name):
                continue
            yield from _read_file(p, False, max_bytes)


def iter_sources(paths: Iterable[str], *, max_bytes: int = MAX_MAIL_BYTES) -> Iterator[RawMail | SourceError]:
    """Every mail under ``paths`` (files or directories), one at a time, in order."""
    seen: set = set()
    for path in paths:
        path = os.fspath(path)
        if os.path.isdir(path):
            yield from _walk_dir(path, seen, max_bytes)
        elif os.path.exists(path):
            if not os.path.isfile(path):
                yield SourceError(path, "bad_input", "not a regular file or directory")
                continue
            yield from _read_file(path, True, max_bytes)
        else:
            yield SourceError(path, "bad_input", "no such file or directory")


def total_bytes(paths: Iterable[str]) -> int:
    """Total size of the regular files under ``paths`` (for a progress estimate)."""
    total = 0
    seen: set = set()
    stack = [os.fspath(p) for p in paths]
    while stack:
        p = stack.pop()
        try:
            st = os.stat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            total += st.st_size
        elif stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            try:
                names = os.listdir(p)
            except OSError:
                continue
            stack.extend(os.path.join(p, n) for n in names if n != "tmp" and not _ignored(n))
    return total


def read_raw(path: str, offset: int | None, *, max_bytes: int = MAX_MAIL_BYTES) -> bytes:
    """The raw bytes of one mail as ``iter_sources`` gave them: the whole file, or the mail whose
    ``From `` line is at ``offset`` in an mbox. Raises ``OSError`` when it cannot be read again."""
    if offset is None:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise OSError(f"{path}: larger than {max_bytes} bytes")
        return data
    with open(path, "rb") as fh:
        fh.seek(offset)
        for item in split_mbox(fh, path, max_bytes=max_bytes):
            if isinstance(item, RawMail):
                return item.data
            break
    raise OSError(f"{path}: no mail at byte offset {offset}")
