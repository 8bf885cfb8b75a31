"""Scaling check: every hostile shape of mail costs time linear in its size.

Each shape is built at size n and 4n; sanitize's time for 4n over its time
for n is printed (a linear cost gives about 4, a quadratic one 16). The same
shapes run in CI (tests/core/test_scaling.py), asserting only a generous bound.

    .venv/bin/python bench/bench_scaling.py [--n 4000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import trackless

#: name -> a function of n giving a document about n "units" long.
SHAPES = {
    "svg frameset then elements": lambda n: "<svg><frameset>" + "<g>a</g>b" * n,
    "runs of frameset": lambda n: "<frameset>" * n,
    "frameset document": lambda n: "<html><frameset>" + "<frame src=x><frameset>" * n,
    "spaces in a size attribute": lambda n: '<img src="https://t.example/a.png" width="1' + " " * (20 * n) + 'x">',
    "spaces in a size in a style": lambda n: ('<img src="https://t.example/a.png" style="width:1'
                                             + " " * (20 * n) + 'x;height:1px">'),
    "styles in deep nesting": lambda n: "<div>" * n + "<style>p{color:red}</style>" * n,
    "styles in deep svg": lambda n: "<svg>" + "<g>" * n + "<style>p{color:red}</style>" * n,
    "deep nesting": lambda n: "<div>" * (2 * n) + "x",
    "deep formatting": lambda n: "<b><i>" * n + "x" + "</p>" * n,
    "many pixels in one parent": lambda n: '<img src="https://t.example/o.gif" width="1" height="1">' * n,
    "many comments": lambda n: "<!--x-->" * (2 * n),
    "many removed elements": lambda n: "<link rel=stylesheet href=https://t.example/a.css>" * n,
    "many pixel divs holding text": lambda n: ('<div style="width:1px;height:1px;background:url(https://t.example/o.gif)">'
                                              'x') * n,
    "meta refresh url runs": lambda n: '<meta http-equiv="refresh" content="0;' + "url=" * (5 * n) + '">',
    "meta link angle runs": lambda n: '<meta http-equiv="link" content="' + "<" * (20 * n) + '">',
    "style declarations": lambda n: '<p style="' + "a:b;" * (5 * n) + '">x</p>',
    "style colons and spaces": lambda n: '<p style="' + ";  a  :" * (5 * n) + '">x</p>',
    "srcset candidates": lambda n: '<img srcset="' + "a.png 1x, " * (2 * n) + '(' * n + '">',
    "table foster parenting": lambda n: "<table>" + "x<b>" * n,
    "unclosed tables": lambda n: "<table><tr><td>" * n,
    "conditional comments": lambda n: "<!--[if mso]><img src=https://t.example/m><![endif]-->" * n,
    "nested data svg": lambda n: '<img src="data:image/svg+xml,' + "%3Cg%3E" * n + '">',
    "css url runs": lambda n: "<style>" + "url(" * (4 * n) + "</style>",
    "many attributes": lambda n: "<p " + " ".join(f"a{i}=1" for i in range(min(n, 1900))) + ">x",
    "long text with entities": lambda n: "<p>" + "&amp;&lt;&#169;&notin" * (2 * n),
    "select and options": lambda n: "<select>" + "<option>x" * n,
    "links in links": lambda n: '<a href="https://a.example/">1<table><a href="https://b.example/">2</a></table>' * n,
    "animation values": lambda n: '<svg><animate attributeName="href" values="' + "#a;" * (5 * n) + '"/></svg>',
}


def timed(html: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        trackless.sanitize(html)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ratio(shape, n: int, runs: int = 3) -> tuple[float, float, float]:
    """(seconds at n, seconds at 4n, their ratio)."""
    small, large = shape(n), shape(4 * n)
    t1, t4 = timed(small, runs), timed(large, runs)
    return t1, t4, t4 / max(t1, 1e-6)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    trackless.sanitize("<p>warm</p>")
    print(f"{'shape':32} {'n ms':>9} {'4n ms':>9} {'ratio':>6}  (medians of {args.runs}; linear ~4, quadratic ~16)")
    for name, shape in SHAPES.items():
        t1, t4, r = ratio(shape, args.n, args.runs)
        print(f"{name:32} {t1 * 1000:9.1f} {t4 * 1000:9.1f} {r:6.1f}")


if __name__ == "__main__":
    main()
