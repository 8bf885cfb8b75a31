"""``trackless install``: register the native-messaging host with Thunderbird.

    trackless install [--extension-id ID] [--bin-dir DIR]   write the manifest (and on Windows the registry key)
    trackless install --check [--extension-id ID] [--no-addon]   diagnose; nothing is written

``--check`` prints one line per check (OK, WARN or FAIL; every WARN and FAIL
says how to fix it): the native manifest(s), the host answering a ping, the
Windows registry key, Snap/Flatpak Thunderbird, and the add-on in each
Thunderbird profile (present, enabled, a version that speaks this helper's
protocol).

Exit codes: 0 done / all checks passed (warnings allowed), 1 a check failed
or the launcher could not be found, 3 a file could not be written.
"""

from __future__ import annotations

import sys
from pathlib import Path


def add_arguments(parser) -> None:
    from ..installer import EXTENSION_ID

    parser.add_argument("--check", action="store_true", help="diagnose the installation instead of installing")
    parser.add_argument(
        "--extension-id", default=EXTENSION_ID, metavar="ID", help=f"add-on id allowed to use the host (default {EXTENSION_ID})"
    )
    parser.add_argument("--bin-dir", metavar="DIR", type=Path,
                        help="also link DIR/trackless to this installation's trackless command (install.sh: ~/.local/bin)")
    parser.add_argument("--no-addon", action="store_true", help="with --check: skip the add-on checks in Thunderbird profiles")


def run(args, *, target=None, winreg=None, launcher=None, out=None) -> int:
    from .. import installer

    out = out or sys.stdout
    target = target or installer.current_target()
    if args.check:
        findings = installer.check(target, extension_id=args.extension_id, winreg=winreg, addon=not getattr(args, "no_addon", False))
        for f in findings:
            print(f"{f.level.upper():<4}  {f.message}", file=out)
        failed = any(f.level == "fail" for f in findings)
        print("Trackless cannot be used by Thunderbird yet." if failed else "Trackless is ready.", file=out)
        return 1 if failed else 0
    host = launcher if launcher is not None else installer.find_launcher(target.system)
    try:
        receipt = installer.install(target, host, extension_id=args.extension_id, winreg=winreg, bin_dir=getattr(args, "bin_dir", None))
    except (FileNotFoundError, FileExistsError) as exc:
        print(f"trackless install: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"trackless install: cannot write {getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 3
    for f in receipt.files:
        print(f"wrote {f}", file=out)
    for k in receipt.registry:
        print(f"wrote registry HKCU\\{k}", file=out)
    for link in receipt.links:
        print(f"linked {link}", file=out)
    print(f"The helper is registered for the add-on {args.extension_id}. Check it with: trackless install --check", file=out)
    return 0
