"""Benchmark the link engine: rule loading and unwraps per second.

Measured in the same run:

* rule loading: ``load_rules()`` from a cold cache (parse every TOML file,
  validate, compile the regexes and decoder pipelines), median of N loads;
* the engine: ``unwrap()`` over a realistic mix of mail links;
* the baseline: plain ``urllib.parse.urlsplit`` + ``parse_qsl`` over the same
  URLs (what any link handling costs at least).

The mix: every rule example (wrappers, nested ones, opaque links, tracking
parameters) plus ordinary page links with and without tracking parameters,
weighted like a newsletter (most links are ordinary or one-level wrapped).

Usage: ``.venv/bin/python bench/bench_links.py [--rounds 7] [--loads 15]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import parse_qsl, quote, urlsplit


def mix() -> list[str]:
    from trackless.links import load_rules

    rules = load_rules()
    examples = [e.url for e in rules.examples]
    pages = [
        "https://www.example.com/",
        "https://www.example.com/products/shoes?color=red&size=42",
        "https://shop.example.com/p/4711?color=blue&utm_source=newsletter&utm_medium=email&utm_campaign=spring",
        "https://blog.example.org/2026/03/launch/?mc_cid=5f2e3a1b9c&mc_eid=7d8e9f0a1b",
        "https://accounts.example.com/reset?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig&email=reader%40example.org",
        "https://brand.example/unsubscribe?uid=7d1f0e2a&list=weekly",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=AbCdEf",
        "mailto:support@brand.example",
        "tel:+4930123456",
        "https://www.example.fr/article.html?at_medium=email&at_campaign=nl&at_recipient_id=27-4982&xtor=EPR-1",
    ]
    nested = (
        "https://eur02.safelinks.protection.outlook.com/?url="
        + quote("https://www.google.com/url?q=" + quote(pages[2], safe="") + "&sa=D", safe="")
        + "&data=05%7C02%7Cme%40work.example&reserved=0"
    )
    # a newsletter: many plain/cleaned links, some wrapped, a few nested
    return pages * 6 + examples + [nested] * 4


def time_loads(n: int) -> list[float]:
    from trackless.links import load_rules

    out = []
    for _ in range(n):
        load_rules.cache_clear()
        t0 = time.perf_counter()
        load_rules()
        out.append(time.perf_counter() - t0)
    return out


def rate(fn, urls: list[str], rounds: int, min_time: float = 0.2) -> list[float]:
    """Items per second for each round (each round repeats the mix >= min_time)."""
    rates = []
    for _ in range(rounds):
        n = 0
        t0 = time.perf_counter()
        while True:
            for u in urls:
                fn(u)
            n += len(urls)
            elapsed = time.perf_counter() - t0
            if elapsed >= min_time:
                break
        rates.append(n / elapsed)
    return rates


def baseline(url: str):
    parts = urlsplit(url)
    return parts.hostname, parse_qsl(parts.query, keep_blank_values=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--loads", type=int, default=15)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    import trackless.links  # noqa: F401

    import_s = time.perf_counter() - t0
    loads = time_loads(args.loads)
    from trackless.core.identity import Identity
    from trackless.links import load_rules, unwrap

    rules = load_rules()
    urls = mix()
    me = Identity.of(["reader@example.org"])

    engine = rate(unwrap, urls, args.rounds)
    engine_id = rate(lambda u: unwrap(u, identity=me), urls, args.rounds)
    base = rate(baseline, urls, args.rounds)

    m_engine, m_id, m_base = (statistics.median(x) for x in (engine, engine_id, base))
    statuses: dict[str, int] = {}
    for u in urls:
        s = unwrap(u).status
        statuses[s] = statuses.get(s, 0) + 1
    print(f"rules: {len(rules.wrappers)} wrapper rules, {len(rules.examples)} examples")
    print(f"import trackless.links: {import_s * 1000:.1f} ms")
    print(f"load_rules (cold, median of {args.loads}): {statistics.median(loads) * 1000:.2f} ms "
          f"(min {min(loads) * 1000:.2f}, max {max(loads) * 1000:.2f})")
    print(f"mix: {len(urls)} URLs {statuses}")
    print(f"baseline urlsplit+parse_qsl: {m_base:,.0f} URLs/s (median of {args.rounds})")
    print(f"unwrap:                      {m_engine:,.0f} URLs/s  = {m_engine / m_base:.3f} x baseline "
          f"({m_base / m_engine:.1f}x slower)")
    print(f"unwrap with identity:        {m_id:,.0f} URLs/s  = {m_id / m_base:.3f} x baseline "
          f"({m_base / m_id:.1f}x slower)")
    print(f"per link: {1e6 / m_engine:.1f} us (no identity), {1e6 / m_id:.1f} us (identity)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
