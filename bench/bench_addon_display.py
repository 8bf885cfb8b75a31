"""Display time of a mail in real headless Thunderbird, with and without the add-on.

For a small, a 200 KB and a 1 MB mail: the wall time from selecting the message
to (a) Thunderbird's own display being loaded with the add-on disabled (the
baseline) and (b) the sanitized body being shown with the add-on enabled (the
real helper registered under a temporary HOME); plus the add-on's own figure,
display script start -> sanitized body shown. Medians over --runs opens each,
and the ratio (b)/(a). Uses the end-to-end harness (tests/e2e); needs
thunderbird and marionette-driver. Polling resolution 5 ms.

Usage: .venv/bin/python bench/bench_addon_display.py [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

import tb_harness as harness  # noqa: E402
import tb_mails as mails  # noqa: E402

SUBJECTS = ("Small mail", "Large mail", "Huge mail")


def measure(tb, server, runs: int, enabled: bool) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {s: [] for s in SUBJECTS}
    for _ in range(runs):
        for subject in SUBJECTS:
            tb.select_none()
            view = tb.open_message(subject, server.base, timeout_ms=30000, wait_state=enabled, poll_ms=5)
            if enabled and view["state"] != "sanitized":
                raise SystemExit(f"{subject}: not sanitized ({view['state']}); is the helper installed?")
            out[subject].append((view["waitedMs"], view["timingMs"]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    binary = shutil.which("thunderbird")
    if not binary:
        print("thunderbird is not installed", file=sys.stderr)
        return 2
    server = harness.LoopbackServer(mails.png(1, 1))
    root = Path(tempfile.mkdtemp(prefix="trackless-bench-"))
    port = harness.free_port()
    profile = harness.Profile(root, mails.mbox(mails.all_mails(server.base)), port)
    profile.install_host()
    tb = harness.Thunderbird(binary, profile, port, root / "thunderbird.log")
    try:
        tb.connect()
        measure(tb, server, 1, True)  # warm up: helper started, imports done
        with_addon = measure(tb, server, args.runs, True)
        tb.set_addon_enabled(False)
        measure(tb, server, 1, False)
        baseline = measure(tb, server, args.runs, False)
        tb.set_addon_enabled(True)
    finally:
        tb.stop()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    sizes = {m.subject: len(m.html or m.text) for m in mails.all_mails("http://127.0.0.1:1")}
    print(f"{'mail':<22}{'baseline ms':>12}{'with add-on ms':>16}{'ratio':>8}{'script ms':>11}")
    for subject in SUBJECTS:
        base = statistics.median(w for w, _ in baseline[subject])
        full = statistics.median(w for w, _ in with_addon[subject])
        script = statistics.median(t for _, t in with_addon[subject])
        label = f"{subject} ({sizes[subject] // 1000} KB)"
        print(f"{label:<22}{base:>12.0f}{full:>16.0f}{full / base:>8.2f}{script:>11.0f}")
    print(f"(medians of {args.runs} opens; baseline = add-on disabled, Thunderbird's own display loaded; "
          "with add-on = sanitized body shown; script = display script start -> shown)")
    if server.snapshot():
        print(f"WARNING: requests reached the loopback server: {server.snapshot()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
