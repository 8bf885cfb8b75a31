"""The ``trackless`` command line: an explicit table of sub-commands.

Each sub-command lives in ``trackless/commands/<name>.py`` and exposes
``add_arguments(parser)`` and ``run(args) -> int``. Modules are imported
lazily so that ``trackless unwrap`` does not pay for bs4's import.

Exit codes (the same in every sub-command): 0 success, 1 a reported
failure (e.g. resolve refused, a failed install check), 2 usage or bad
input (a missing or unreadable file included), 3 a file Trackless keeps
cannot be read or written (the settings store; install's files), 70
internal error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .version import __version__

#: name -> (module, one-line help). Order is the order of ``--help``.
COMMANDS = {
    "sanitize": ("trackless.commands.sanitize", "sanitize a mail (.eml/.html/-) and report its trackers"),
    "unwrap": ("trackless.commands.unwrap", "unwrap tracking links offline and strip tracking parameters"),
    "resolve": ("trackless.commands.resolve", "resolve an opaque tracking link over the network (on request)"),
    "allow": ("trackless.commands.allow", "manage the per-domain allowlist"),
    "install": ("trackless.commands.install", "register the native-messaging host with Thunderbird"),
    "uninstall": ("trackless.commands.uninstall", "remove what 'trackless install' wrote"),
    "report": ("trackless.commands.report", "evidence report over .eml, mbox and Maildir"),
    "completion": ("trackless.commands.completion", "print a bash, zsh or fish completion script"),
}

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_STORE, EXIT_INTERNAL = 0, 1, 2, 3, 70


EXIT_CODES_HELP = """exit codes (every sub-command):
  0    success
  1    a reported failure (resolve refused, install --check failed, allow remove of an absent domain)
  2    usage error or bad input (a missing or unreadable file, not a mail, damaged mail)
  3    a file Trackless keeps cannot be read or written (settings.json; install's manifest or link)
  70   internal error (a bug: TRACKLESS_DEBUG=1 shows the traceback)
  130  interrupted"""


def files_help(env=None) -> str:
    """Where Trackless keeps its files, as resolved now (the env overrides shown)."""
    from . import paths

    rows = [
        ("settings", paths.settings_path(env), paths.ENV_CONFIG),
        ("install receipt", paths.config_dir(env) / "install-receipt.json", paths.ENV_CONFIG),
        ("cache", paths.cache_dir(env), paths.ENV_CACHE),
        ("helper log", paths.log_dir(env) / "host.log", paths.ENV_LOG),
    ]
    lines = ["files:"] + [f"  {what:<16} {where}  (folder: ${env_name})" for what, where, env_name in rows]
    lines.append("  native manifest  see 'trackless install --check'")
    return "\n".join(lines)


def build_parser(argv: list[str], *, full: bool = False) -> tuple[argparse.ArgumentParser, object | None]:
    """The parser; sub-command arguments are added for the command in ``argv`` only, or all with ``full``."""
    parser = argparse.ArgumentParser(prog="trackless", description="Trackless mail-tracking blocker",
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=EXIT_CODES_HELP + "\n\n" + files_help())
    parser.add_argument("--version", action="version", version=f"trackless {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((a for a in argv if not a.startswith("-")), None)
    module = None
    for name, (modname, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EXIT_CODES_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if full:
            importlib.import_module(modname).add_arguments(p)
        elif name == wanted:
            try:
                module = importlib.import_module(modname)
            except ModuleNotFoundError as exc:
                if exc.name != modname:
                    raise
                module = None
            else:
                module.add_arguments(p)
    return parser, module


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, module = build_parser(argv)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if module is None:
        print(f"trackless: '{args.command}' is not available in this version", file=sys.stderr)
        return EXIT_USAGE
    from .errors import TracklessError

    try:
        return int(module.run(args) or 0)
    except TracklessError as exc:
        print(f"trackless {args.command}: {exc}", file=sys.stderr)
        return EXIT_STORE if exc.code.startswith("store") else EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: say so in one line, the traceback only on request
        if os.environ.get("TRACKLESS_DEBUG"):
            raise
        print(f"trackless {args.command}: internal error ({type(exc).__name__}: {exc}); "
              "please report it (TRACKLESS_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
