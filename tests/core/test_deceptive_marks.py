"""The sanitizer judges each link from what the reader is shown and marks
the element (a contract with the add-on's display script)."""

from __future__ import annotations

import trackless


def _links(html, sender="news@brand.example"):
    return trackless.sanitize(html, sender=sender)


def test_marks_and_json_field():
    r = _links('<a href="https://evil.example/x">www.paypal.com</a>'
               '<a href="https://www.paypa1.com/" title="Sign in"><img alt="PayPal" src="cid:logo"></a>'
               '<a href="https://www.brand.example/">www.brand.example</a>'
               '<a href="https://bit.ly/abc">brand.example</a>')
    kinds = [l.verdict.kind if l.verdict else None for l in r.links]
    assert kinds == ["deceptive", "lookalike", None, "hidden"]  # a shortener hides even the sender's own site
    assert 'data-trackless-verdict="deceptive"' in r.html
    assert 'data-trackless-verdict="lookalike"' in r.html
    assert r.html.count("data-trackless-verdict=") == 3
    assert "data-trackless-evidence=\"the link&#x27;s text names paypal.com" in r.html or \
        "data-trackless-evidence=\"the link's text names paypal.com" in r.html
    d = r.to_dict()["links"]
    assert d[0]["verdict"]["names"] == "paypal.com" and d[2]["verdict"] is None


def test_unwrapped_destination_is_what_counts():
    """A Google redirect to the named site is fine; to another site it is deceptive."""
    ok = _links('<a href="https://www.google.com/url?q=https://www.brand.example/page">www.brand.example</a>')
    assert ok.links[0].status == "unwrapped" and ok.links[0].verdict is None
    bad = _links('<a href="https://www.google.com/url?q=https://evil.example/page">www.paypal.com</a>')
    assert bad.links[0].verdict.kind == "deceptive" and bad.links[0].verdict.domain == "evil.example"


def test_opaque_wrapper_naming_another_site_is_hidden():
    r = _links('<a href="https://u1234.ct.sendgrid.net/ls/click?upn=abc">www.paypal.com</a>')
    assert r.links[0].status == "opaque" and r.links[0].verdict.kind == "hidden"
    assert 'data-trackless-verdict="hidden"' in r.html


def test_area_alt_and_long_text():
    r = _links('<map name="m"><area href="https://evil.example/" alt="www.paypal.com"></map>'
               '<a href="https://evil.example/">' + "word " * 1000 + "</a>")
    assert [l.verdict.kind if l.verdict else None for l in r.links] == ["deceptive", None]


def test_output_is_a_fixed_point():
    html = '<p><a href="https://evil.example/x" title="https://www.dhl.com/">Track</a></p>'
    once = _links(html).html
    assert _links(once).html == once


def test_forged_marks_are_removed():
    """A mail cannot mark its own links: the add-on trusts these attributes."""
    r = _links('<a href="https://evil.example/" data-trackless-alias="paypal.com" data-trackless-verdict="x" '
               'data-trackless-evidence="fine">https://evil.example/</a>')
    assert "data-trackless-alias" not in r.html and "data-trackless-verdict" not in r.html
    assert "data-trackless-evidence" not in r.html


def test_same_owner_url_text_is_marked_for_thunderbird():
    """Text that is a URL of the same brand's other domain: no verdict, but the
    add-on is told (Thunderbird's own check compares registrable domains only)."""
    r = _links('<a href="https://www.amazon.com/gp">https://www.amazon.de/</a>'
               '<a href="https://www.amazon.com/gp">www.amazon.de</a>'        # not a URL to Thunderbird
               '<a href="https://www.amazon.com/gp">https://smile.amazon.com/</a>')
    assert [l.verdict for l in r.links] == [None, None, None]
    assert r.html.count('data-trackless-alias="amazon.de"') == 1


def test_reading_a_link_is_bounded():
    """Each link reads a bounded part of its subtree (a link around 100,000
    nested elements costs no more than one around 400)."""
    from trackless.core import walk_links

    visited = []

    class Tag:
        name = "div"

    class Big:
        name = "a"

        @property
        def descendants(self):
            for i in range(100_000):
                visited.append(i)
                yield Tag()

    assert walk_links._shown_parts(Big()) == ("", [])
    assert len(visited) <= walk_links._MAX_LINK_NODES + 1
    deep = '<a href="https://evil.example/">' + "<span>" * 300 + "www.paypal.com" + "</span>" * 300 + "</a>"
    assert _links(deep).links[0].verdict.kind == "deceptive"  # within the bound: still read
