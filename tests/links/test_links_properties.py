"""Property tests: never raises, output safe, cleaning idempotent and minimal."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trackless.links import clean_params, load_rules
from trackless.links.engine import unwrap_with
from trackless.links.params import clean
from trackless.links.validate import accept, check_original

RULES = load_rules()
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

URL_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
names = st.sampled_from(["utm_source", "utm_medium", "UTM_Campaign", "fbclid", "mc_eid", "id", "q", "token", "u",
                         "url", "p", "elq", "elqTrackId", "si", "s", "a", "", "x;y", "utm%5Fterm", "redirect"])
values = st.one_of(
    st.text(alphabet=URL_CHARS, max_size=12),
    st.sampled_from(["", "1", "a+b", "%20", "%zz", "%E0%A4%A", "https://www.example.com/", "https%3A%2F%2Fa.example%2F",
                     "javascript:alert(1)", "aHR0cHM6Ly9hLmV4YW1wbGUv", "eyJlIjoiaHR0cHM6Ly9hLmV4YW1wbGUifQ"]),
)
segments = st.builds(lambda n, v, eq: n + ("=" + v if eq else ""), names, values, st.booleans())
hosts = st.sampled_from([
    "www.example.com", "eur01.safelinks.protection.outlook.com", "www.google.com", "email.mg.brand.example",
    "x7k2p.mjt.lu", "click.pstmrk.it", "urldefense.com", "urldefense.proofpoint.com", "u1.ct.sendgrid.net",
    "r.example.net", "youtu.be", "bücher.example", "127.0.0.1", "[::1]", "user@www.example.com", "a..b",
])
paths = st.sampled_from(["", "/", "/url", "/l.php", "/redirect", "/c/eJw", "/lnk/a/b/aHR0cHM6Ly9hLmV4YW1wbGUv",
                         "/3s/a.example%2Fx/y", "/v3/__https://a.example/*__;Jg!!x$", "/v2/url", "/ls/click",
                         "/CL0/https:%2F%2Fa.example/1/x", "/a b", "/\\x"])
urls = st.builds(
    lambda scheme, host, path, segs, frag: f"{scheme}://{host}{path}" + ("?" + "&".join(segs) if segs is not None else "")
    + ("#" + frag if frag is not None else ""),
    st.sampled_from(["http", "https", "HTTPS", "ftp", "javascript"]), hosts, paths,
    st.one_of(st.none(), st.lists(segments, max_size=6)), st.one_of(st.none(), st.text(max_size=6)),
)
anything = st.one_of(st.text(alphabet=URL_CHARS, max_size=200), urls)


def _check_link(url, link):
    assert link.original == url
    assert link.status in ("unchanged", "cleaned", "unwrapped", "opaque")
    if link.status == "unchanged":
        assert link.final == url and link.removed == ()
    elif link.status == "opaque":
        assert link.final is None and link.removed == ()
    elif link.status == "cleaned":
        assert link.removed and link.chain == ()
        assert check_original(link.final) is not None
    else:
        assert accept(link.final) is not None or check_original(link.final) is not None
        assert link.final.lower().startswith(("http://", "https://"))


@SETTINGS
@given(anything)
def test_unwrap_never_raises_and_output_is_original_or_http(url):
    # the unguarded engine: a bug would surface here instead of being swallowed
    _check_link(url, unwrap_with(RULES, url))


@SETTINGS
@given(urls)
def test_cleaning_is_idempotent(url):
    once, removed = clean_params(url)
    twice, removed2 = clean_params(once)
    assert twice == once and removed2 == ()
    if removed:
        assert len(once) < len(url)


# segments that stay segments: no "&" (separator) or "#" (fragment start) inside
plain_segments = segments.filter(lambda s: "&" not in s and "#" not in s)


@SETTINGS
@given(st.lists(plain_segments, min_size=1, max_size=8), st.one_of(st.none(), st.text(max_size=5)))
def test_cleaning_keeps_every_other_segment_in_order(segs, frag):
    url = "https://www.example.com/p?" + "&".join(segs) + ("#" + frag if frag is not None else "")
    new, removed, _f, _r = clean(url, RULES.params)
    kept = [s for s in segs if not _is_removed(s)]
    assert len(removed) == len(segs) - len(kept)
    query = "&".join(kept)
    expected = "https://www.example.com/p" + ("?" + query if query.strip("&") else "")
    if not removed:
        expected = "https://www.example.com/p?" + "&".join(segs)
    expected += "#" + frag if frag is not None else ""
    assert new == expected


def _is_removed(seg: str) -> bool:
    from urllib.parse import unquote

    name = seg.partition("=")[0]
    if not name or ";" in seg:
        return False
    return RULES.params.family_of(unquote(name), RULES.params.local_rules("www.example.com")[0]) is not None


@SETTINGS
@given(st.text(alphabet=URL_CHARS, max_size=60))
def test_any_wrapped_value_yields_a_safe_destination_or_nothing(value):
    wrapped = "https://eur01.safelinks.protection.outlook.com/?url=" + quote(value, safe="") + "&reserved=0"
    link = unwrap_with(RULES, wrapped)
    assert link.status in ("unwrapped", "opaque")
    if link.status == "unwrapped":
        assert accept(link.final) is not None
        assert "@" not in link.final.split("/")[2] and "\\" not in link.final


NO_PREFILTER = __import__("dataclasses").replace(RULES, any_prefilter=None, scan_prefilter=None)


@SETTINGS
@given(anything)
def test_any_host_prefilter_changes_nothing(url):
    """The path and host prefilters are optimisations only: same result without them."""
    assert RULES.any_prefilter is not None and RULES.scan_prefilter is not None
    assert unwrap_with(RULES, url) == unwrap_with(NO_PREFILTER, url)


def test_prefilter_equivalence_on_every_example():
    for ex in RULES.examples:
        assert unwrap_with(RULES, ex.url) == unwrap_with(NO_PREFILTER, ex.url)


@SETTINGS
@given(st.lists(anything, max_size=6))
def test_url_check_caches_change_nothing(batch):
    """validate._check and valid_host are memoised (pure; the same link and
    host recur within a mail): every result, in any order and with repeats,
    equals the one computed without the caches."""
    from trackless.links import validate

    batch = batch + batch[::-1]  # repeats: later calls hit the cache
    cached = [unwrap_with(RULES, u) for u in batch]
    cached_checks = [(validate.check_original(u), validate.accept(u)) for u in batch]
    check, valid = validate._check, validate.valid_host
    validate._check, validate.valid_host = check.__wrapped__, valid.__wrapped__
    try:
        assert [unwrap_with(RULES, u) for u in batch] == cached
        assert [(validate.check_original(u), validate.accept(u)) for u in batch] == cached_checks
    finally:
        validate._check, validate.valid_host = check, valid
