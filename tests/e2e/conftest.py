"""Fixtures for the end-to-end tests in real headless Thunderbird.

One Thunderbird start serves every test of the module (session fixture ``tb``).
Under CI (``CI=true``) a missing Thunderbird or marionette-driver fails the
run; elsewhere those tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tb_harness as harness  # noqa: E402
import tb_mails as mails  # noqa: E402

TIMINGS = harness.TIMINGS


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}: end-to-end tests must run in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def thunderbird_binary() -> str:
    binary = os.environ.get("TRACKLESS_THUNDERBIRD") or shutil.which("thunderbird")
    if not binary:
        _unavailable("Thunderbird is not installed (apt-get install thunderbird)")
    try:
        import marionette_driver  # noqa: F401
    except ImportError:
        _unavailable("marionette-driver is not installed (pip install marionette-driver)")
    return binary


@pytest.fixture(scope="session")
def server():
    s = harness.LoopbackServer(mails.png(1, 1), redirects={"/ls/click": mails.RESOLVE_TARGET})
    yield s
    s.stop()


@pytest.fixture(scope="session")
def news():
    from tb_news import NewsListener

    s = NewsListener()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def tb(thunderbird_binary, server, news, tmp_path_factory):
    root = tmp_path_factory.mktemp("tb")
    port = harness.free_port()
    all_mails = mails.all_mails(server.base) + mails.hostile_mails(server.base, news.port)
    profile = harness.Profile(root, mails.mbox(all_mails), port)
    profile.install_host()
    t = harness.Thunderbird(thunderbird_binary, profile, port, root / "thunderbird.log")
    try:
        t.connect()
        yield t
    finally:
        t.stop()
        if os.environ.get("TRACKLESS_E2E_KEEP"):
            print(f"\nThunderbird log kept: {root / 'thunderbird.log'}")


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS:
        return
    import statistics

    terminalreporter.section("Trackless display timing (display script start -> sanitized body shown)")
    by_mail: dict[str, list[float]] = {}
    for name, ms in TIMINGS:
        by_mail.setdefault(name, []).append(ms)
    for name, values in by_mail.items():
        terminalreporter.write_line(
            f"{name}: median {statistics.median(values):.0f} ms over {len(values)} opens "
            f"({', '.join(f'{v:.0f}' for v in values)} ms)"
        )
