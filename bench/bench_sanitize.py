"""Benchmark: trackless.sanitize against its floor, BeautifulSoup(lxml) parse + str(),
and against bleach (a common HTML sanitizer: html5lib parse, allowlist, serialize).

All run on the same newsletters (the bundled sample scaled to about 5, 20,
50, 100 and 200 KB by repeating its product rows) in the same process, one
after the other, so machine noise hits all. Prints medians and the ratios;
the targets: at most 1.0x the floor, below 1.0x bleach.

    .venv/bin/python bench/bench_sanitize.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import trackless
from trackless.core.sanitizer import _url_facts
from trackless.core import tokens
from trackless.links import validate
from trackless.mail import parse_message

ROOT = Path(__file__).resolve().parents[1]


def newsletters() -> list[tuple[str, str]]:
    mail = parse_message((ROOT / "samples" / "newsletter.eml").read_bytes())
    html = mail.require_html().replace("\r\n", "\n")
    start = html.index('<tr><td>\n        <table role="presentation" width="100%">')
    end = html.index("</tr></table>\n      </td></tr>", start) + len("</tr></table>\n      </td></tr>")
    row = html[start:end]
    out = []
    for target in (5_000, 20_000, 50_000, 100_000, 200_000):
        n = max(1, (target - len(html)) // len(row) + 1)
        # every row its own product ids and tokens, as in a real catalogue mail
        rows = "".join(row.replace("4471", str(10000 + i)).replace("9c8d7e6f5a", f"9c8d{i:06x}")
                       .replace("alpine-parka-navy", f"item-{i}") for i in range(n))
        doc = html[:start] + rows + html[end:]
        out.append((f"{len(doc) / 1000:.0f} KB", doc))
    return out


def floor(html: str) -> None:
    from bs4 import BeautifulSoup

    str(BeautifulSoup(html, "lxml"))


def bleach_clean(html: str) -> None:
    import bleach

    bleach.clean(html, tags={"a", "p", "div", "table", "tr", "td", "img", "span", "b", "i"},
                 attributes={"*": ["class"], "a": ["href"], "img": ["src", "alt", "width", "height"]},
                 strip=True)


def run(html: str) -> None:
    # every run is a mail never seen before: no per-URL facts cached from the last run
    _url_facts.cache_clear()
    validate._check.cache_clear()
    validate.valid_host.cache_clear()
    tokens.content_reason.cache_clear()
    trackless.sanitize(html, recipients=("jane.doe@example.org",))


def median_time(fn, html: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(html)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def interleaved(fns, html: str, runs: int) -> list[float]:
    """Median time of each function, timed in turn within every run (noise
    from other processes on the machine hits all of them alike)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn(html)
            times[i].append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    docs = newsletters()
    run(docs[0][1])  # warm: imports, rule loading, the PSL trie
    floor(docs[0][1])
    bleach_clean(docs[0][1])
    print(f"{'size':>8} {'floor ms':>10} {'bleach ms':>10} {'sanitize ms':>12} {'/floor':>7} {'/bleach':>8}"
          f"  (medians of {args.runs})")
    ratios, vs_bleach = [], []
    for label, html in docs:
        f, b, s = interleaved((floor, bleach_clean, run), html, args.runs)
        ratios.append(s / f)
        vs_bleach.append(s / b)
        print(f"{label:>8} {f * 1000:10.1f} {b * 1000:10.1f} {s * 1000:12.1f} {s / f:6.2f}x {s / b:7.2f}x")
    print(f"median ratio {statistics.median(ratios):.2f}x of the floor (target <= 1.0x), "
          f"{statistics.median(vs_bleach):.2f}x of bleach (target < 1.0x)")


if __name__ == "__main__":
    main()
