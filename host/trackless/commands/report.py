"""``trackless report``: an evidence report over .eml files, mbox files and Maildir folders.

    trackless report [--format md|html|json] [--out FILE] [--bundle DIR] [--redact] [--dns]
                     [--to ADDR]... [--jobs N] [--engine local|dask] [--scheduler ADDR]
                     [--mail-timeout SECONDS] PATH...

PATH: .eml files, mbox files, Maildir folders, or directories of these.
Without ``--format``, the format follows ``--out``'s extension (.md,
.markdown, .txt; .html, .htm; .json); no ``--out`` (stdout) means Markdown;
any other extension is a usage error (exit 2), so ``--out r.pdf`` never
silently holds Markdown.
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
``--dns`` also verifies each DKIM signature against the key its domain
publishes (dnspython, through dkimpy).
The report's time stamp is now, or ``SOURCE_DATE_EPOCH`` when set.

``--bundle DIR`` writes a complaint file another person can check: DIR/report.FORMAT,
the original mails the report cites as DIR/mails/NNNNN.eml (their bytes
unchanged), and DIR/MANIFEST.sha256 (``sha256sum -c`` format) over all of
them. With ``--redact`` the original mails are left out of the bundle (they
hold the reader's address in their headers and per-recipient tokens in their
links, which no in-place edit could remove without changing the bytes the
hashes prove); the manifest then lists only the report, and the report
still gives each mail's SHA-256 so whoever holds the mailbox can check it.

Each mail has a time budget (``--mail-timeout``, default 30 s): a mail whose
analysis runs longer is skipped with that reason and the run goes on.

``--engine dask`` runs the same per-mail analysis on a Dask cluster: a local
one (worker processes on 127.0.0.1) unless ``--scheduler ADDR`` names an
existing scheduler. Needs ``pip install 'trackless[cluster]'``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time


def add_arguments(parser) -> None:
    parser.epilog = ("Exit codes: 0 report written (unreadable files or mails are listed in it and on stderr); "
                     "2 usage error (also: an --out extension other than .md/.html/.json), or nothing could be read "
                     "(no report written). "
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
    parser.add_argument("--bundle", metavar="DIR",
                        help="write report, cited original mails and a SHA-256 manifest into DIR (a new directory)")
    parser.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="local worker processes (default) or a Dask cluster")
    parser.add_argument("--scheduler", metavar="ADDR",
                        help="with --engine dask: address of a running Dask scheduler (default: a local cluster)")
    parser.add_argument("--mail-timeout", type=float, default=None, metavar="SECONDS",
                        help="per-mail time budget; a mail taking longer is skipped (default: 30)")


def _generated() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    t = time.gmtime(int(epoch)) if epoch and epoch.isdigit() else time.gmtime()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", t)


FORMAT_BY_EXTENSION = {".md": "md", ".markdown": "md", ".txt": "md", ".html": "html", ".htm": "html",
                       ".json": "json"}


def _format_from_name(name: str | None) -> str | None:
    """The format for an output file name; None for an extension that names no report format."""
    if not name:
        return "md"
    ext = os.path.splitext(name)[1].lower()
    if not ext:
        return "md"
    return FORMAT_BY_EXTENSION.get(ext)


def _dns_lookup():
    """The CNAME lookup function, or None when the uncloaking module is not part of this build."""
    if importlib.util.find_spec("trackless.net.cname") is None:
        return None
    from ..report.dns import lookup_chains

    return lookup_chains


def _dkim_verifier(readers):
    """The DKIM checker used with ``--dns`` (tests replace it to serve their own keys)."""
    from ..report.dkim_check import DkimVerifier

    return DkimVerifier(readers=readers)


def run(args, *, stdout=None, stderr=None) -> int:
    from ..errors import TracklessError
    from ..report.progress import Progress
    from ..report.run import MAIL_BUDGET, write_report
    from ..report.words import plural
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
    if fmt is None:
        print(f"trackless report: cannot tell the format from {args.out!r}: use an extension .md, .html or .json, "
              "or --format md|html|json", file=stderr)
        return 2
    if args.scheduler and args.engine != "dask":
        print("trackless report: --scheduler needs --engine dask", file=stderr)
        return 2
    if args.engine == "dask":
        from ..report.cluster import available

        if not available():
            print("trackless report: --engine dask needs Dask: pip install 'trackless[cluster]'", file=stderr)
            return 2
    if args.mail_timeout is not None and not args.mail_timeout > 0:
        print("trackless report: --mail-timeout must be a positive number of seconds", file=stderr)
        return 2
    if args.bundle and args.out:
        print("trackless report: --bundle writes the report into DIR; leave out --out", file=stderr)
        return 2
    if args.bundle and os.path.exists(args.bundle) and (not os.path.isdir(args.bundle) or os.listdir(args.bundle)):
        print(f"trackless report: --bundle {args.bundle!r} exists and is not an empty directory", file=stderr)
        return 2
    jobs = args.jobs or os.cpu_count() or 1
    progress = Progress(total_bytes(args.paths), stderr)

    def on_skip(err) -> None:
        progress.note(f"trackless report: skipped {err.origin}: {err.message} [{err.code}]")

    out_name = args.out
    bundle_tmp = None
    if args.bundle:
        from ..report import bundle

        try:
            bundle_tmp = bundle.start(args.bundle)
        except OSError as exc:
            print(f"trackless report: cannot create {args.bundle}: {exc.strerror or exc}", file=stderr)
            return 2
        out_name = os.path.join(bundle_tmp, f"report.{fmt}")
    verifier = _dkim_verifier(args.to) if args.dns else None
    out_file = tmp_path = None
    if out_name:
        from ..paths import special_file

        directory = os.path.dirname(os.path.abspath(out_name))
        # straight into /dev/null or a FIFO: a rename would replace the device
        tmp_path = None if special_file(out_name) else os.path.join(
            directory, f".{os.path.basename(out_name)}.{os.getpid()}.tmp")
        try:
            out_file = open(tmp_path or out_name, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            print(f"trackless report: cannot write {out_name}: {exc.strerror or exc}", file=stderr)
            if bundle_tmp:
                bundle.abort(bundle_tmp)
            return 2
    try:
        result = write_report(
            list(args.paths), out_file or stdout, fmt=fmt, extra_to=args.to, jobs=jobs,
            redact=args.redact, dns=dns, generated=_generated(), version=__version__, progress=progress,
            on_skip=on_skip, budget=args.mail_timeout or MAIL_BUDGET, engine=args.engine,
            scheduler=args.scheduler, dkim_verify=verifier, keep_cited=bool(args.bundle and not args.redact),
        )
    except BaseException:
        if out_file:
            out_file.close()
            if tmp_path:
                os.unlink(tmp_path)
        if bundle_tmp:
            bundle.abort(bundle_tmp)
        raise
    if out_file:
        out_file.close()
        if tmp_path and result.summary.mails:
            os.replace(tmp_path, out_name)
        elif tmp_path:
            os.unlink(tmp_path)
    s = result.summary
    if not s.mails:
        if bundle_tmp:
            bundle.abort(bundle_tmp)
        print(f"trackless report: no mail could be read ({len(result.skipped)} skipped); no report written",
              file=stderr)
        return 2
    where = f" to {args.out}" if args.out else ""
    if bundle_tmp:
        try:
            copied = bundle.add_mails(bundle_tmp, result.cited)
            bundle.finish(bundle_tmp, args.bundle)
        except (OSError, TracklessError) as exc:
            bundle.abort(bundle_tmp)
            print(f"trackless report: the bundle could not be written: {exc}", file=stderr)
            return 2
        what = (f"{plural(copied, 'original mail')}" if not args.redact
                else "no original mails (left out because of --redact)")
        where = f" to {args.bundle}/ with {what} and {bundle.MANIFEST}"
    dup = f", {plural(len(result.duplicates), 'duplicate')} counted once" if result.duplicates else ""
    print(f"trackless report: {plural(s.mails, 'mail')}{dup}, {s.with_trackers} tracked "
          f"({s.with_remote_trackers} with trackers, {s.with_tracking_links} with tracking links), "
          f"{len(result.skipped)} skipped; {fmt} report written{where}", file=stderr)
    return 0
