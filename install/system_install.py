#!/usr/bin/env python3
"""System-wide files of a Trackless install, for distribution packagers (``make install``).

``make install`` first lets pip put the package under ``DESTDIR/PREFIX``
(``PREFIX/bin/trackless``, ``PREFIX/bin/trackless-host``, the package with its
rule data), then runs this script, which writes:

- the native-messaging manifest ``DESTDIR/NATIVE_HOSTS_DIR/trackless.json``
  naming ``PREFIX/bin/trackless-host`` (Thunderbird, like Firefox, reads
  ``/usr/lib/mozilla/native-messaging-hosts/`` on Linux, and
  ``/usr/lib64/mozilla/native-messaging-hosts/`` in 64-bit builds of some
  distributions: pass that as NATIVE_HOSTS_DIR there);
- shell completions: ``DATADIR/bash-completion/completions/trackless``,
  ``DATADIR/zsh/site-functions/_trackless``,
  ``DATADIR/fish/vendor_completions.d/trackless.fish``;
- the add-on, built reproducibly: ``DATADIR/trackless/trackless-<version>.xpi``
  (users install it with Thunderbird's "Install Add-on From File...").

``--uninstall`` removes those files again (only a manifest that is still
Trackless's) and the package files pip recorded. Nothing outside DESTDIR is
touched; every path is printed.

Usage: system_install.py [--uninstall] --prefix P [--destdir D] [--datadir DIR] [--native-hosts-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "host"))
sys.path.insert(0, str(ROOT / "install"))

DEFAULT_NATIVE_HOSTS_DIR = "/usr/lib/mozilla/native-messaging-hosts"


def _under(destdir: str, path: str) -> Path:
    """``path`` (absolute, as on the target system) inside the staging root ``destdir``."""
    return Path(destdir + "/" + path.lstrip("/")) if destdir else Path(path)


def planned(prefix: str, datadir: str, native_hosts_dir: str) -> dict[str, str]:
    """What this script writes, as paths on the target system: kind -> path."""
    from trackless.version import __version__

    return {
        "manifest": f"{native_hosts_dir}/trackless.json",
        "bash": f"{datadir}/bash-completion/completions/trackless",
        "zsh": f"{datadir}/zsh/site-functions/_trackless",
        "fish": f"{datadir}/fish/vendor_completions.d/trackless.fish",
        "xpi": f"{datadir}/trackless/trackless-{__version__}.xpi",
    }


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o644)
    os.replace(tmp, path)
    print(f"wrote {path}")


def install(prefix: str, destdir: str, datadir: str, native_hosts_dir: str) -> int:
    import build_xpi
    from trackless.commands.completion import script
    from trackless.installer import manifest

    plan = planned(prefix, datadir, native_hosts_dir)
    host = f"{prefix.rstrip('/')}/bin/trackless-host"
    if not _under(destdir, host).is_file():
        print(f"system_install: {_under(destdir, host)} is missing: install the package first (make install does)", file=sys.stderr)
        return 1
    _write(_under(destdir, plan["manifest"]), (json.dumps(manifest(host), indent=2) + "\n").encode("utf-8"))
    for shell in ("bash", "zsh", "fish"):
        _write(_under(destdir, plan[shell]), script(shell).encode("utf-8"))
    xpi = _under(destdir, plan["xpi"])
    xpi.parent.mkdir(parents=True, exist_ok=True)
    build_xpi.build(xpi)
    xpi.chmod(0o644)
    print(f"wrote {xpi}")
    return 0


def _recorded_files(prefix: str, destdir: str) -> list[Path]:
    """The package's files from pip's RECORD under DESTDIR/PREFIX."""
    out = []
    for record in _under(destdir, prefix).glob("lib/python3*/*-packages/trackless-*.dist-info/RECORD"):
        site = record.parent.parent
        with open(record, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                if row:
                    out.append((site / row[0]).resolve())
    return out


def uninstall(prefix: str, destdir: str, datadir: str, native_hosts_dir: str) -> int:
    from trackless.installer import HOST_NAME

    plan = planned(prefix, datadir, native_hosts_dir)
    manifest = _under(destdir, plan["manifest"])
    try:
        ours = json.loads(manifest.read_text("utf-8")).get("name") == HOST_NAME
    except (OSError, ValueError, AttributeError):
        ours = False
    targets = ([manifest] if ours else []) + [_under(destdir, plan[k]) for k in ("bash", "zsh", "fish", "xpi")]
    targets += _recorded_files(prefix, destdir)
    root = _under(destdir, "/").resolve()
    dirs = set()
    for path in targets:
        if path.is_file() and (not destdir or root in path.resolve().parents):
            path.unlink()
            print(f"removed {path}")
            dirs.add(path.parent)
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):  # empty folders the package left
        while d != root and d.name not in ("bin", "site-packages", "dist-packages", "share") and d.is_dir() and not any(d.iterdir()):
            d.rmdir()
            d = d.parent
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--destdir", default="")
    ap.add_argument("--datadir", help="default PREFIX/share")
    ap.add_argument("--native-hosts-dir", default=DEFAULT_NATIVE_HOSTS_DIR)
    ap.add_argument("--uninstall", action="store_true")
    args = ap.parse_args(argv)
    if not args.prefix.startswith("/"):
        ap.error("--prefix must be an absolute path")
    datadir = args.datadir or args.prefix.rstrip("/") + "/share"
    run = uninstall if args.uninstall else install
    return run(args.prefix.rstrip("/") or "/", args.destdir.rstrip("/"), datadir, args.native_hosts_dir)


if __name__ == "__main__":
    sys.exit(main())
