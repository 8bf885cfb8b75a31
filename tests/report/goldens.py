"""Golden reports of the fixture mailbox: how they are produced, and a script to rewrite them.

    .venv/bin/python tests/report/goldens.py     # rewrite tests/report/golden/*

Rewrite only after reading the diff: a golden nobody checked is a hard-coded
result. The version string is replaced by ``{VERSION}`` so a version bump
does not break the goldens.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

from trackless.cli import main
from trackless.version import __version__

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
GOLDEN = os.path.join(HERE, "golden")
EPOCH = "1795500000"  # 2026-11-23T...Z: a fixed "generated" time
FORMATS = ("md", "html", "json")


@contextlib.contextmanager
def _in_fixtures():
    old_cwd, old_epoch = os.getcwd(), os.environ.get("SOURCE_DATE_EPOCH")
    os.chdir(FIXTURES)
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        yield
    finally:
        os.chdir(old_cwd)
        if old_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old_epoch


def run_report(*args: str) -> tuple[int, str, str]:
    """Run ``trackless report ARGS`` in-process with cwd = fixtures; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with _in_fixtures(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["report", *args])
    return code, out.getvalue(), err.getvalue()


def normalise(text: str) -> str:
    return text.replace(f"trackless {__version__}", "trackless {VERSION}").replace(
        f'"version": "{__version__}"', '"version": "{VERSION}"')


def produce(fmt: str, source: str = "mailbox.mbox", jobs: str = "1") -> str:
    code, out, err = run_report("--format", fmt, "--jobs", jobs, source)
    assert code == 0, err
    return normalise(out)


def golden_path(fmt: str) -> str:
    return os.path.join(GOLDEN, f"report.{fmt}")


if __name__ == "__main__":
    import json

    # refuse to bless a broken pipeline (e.g. a module mid-edit making every mail a skipped "internal" error)
    check = json.loads(produce("json"))
    if check["summary"]["skipped"] or check["summary"]["mails"] != 8:
        sys.exit(f"not writing goldens: {check['summary']['mails']} mails read, skipped: {check['skipped'][:2]}")
    os.makedirs(GOLDEN, exist_ok=True)
    for fmt in FORMATS:
        with open(golden_path(fmt), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(produce(fmt))
        print(f"wrote {golden_path(fmt)}", file=sys.stderr)
