"""``trackless install``: register the native-messaging host with Thunderbird.

    trackless install [--extension-id ID]     write the manifest (and on Windows the registry key)
    trackless install --check [--extension-id ID]   diagnose; nothing is written

Exit codes: 0 done / all checks passed (warnings allowed), 1 a check failed
or the launcher could not be found, 3 a file could not be written.
"""

from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    from ..installer import EXTENSION_ID

    parser.add_argument("--check", action="store_true", help="diagnose the installation instead of installing")
    parser.add_argument(
        "--extension-id", default=EXTENSION_ID, metavar="ID", help=f"add-on id allowed to use the host (default {EXTENSION_ID})"
    )


def run(args, *, target=None, winreg=None, launcher=None, out=None) -> int:
    from .. import installer

    out = out or sys.stdout
    target = target or installer.current_target()
    if args.check:
        findings = installer.check(target, extension_id=args.extension_id, winreg=winreg)
        for f in findings:
            print(f"{f.level.upper():<4}  {f.message}", file=out)
        failed = any(f.level == "fail" for f in findings)
        print("Trackless cannot be used by Thunderbird yet." if failed else "Trackless is ready.", file=out)
        return 1 if failed else 0
    host = launcher if launcher is not None else installer.find_launcher(target.system)
    try:
        receipt = installer.install(target, host, extension_id=args.extension_id, winreg=winreg)
    except FileNotFoundError as exc:
        print(f"trackless install: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"trackless install: cannot write {getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 3
    for f in receipt.files:
        print(f"wrote {f}", file=out)
    for k in receipt.registry:
        print(f"wrote registry HKCU\\{k}", file=out)
    print(f"The helper is registered for the add-on {args.extension_id}. Check it with: trackless install --check", file=out)
    return 0
