"""The per-URL caches of the core and the links engine change no result:
sanitize with the caches (cold, and warm from earlier mails) equals sanitize
with every cached function replaced by its uncached original."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trackless
from trackless.core import learn, sanitizer, tokens
from trackless.links import validate

sys.path.insert(0, str(Path(__file__).parent))
from mailgen import mails  # noqa: E402

# (module, name) of every memoised pure function, and the module globals that call it
CACHED = [(sanitizer, "_url_facts"), (validate, "_check"), (validate, "valid_host"),
          (tokens, "content_reason"), (learn, "content_reason")]


@contextmanager
def uncached():
    saved = [(m, n, getattr(m, n)) for m, n in CACHED]
    for m, n, f in saved:
        setattr(m, n, f.__wrapped__)
    try:
        yield
    finally:
        for m, n, f in saved:
            setattr(m, n, f)


def _run(html: str):
    r = trackless.sanitize(html, recipients=("jane.doe@example.org",))
    return r.html, r.remote, r.links


def _same_with_and_without(docs: list[str]) -> None:
    for m, n in CACHED[:4]:
        getattr(m, n).cache_clear()
    cold = [_run(d) for d in docs]
    warm = [_run(d) for d in docs]  # every URL seen before: cache hits
    with uncached():
        plain = [_run(d) for d in docs]
    assert cold == plain
    assert warm == plain


def test_caches_change_nothing_on_generated_mails():
    _same_with_and_without(mails(40, seed=1616))


hosts = st.sampled_from(["www.example.com", "click.e.brand.example", "t.example", "pixel.t.example",
                         "northwind.us14.list-manage.com", "www.google.com", "eur01.safelinks.protection.outlook.com",
                         "cdn.shopify.com", "fonts.googleapis.com", "open.convertkit-mail4.com", "bücher.example",
                         "127.0.0.1", "[::1]", "a..b", "u@www.example.com", "EXAMPLE.com.", "x:99999"])
paths = st.sampled_from(["", "/", "/o.gif", "/p/9c8d7e6f5a", "/ls/click", "/track/click", "/url", "/static/a.png",
                         "/images/logo.png", "/assets/aGVsbG8gd29ybGQ.css", "/s/files/1/x.jpg", "/3f1a2b4c5d6e7f80"])
queries = st.sampled_from(["", "?u=3f1a2b4c5d6e7f8091a2b3c4d&id=9c8d000001&e=b49be4c6d5", "?utm_source=mail&x=1",
                           "?q=https://www.example.com/p%3Fa%3D1&sa=D", "?e=amFuZS5kb2VAZXhhbXBsZS5vcmc",
                           "?email=jane.doe@example.org", "?upn=u001.Xk9dFv2Lq8Rz-2BhT4mWc7yPaN3sJ0eGd5fK1oQ6iU"])
urls = st.builds(lambda s, h, p, q: f"{s}://{h}{p}{q}", st.sampled_from(["http", "https"]), hosts, paths, queries)
refs = st.lists(st.tuples(st.sampled_from(["a", "img", "srcset", "bg"]), urls), min_size=1, max_size=12)


def _doc(items) -> str:
    out = []
    for kind, u in items:
        if kind == "a":
            out.append(f'<a href="{u}">go</a>')
        elif kind == "img":
            out.append(f'<img src="{u}" width="1" height="1">')
        elif kind == "srcset":
            out.append(f'<img src="{u}" srcset="{u} 1x, {u}?2 2x" alt="x">')
        else:
            out.append(f'<td background="{u}" style="background:url({u})">x</td>')
    return "<html><body><table><tr>" + "".join(out) + "</tr></table></body></html>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(refs, min_size=1, max_size=3))
def test_caches_change_nothing_on_generated_references(batches):
    # URLs recur within a mail and across mails (the caches' whole point)
    _same_with_and_without([_doc(items) for items in batches])
