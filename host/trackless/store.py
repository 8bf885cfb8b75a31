"""The settings store: one JSON file holding the allowlist and the options.

File (``paths.settings_path()``, i.e. ``<user config dir>/settings.json``)::

    {
      "format": 1,
      "allowlist": {
        "brand.example": {"images": true, "keep_links": false, "added": "2026-11-26"}
      },
      "options": {"dns_uncloaking": false, "request_timeout_ms": 5000}
    }

Guarantees (the user's file is never lost):

- Writes are atomic: a temp file in the same directory, ``fsync``, ``rename``
  over the old file, ``fsync`` of the directory.
- Writers in several processes (the host and ``trackless allow``) do their
  read-modify-write under an exclusive lock on ``settings.json.lock``
  (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows): no lost update.
- A file that cannot be parsed, or that does not match the schema, is never
  overwritten: every read raises ``StoreCorrupt`` naming the file and how to
  recover, and writes are refused until the user fixes or moves it.
- A missing file reads as the defaults; it is created on the first write.
- Only a regular file of at most ``MAX_FILE_BYTES`` (4 MiB) nested at most
  ``boundedjson.MAX_DEPTH`` levels is read: a FIFO, a device (a symlink to
  ``/dev/zero``), a bigger or deeper file is ``StoreCorrupt`` naming it,
  never a hang, an unbounded read or a RecursionError.
- A settings file that is a symlink stays one: its target is replaced.
- Unknown top-level keys and unknown options (from a newer Trackless) are
  kept as they are on write.

Readers do not lock: a rename is atomic, so a reader sees the old file or the
new one. The host re-reads the file for every request that needs it, so a
``trackless allow`` in a terminal takes effect on the next mail.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from . import boundedjson
from .errors import StoreCorrupt, StoreError

__all__ = ["Store", "Settings", "AllowEntry", "Option", "OPTIONS", "FORMAT", "validate_option"]

#: Version of the file layout. A file with a higher number is refused (read-only).
FORMAT = 1
#: Largest settings file read (an allowlist of ~40,000 domains); a bigger one is refused.
MAX_FILE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Option:
    """One validated option: its type, default and (for ints) inclusive range."""

    type: type
    default: object
    help: str
    minimum: int | None = None
    maximum: int | None = None


#: The options the store knows, name -> Option. Append new options here.
OPTIONS: dict[str, Option] = {
    "dns_uncloaking": Option(bool, False, "check image and link hosts for CNAMEs to known trackers (DNS queries)"),
    "resolve_allow_private": Option(bool, False, "let 'resolve' follow redirects to loopback/private addresses"),
    "request_timeout_ms": Option(int, 5000, "timeout of one network request, in milliseconds", 100, 60_000),
    "max_redirects": Option(int, 10, "redirects followed when resolving an opaque link", 0, 30),
    "image_max_bytes": Option(int, 5 * 1024 * 1024, "largest allowed image the helper fetches, in bytes", 1024, 50 * 1024 * 1024),
    "sender_images": Option(bool, False, "show images from the sender's own domain when your provider authenticated "
                            "the sender (DKIM/DMARC); trackers stay blocked"),
}


def validate_option(name: str, value: object) -> object:
    """Return ``value`` if it is valid for option ``name``; raise ``ValueError`` otherwise."""
    opt = OPTIONS.get(name)
    if opt is None:
        raise ValueError(f"unknown option {name!r} (known: {', '.join(sorted(OPTIONS))})")
    if opt.type is bool:
        if not isinstance(value, bool):
            raise ValueError(f"option {name!r} must be true or false, not {value!r}")
    elif opt.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"option {name!r} must be an integer, not {value!r}")
        if (opt.minimum is not None and value < opt.minimum) or (opt.maximum is not None and value > opt.maximum):
            raise ValueError(f"option {name!r} must be between {opt.minimum} and {opt.maximum}, not {value}")
    elif not isinstance(value, opt.type):  # pragma: no cover - no such option yet
        raise ValueError(f"option {name!r} must be a {opt.type.__name__}")
    return value


@dataclass(frozen=True)
class AllowEntry:
    """What is allowed for one registrable domain."""

    images: bool = True
    keep_links: bool = False
    added: str = ""

    def to_dict(self) -> dict:
        return {"images": self.images, "keep_links": self.keep_links, "added": self.added}


@dataclass(frozen=True)
class Settings:
    """A parsed settings file: allowlist (domain -> entry) and all options (defaults filled in)."""

    allowlist: Mapping[str, AllowEntry] = field(default_factory=lambda: MappingProxyType({}))
    options: Mapping[str, object] = field(
        default_factory=lambda: MappingProxyType({k: o.default for k, o in OPTIONS.items()})
    )

    @property
    def image_domains(self) -> tuple[str, ...]:
        """Domains whose images may be shown (the ``allow`` of ``trackless.sanitize``)."""
        return tuple(sorted(d for d, e in self.allowlist.items() if e.images))

    @property
    def keep_link_domains(self) -> tuple[str, ...]:
        """Domains whose links are left unmodified (the ``keep_links`` of ``trackless.sanitize``)."""
        return tuple(sorted(d for d, e in self.allowlist.items() if e.keep_links))

    def allowlist_dict(self) -> dict:
        return {d: e.to_dict() for d, e in sorted(self.allowlist.items())}

    def to_dict(self) -> dict:
        return {"allowlist": self.allowlist_dict(), "options": dict(self.options)}


def _recovery(path: Path) -> str:
    return (
        f"Trackless will not change this file. To recover, fix it by hand, or move it aside "
        f"(e.g. rename it to {path.name}.broken) and Trackless starts again from the defaults."
    )


def _is_domain_key(key: object) -> bool:
    return (
        isinstance(key, str)
        and 0 < len(key) <= 253
        and key == key.lower()
        and key.isascii()
        and all(lab and all(c.isalnum() or c == "-" for c in lab) for lab in key.split("."))
    )


def _parse(raw_bytes: bytes, path: Path) -> tuple[dict, Settings]:
    """Parse and validate the file's bytes; raise ``StoreCorrupt`` on anything unexpected."""

    def corrupt(why: str) -> StoreCorrupt:
        return StoreCorrupt(f"the settings file {path} cannot be used: {why}. {_recovery(path)}")

    try:
        raw = boundedjson.loads(raw_bytes.decode("utf-8"))
    except boundedjson.TooDeep as exc:
        raise corrupt(f"its JSON is {exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise corrupt(f"it is not valid UTF-8 JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise corrupt("it is not a JSON object")
    fmt = raw.get("format", FORMAT)
    if isinstance(fmt, bool) or not isinstance(fmt, int):
        raise corrupt("'format' is not an integer")
    if fmt > FORMAT:
        raise corrupt(f"it was written by a newer Trackless (format {fmt}, this one reads {FORMAT})")
    allow_raw = raw.get("allowlist", {})
    if not isinstance(allow_raw, dict):
        raise corrupt("'allowlist' is not an object")
    allowlist = {}
    for domain, entry in allow_raw.items():
        if not _is_domain_key(domain):
            raise corrupt(f"allowlist key {domain!r} is not a lower-case ASCII domain")
        if not isinstance(entry, dict):
            raise corrupt(f"allowlist entry {domain!r} is not an object")
        images, keep, added = entry.get("images", True), entry.get("keep_links", False), entry.get("added", "")
        if not isinstance(images, bool) or not isinstance(keep, bool) or not isinstance(added, str):
            raise corrupt(f"allowlist entry {domain!r} has a value of the wrong type")
        allowlist[domain] = AllowEntry(images=images, keep_links=keep, added=added)
    opts_raw = raw.get("options", {})
    if not isinstance(opts_raw, dict):
        raise corrupt("'options' is not an object")
    options = {k: o.default for k, o in OPTIONS.items()}
    for name, value in opts_raw.items():
        if name in OPTIONS:
            try:
                options[name] = validate_option(name, value)
            except ValueError as exc:
                raise corrupt(str(exc)) from None
    return raw, Settings(allowlist=MappingProxyType(allowlist), options=MappingProxyType(options))


class Store:
    """The settings file at ``path`` (default: ``paths.settings_path()``).

    ``today`` gives the date written into new allowlist entries (injected for tests).
    """

    def __init__(self, path: Path | str | None = None, *, today: Callable[[], _dt.date] = _dt.date.today):
        if path is None:
            from .paths import settings_path

            path = settings_path()
        self.path = Path(path)
        self._today = today

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    # -- reading ------------------------------------------------------------

    def _read_raw(self) -> tuple[dict, Settings]:
        try:
            data = _read_bounded(self.path)
        except FileNotFoundError:
            return {"format": FORMAT, "allowlist": {}, "options": {}}, Settings()
        except IsADirectoryError:
            raise StoreCorrupt(f"the settings file {self.path} is a directory. {_recovery(self.path)}") from None
        except OSError as exc:
            raise StoreError(f"cannot read the settings file {self.path}: {exc.strerror or exc}") from None
        return _parse(data, self.path)

    def load(self) -> Settings:
        """The current settings; defaults if the file does not exist; ``StoreCorrupt`` if unusable."""
        return self._read_raw()[1]

    # -- writing ------------------------------------------------------------

    def update(self, change: Callable[[dict], object]) -> tuple[object, Settings]:
        """Read-modify-write under the lock.

        ``change`` receives a deep copy of the file's raw JSON object and edits
        it in place; its return value is passed back with the new settings.
        Nothing is written if the current file is unusable, ``change`` raises
        or changes nothing.
        """
        with self._locked():
            original, current = self._read_raw()
            raw = copy.deepcopy(original)
            value = change(raw)
            if raw == original:  # nothing changed: no write (and no file created)
                return value, current
            raw["format"] = FORMAT
            data = (json.dumps(raw, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
            _, settings = _parse(data, self.path)  # never write what we could not read back
            self._write_atomic(data)
        return value, settings

    def add(self, domain: str, *, images: bool = True, keep_links: bool = False) -> tuple[str, AllowEntry]:
        """Allow ``domain`` (normalised to its registrable domain); returns (domain, entry).

        Raises ``ValueError`` for an invalid domain. An existing entry keeps its date.
        """
        from .domains import normalize_domain

        name = normalize_domain(domain)
        today = self._today().isoformat()

        def change(raw: dict):
            allow = raw.setdefault("allowlist", {})
            old = allow.get(name) if isinstance(allow.get(name), dict) else {}
            allow[name] = {"images": bool(images), "keep_links": bool(keep_links), "added": old.get("added") or today}

        _, settings = self.update(change)
        return name, settings.allowlist[name]

    def remove(self, domain: str) -> tuple[str, bool]:
        """Remove ``domain`` from the allowlist; returns (normalised domain, whether it was there)."""
        name = _normalize_for_removal(domain)

        def change(raw: dict) -> bool:
            return raw.setdefault("allowlist", {}).pop(name, None) is not None

        removed, _ = self.update(change)
        return name, bool(removed)

    def set_options(self, changes: Mapping[str, object]) -> Settings:
        """Set several options at once, all validated first (all or nothing)."""
        checked = {name: validate_option(name, value) for name, value in changes.items()}

        def change(raw: dict):
            raw.setdefault("options", {}).update(checked)

        return self.update(change)[1]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(f"cannot write the settings in {self.path.parent}: {exc.strerror or exc}") from None
        try:
            _lock(fd)
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)

    def _write_atomic(self, data: bytes) -> None:
        # A symlinked settings file (dotfile managers) stays a symlink: write its target.
        target = Path(os.path.realpath(self.path)) if self.path.is_symlink() else self.path
        folder = target.parent
        try:
            fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise StoreError(f"cannot write the settings in {folder}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            _replace(tmp, target)
        except OSError as exc:
            _silent_unlink(tmp)
            raise StoreError(f"cannot write the settings file {target}: {exc.strerror or exc}") from None
        except BaseException:
            _silent_unlink(tmp)
            raise
        _fsync_dir(folder)


def _read_bounded(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``MAX_FILE_BYTES``; else ``StoreCorrupt``.

    Opened non-blocking (a FIFO does not hang the open), checked with ``fstat``
    on the open descriptor (no race with a rename), read up to the cap plus one
    byte (a file growing while it is read is still refused).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    with open(os.open(path, flags), "rb") as fh:
        info = os.fstat(fh.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            raise StoreCorrupt(f"the settings file {path} is not a regular file ({_kind(info.st_mode)}). "
                               f"{_recovery(path)}")
        data = b"" if info.st_size > MAX_FILE_BYTES else fh.read(MAX_FILE_BYTES + 1)
        if info.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
            raise StoreCorrupt(f"the settings file {path} is larger than {MAX_FILE_BYTES} bytes. {_recovery(path)}")
        return data


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a file"


def _normalize_for_removal(domain: str) -> str:
    from .domains import normalize_domain

    try:
        return normalize_domain(domain)
    except ValueError:
        return domain.strip().rstrip(".").lower()  # lets a hand-written odd key be removed


def _silent_unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _replace(src: str, dst: Path) -> None:
    if os.name != "nt":
        os.replace(src, dst)
        return
    # Windows refuses to replace a file another process has open for reading; retry briefly.
    for attempt in range(50):  # pragma: no cover - Windows only
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt == 49:
                raise
            time.sleep(0.02)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - directories cannot be fsynced on Windows
        return
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


if os.name == "nt":  # pragma: no cover - Windows only

    def _lock(fd: int) -> None:
        import msvcrt

        deadline = time.monotonic() + 30
        while True:
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise StoreError("the settings file is locked by another Trackless process") from None
                time.sleep(0.01)

    def _unlock(fd: int) -> None:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:

    def _lock(fd: int) -> None:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
