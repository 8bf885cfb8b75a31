"""Generative scaling check (issue 11): every hostile shape of bench/bench_scaling.py
costs time about linear in its size. Each shape is grown until sanitizing it
takes a measurable time, then measured at n and 4n (medians of 3); the ratio
(linear: about 4, quadratic: 16) is printed and held to a generous bound.
Shapes beyond the limits are refused at once (TooLargeError), which counts as fast."""

import sys
import time
from pathlib import Path

import pytest

import trackless
from trackless.errors import TooLargeError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_scaling import SHAPES  # noqa: E402

#: Generous: a linear shape gives about 4 (noise on a busy machine adds some), a quadratic one 16.
BOUND = 10.0
#: Shapes whose cost is the nesting depth itself: HTML5 tree construction
#: (scope checks over the open elements, in the parser) costs depth x tags.
#: It is bounded by the limits (core/html.py MAX_DEPTH, MAX_PARSE_WORK: a few
#: seconds at worst, then TooLargeError), not linear below them. The same for
#: the options of one select (lexbor; MAX_OPTIONS).
DEPTH_SHAPES = {"runs of frameset", "frameset document", "styles in deep nesting", "styles in deep svg",
                "deep nesting", "deep formatting", "unclosed tables", "select and options"}
DEPTH_BOUND = 20.0


def _time(html: str) -> float:
    times = []
    for _ in range(3):
        t = time.perf_counter()
        try:
            trackless.sanitize(html)
        except TooLargeError:
            pass
        times.append(time.perf_counter() - t)
    return sorted(times)[1]


@pytest.mark.parametrize("name", list(SHAPES))
def test_hostile_shape_scales_linearly(name):
    shape = SHAPES[name]
    n = 250
    while _time(shape(n)) < 0.03 and n < 16_000:
        n *= 2
    t1, t4 = _time(shape(n)), _time(shape(4 * n))
    ratio = t4 / t1
    print(f"{name}: n={n} {t1 * 1000:.1f} ms, 4n {t4 * 1000:.1f} ms, ratio {ratio:.1f}")
    bound = DEPTH_BOUND if name in DEPTH_SHAPES else BOUND
    assert ratio < bound, f"{name}: {ratio:.1f}x for 4x the input"
