"""``trackless report``: an evidence report over .eml files, mbox files and Maildir folders.

    trackless report [--format md|html|json] [--out FILE] [--redact] [--dns]
                     [--to ADDR]... [--jobs N] PATH...

PATH: .eml files, mbox files, Maildir folders, or directories of these.
Without ``--format``, the format follows ``--out``'s extension (.html, .json),
else Markdown.
The report goes to stdout, or to FILE (written to a temporary file beside it
and renamed at the end, so FILE is never left half-written). A progress line
(count, rate, ETA) is drawn on stderr when stderr is a terminal.

Each file or mail that cannot be read is reported on stderr as it is met
(``trackless report: skipped ORIGIN: MESSAGE [code]``), the run continues,
and the report ends with a "Skipped" section listing them all.

Exit codes: 0 the report was written (even if some files or mails were
skipped: they are listed in it); 2 usage (e.g. ``--dns`` when CNAME
uncloaking is not available) or bad input: nothing at all could be read
(every path missing, unreadable or not mail, or no mail found), no report is
written (2 as in every sub-command for a missing or unreadable input).

``--to ADDR`` adds reader addresses (each mail's To/Cc/Delivered-To always
count). ``--redact`` replaces reader addresses and per-recipient tokens with
stable placeholders. ``--dns`` looks up the CNAME chains of the tracker and
link hosts (cached), to uncloak first-party hosts that alias an ESP.
The report's time stamp is now, or ``SOURCE_DATE_EPOCH`` when set.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time


def add_arguments(parser) -> None:
    parser.epilog = ("Exit codes: 0 report written (unreadable files or mails are listed in it and on stderr); "
                     "2 usage error, or nothing could be read (no report written). "
                     "JSON schema: docs/report-schema.md.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help=".eml file, mbox file, Maildir folder or directory")
    parser.add_argument("--format", choices=("md", "html", "json"), default=None,
                        help="report format (default: from --out's extension .html/.json, else md)")
    parser.add_argument("--out", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--redact", action="store_true",
                        help="replace your addresses and per-recipient tokens with stable placeholders")
    parser.add_argument("--dns", action="store_true", help="look up CNAME chains of tracker and link hosts")
    parser.add_argument("--to", action="append", default=[], metavar="ADDR",
                        help="your address (repeatable); each mail's recipients always count")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: number of CPUs)")


def _generated() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    t = time.gmtime(int(epoch)) if epoch and epoch.isdigit() else time.gmtime()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", t)


def _format_from_name(name: str | None) -> str:
    ext = os.path.splitext(name or "")[1].lower()
    return {".html": "html", ".htm": "html", ".json": "json"}.get(ext, "md")


def _dns_lookup():
    """The CNAME lookup function, or None when the uncloaking module is not part of this build."""
    if importlib.util.find_spec("trackless.net.cname") is None:
        return None
    from ..report.dns import lookup_chains

    return lookup_chains


def run(args, *, stdout=None, stderr=None) -> int:
    from ..report.progress import Progress
    from ..report.run import write_report
    from ..report.sources import total_bytes
    from ..version import __version__

    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    for addr in args.to:
        if "@" not in addr:
            print(f"trackless report: --to {addr!r} is not an e-mail address", file=stderr)
            return 2
    if args.jobs is not None and args.jobs < 1:
        print("trackless report: --jobs must be at least 1", file=stderr)
        return 2
    dns = None
    if args.dns:
        dns = _dns_lookup()
        if dns is None:
            print("trackless report: --dns is unavailable: CNAME uncloaking (trackless.net.cname) is not part of "
                  "this version of Trackless; run without --dns", file=stderr)
            return 2
    fmt = args.format or _format_from_name(args.out)
    jobs = args.jobs or os.cpu_count() or 1
    progress = Progress(total_bytes(args.paths), stderr)

    def on_skip(err) -> None:
        progress.note(f"trackless report: skipped {err.origin}: {err.message} [{err.code}]")

    out_file = tmp_path = None
    if args.out:
        directory = os.path.dirname(os.path.abspath(args.out))
        tmp_path = os.path.join(directory, f".{os.path.basename(args.out)}.{os.getpid()}.tmp")
        try:
            out_file = open(tmp_path, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            print(f"trackless report: cannot write {args.out}: {exc.strerror or exc}", file=stderr)
            return 2
    try:
        result = write_report(
            list(args.paths), out_file or stdout, fmt=fmt, extra_to=args.to, jobs=jobs,
            redact=args.redact, dns=dns, generated=_generated(), version=__version__, progress=progress,
            on_skip=on_skip,
        )
    except BaseException:
        if out_file:
            out_file.close()
            os.unlink(tmp_path)
        raise
    if out_file:
        out_file.close()
        if result.summary.mails:
            os.replace(tmp_path, args.out)
        else:
            os.unlink(tmp_path)
    s = result.summary
    if not s.mails:
        print(f"trackless report: no mail could be read ({len(result.skipped)} skipped); no report written",
              file=stderr)
        return 2
    where = f" to {args.out}" if args.out else ""
    print(f"trackless report: {s.mails} mails, {s.with_trackers} with trackers, {len(result.skipped)} skipped; "
          f"{fmt} report written{where}", file=stderr)
    return 0
