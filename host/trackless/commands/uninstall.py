"""``trackless uninstall``: remove exactly what ``trackless install`` wrote.

Settings (the allowlist) are kept. Exit codes: 0 done (also when nothing was
installed), 3 a file could not be removed.
"""

from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    pass


def run(args, *, target=None, winreg=None, out=None) -> int:
    from .. import installer

    out = out or sys.stdout
    target = target or installer.current_target()
    try:
        removed = installer.uninstall(target, winreg=winreg)
    except OSError as exc:
        print(f"trackless uninstall: {exc}", file=sys.stderr)
        return 3
    for r in removed:
        print(f"removed {r}", file=out)
    if not removed:
        print("nothing to remove: the helper was not registered", file=out)
    return 0
