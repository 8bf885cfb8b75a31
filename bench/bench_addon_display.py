"""Display time of realistic newsletters in real headless Thunderbird: Thunderbird alone vs Trackless.

The mails: synthesized newsletters of real sizes (tests/e2e/tb_newsletters.py:
median ~7 KB, p90 ~32 KB, p99 ~140 KB of HTML, plus 250 KB, 500 KB and 1 MB),
multipart/alternative, quoted-printable, every remote reference on a loopback
server (which must see no request). Time = from selecting the message to
(a) Thunderbird's own display loaded (add-on disabled: the baseline), or
(b) the sanitized body shown (add-on enabled, the real helper registered
under a temporary HOME). Polling resolution 5 ms. For the same mails, in one
Thunderbird run:

1. Thunderbird alone, first open of each mail ("TB cold") and again ("TB");
2. Trackless, first open with an empty cache ("uncached"; Thunderbird has
   seen the mail once, like the "TB" pass);
3. Trackless, opened again ("cached": the sanitize result is reused);
4. a second set of newsletters of the same sizes arrives as new mail
   (messages.onNewMailReceived), one every --gap seconds, is pre-sanitized
   in the background, and is
   then opened for the first time ("pre-sanitized"; compared with "TB cold"
   of the first set, as both are first opens). How many of those opens were
   served from the cache is printed: a miss means the background's rebuild
   of the rendered HTML differed from what the display sent.

Prints medians, p95 and the ratios to the baseline. Needs thunderbird and
marionette-driver.

Usage: .venv/bin/python bench/bench_addon_display.py [--n 40] [--runs 1] [--settle 20] [--per-mail]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

import tb_harness as harness  # noqa: E402
import tb_mails as mails  # noqa: E402
import tb_newsletters as nl  # noqa: E402

WARM = "Small mail"  # from tb_mails: warms up the helper without touching the measured mails


def open_all(tb, server, subjects, enabled: bool) -> dict[str, tuple[float, bool]]:
    out = {}
    for subject in subjects:
        tb.select_none()
        view = tb.open_message(subject, server.base, timeout_ms=60000, wait_state=enabled, poll_ms=5)
        if enabled and view["state"] != "sanitized":
            raise SystemExit(f"{subject}: not sanitized ({view['state']}); is the helper installed?")
        out[subject] = (float(view["waitedMs"]), bool(view.get("cached")))
    return out


def passes(tb, server, subjects, enabled: bool, runs: int) -> dict[str, float]:
    """Median over ``runs`` passes of each mail's time."""
    got = [open_all(tb, server, subjects, enabled) for _ in range(runs)]
    return {s: statistics.median(g[s][0] for g in got) for s in subjects}


def p95(values) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def warm_helper(tb, server) -> None:
    for _ in range(2):
        open_all(tb, server, [WARM], True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="newsletters at the size quantiles (plus 3 big ones)")
    ap.add_argument("--runs", type=int, default=1, help="passes of the repeatable measurements (medians per mail)")
    ap.add_argument("--settle", type=float, default=10.0, help="seconds given to background pre-sanitizing after the last arrival")
    ap.add_argument("--gap", type=float, default=1.0, help="seconds between two arriving mails")
    ap.add_argument("--per-mail", action="store_true", help="print every mail's figures")
    args = ap.parse_args()
    binary = shutil.which("thunderbird")
    if not binary:
        print("thunderbird is not installed", file=sys.stderr)
        return 2
    server = harness.LoopbackServer(mails.png(1, 1))
    first = nl.newsletters(server.base, args.n)
    fresh = nl.newsletters(server.base, args.n, title="Fresh News", offset=500)
    subjects = [m.subject for m in first]
    fresh_subjects = [m.subject for m in fresh]
    sizes = {m.subject: len(m.html) for m in first + fresh}
    root = Path(tempfile.mkdtemp(prefix="trackless-bench-"))
    port = harness.free_port()
    box = mails.mbox([m for m in mails.all_mails(server.base) if m.subject == WARM])
    box += mails.mbox_of([nl.to_message(m, k) for k, m in enumerate(first)])
    profile = harness.Profile(root, box, port)
    profile.install_host()
    tb = harness.Thunderbird(binary, profile, port, root / "thunderbird.log")
    try:
        tb.connect()
        warm_helper(tb, server)
        tb.set_addon_enabled(False)
        cold = {s: t for s, (t, _) in open_all(tb, server, subjects, False).items()}
        alone = passes(tb, server, subjects, False, args.runs)
        tb.set_addon_enabled(True)  # a fresh background: the cache is empty
        time.sleep(1.0)
        warm_helper(tb, server)
        uncached = {s: t for s, (t, _) in open_all(tb, server, subjects, True).items()}
        cached_runs = [open_all(tb, server, subjects, True) for _ in range(args.runs)]
        cached = {s: statistics.median(r[s][0] for r in cached_runs) for s in subjects}
        cached_hits = sum(all(r[s][1] for r in cached_runs) for s in subjects)
        # One at a time: messages appended in one batch (addMessage) could not be
        # read back with messages.getFull() until later, except the last one.
        arrived = []
        for k, m in enumerate(fresh):
            arrived += tb.deliver([f"From - Fri Nov 27 00:00:00 2026\n{nl.to_message(m, 1000 + k)}"])
            time.sleep(args.gap)
        time.sleep(args.settle)
        pre = open_all(tb, server, fresh_subjects, True)
        pre_times = {s: t for s, (t, _) in pre.items()}
        pre_hits = [s for s, (_, hit) in pre.items() if hit]
    finally:
        tb.stop()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)

    spread = sorted(sizes[s] for s in subjects[: args.n])  # the quantile set, without the big ones
    print(f"{len(subjects)} newsletters: {args.n} at the size quantiles (HTML median {statistics.median(spread) / 1000:.1f} KB, "
          f"p90 {statistics.quantiles(spread, n=10)[8] / 1000:.0f} KB, max {spread[-1] / 1000:.0f} KB) plus "
          f"{', '.join(f'{b // 1000}' for b in nl.BIG)} KB; {args.runs} pass(es) of the repeatable measurements")
    if args.per_mail:
        print(f"{'mail':<32}{'KB':>6}{'TB cold':>9}{'TB':>7}{'uncached':>10}{'cached':>8}")
        for s in subjects:
            print(f"{s:<32}{sizes[s] / 1000:>6.0f}{cold[s]:>9.0f}{alone[s]:>7.0f}{uncached[s]:>10.0f}{cached[s]:>8.0f}")
    rows = [
        ("Thunderbird alone, first open (TB cold)", list(cold.values()), None),
        ("Thunderbird alone (TB)", list(alone.values()), None),
        ("Trackless uncached, first open", list(uncached.values()), list(alone.values())),
        ("Trackless cached (opened again)", list(cached.values()), list(alone.values())),
        ("Trackless pre-sanitized, first open", list(pre_times.values()), list(cold.values())),
    ]
    print(f"{'':<42}{'median ms':>10}{'p95 ms':>9}{'x median':>10}{'x p95':>8}")
    for label, values, base in rows:
        med, hi = statistics.median(values), p95(values)
        ratio = f"{med / statistics.median(base):>10.2f}{hi / p95(base):>8.2f}" if base else ""
        print(f"{label:<42}{med:>10.0f}{hi:>9.0f}{ratio}")
    print("(ratios: uncached and cached against 'TB'; pre-sanitized against 'TB cold', both first opens of same-size mails)")
    print(f"cache hits: re-open {cached_hits}/{len(subjects)}; pre-sanitized first open {len(pre_hits)}/{len(fresh_subjects)}"
          f" (new mail flagged New on arrival: {sum(1 for _, new in arrived if new)}/{len(arrived)})")
    if server.snapshot():
        print(f"WARNING: requests reached the loopback server: {server.snapshot()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
