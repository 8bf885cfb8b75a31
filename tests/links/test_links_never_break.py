"""Zero broken links: functional parameters survive, byte for byte.

Each row: a link as found in real mail shapes; the expected final URL is
written out literally.
"""

from __future__ import annotations

import pytest

from trackless.links import clean_params, unwrap

# (description, link, expected final, expected status)
TABLE = [
    ("search terms", "https://www.example.com/search?q=red+shoes&category=women&utm_source=nl",
     "https://www.example.com/search?q=red+shoes&category=women", "cleaned"),
    ("search with encoded chars", "https://shop.example.com/s?k=caf%C3%A9%20cr%C3%A8me&utm_medium=email&page=2",
     "https://shop.example.com/s?k=caf%C3%A9%20cr%C3%A8me&page=2", "cleaned"),
    ("product id", "https://shop.example.com/product?id=B08XYZ1234&variant=42&mc_eid=abc123",
     "https://shop.example.com/product?id=B08XYZ1234&variant=42", "cleaned"),
    # an id stays (a reset token is one): never "cleaned", kept as written (issue 17)
    ("password reset token", "https://accounts.example.com/reset?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_-abc&email=reader%40example.org&utm_campaign=reset",
     None, "opaque"),
    ("unsubscribe id", "https://brand.example/unsubscribe?uid=7d1f0e2a&list=weekly&sig=Zm9v%2Bbar%3D",
     "https://brand.example/unsubscribe?uid=7d1f0e2a&list=weekly&sig=Zm9v%2Bbar%3D", "unchanged"),
    ("video id and time", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s&list=PL123&utm_source=newsletter",
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s&list=PL123", "cleaned"),
    ("vimeo id", "https://vimeo.com/123456789?share=copy", "https://vimeo.com/123456789?share=copy", "unchanged"),
    ("encoded value kept as written", "https://www.example.com/p?next=%2Fcart%3Fa%3D1%26b%3D2&fbclid=IwAR0",
     "https://www.example.com/p?next=%2Fcart%3Fa%3D1%26b%3D2", "cleaned"),
    ("lower-case percent escapes kept", "https://www.example.com/p?x=%2f%3a&gclid=1",
     "https://www.example.com/p?x=%2f%3a", "cleaned"),
    ("fragment kept", "https://docs.example.com/guide?v=3&utm_source=x#section-2.1",
     "https://docs.example.com/guide?v=3#section-2.1", "cleaned"),
    ("fragment with query-like text", "https://app.example.com/#/inbox?utm_source=x",
     "https://app.example.com/#/inbox?utm_source=x", "unchanged"),
    ("repeated keys", "https://www.example.com/filter?tag=a&tag=b&utm_source=x&tag=c",
     "https://www.example.com/filter?tag=a&tag=b&tag=c", "cleaned"),
    ("empty values", "https://www.example.com/form?name=&flag&utm_term=&x=1",
     "https://www.example.com/form?name=&flag&x=1", "cleaned"),
    ("semicolon separators kept whole", "https://legacy.example.com/cgi?id=5;lang=en&utm_source=x",
     "https://legacy.example.com/cgi?id=5;lang=en", "cleaned"),
    ("ambiguous semicolon segment not touched", "https://legacy.example.com/cgi?utm_source=x;id=5",
     "https://legacy.example.com/cgi?utm_source=x;id=5", "unchanged"),
    ("empty query marker kept", "https://www.example.com/page?", "https://www.example.com/page?", "unchanged"),
    ("empty fragment kept", "https://www.example.com/page?a=1&utm_source=x#",
     "https://www.example.com/page?a=1#", "cleaned"),
    ("only tracking: ? removed", "https://www.example.com/page?utm_source=x&utm_medium=y",
     "https://www.example.com/page", "cleaned"),
    ("plus sign in value", "https://www.example.com/tel?n=%2B49+30+1234&utm_source=x",
     "https://www.example.com/tel?n=%2B49+30+1234", "cleaned"),
    ("path params and matrix", "https://www.example.com/a;jsessionid=ABC/b?c=d&utm_source=e",
     "https://www.example.com/a;jsessionid=ABC/b?c=d", "cleaned"),
    ("port and case kept", "HTTPS://WWW.Example.COM:8443/Path/To?Q=Keep&UTM_SOURCE=x",
     "HTTPS://WWW.Example.COM:8443/Path/To?Q=Keep", "cleaned"),
    ("parameter that merely contains a tracking name", "https://www.example.com/x?my_utm_source=1&notfbclid=2",
     "https://www.example.com/x?my_utm_source=1&notfbclid=2", "unchanged"),
    ("eloqua bare elq", "https://pages.example.com/lp?elq=abc123&elqTrackId=1",
     "https://pages.example.com/lp?elq=abc123", "cleaned"),
    ("mailchimp unsubscribe page ids", "https://brand.us12.list-manage.com/unsubscribe?u=0a1b&id=9f8e&e=1a2b&c=abc",
     "https://brand.us12.list-manage.com/unsubscribe?u=0a1b&id=9f8e&e=1a2b&c=abc", "unchanged"),
    ("login continuation never unwrapped", "https://login.example.com/sso?return_to=https%3A%2F%2Fother.example.net%2F",
     "https://login.example.com/sso?return_to=https%3A%2F%2Fother.example.net%2F", "unchanged"),
    ("next= on a normal page", "https://app.example.com/signin?next=https://app.example.com/billing",
     "https://app.example.com/signin?next=https://app.example.com/billing", "unchanged"),
    ("OAuth redirect_uri", "https://auth.example.com/authorize?client_id=1&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&state=xyz",
     "https://auth.example.com/authorize?client_id=1&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&state=xyz", "unchanged"),
    ("archive copy", "https://web.archive.org/web/2020/https://www.example.com/?utm_source=x",
     "https://web.archive.org/web/2020/https://www.example.com/", "cleaned"),
    ("share link on another site keeps si", "https://music.example.com/track/1?si=abc",
     "https://music.example.com/track/1?si=abc", "unchanged"),
    ("IDN host untouched", "https://bücher.example/suche?titel=faust&utm_source=x",
     "https://bücher.example/suche?titel=faust", "cleaned"),
    ("percent-encoded tracking name", "https://www.example.com/?a=1&utm%5Fsource=x",
     "https://www.example.com/?a=1", "cleaned"),
    ("invalid percent escape kept", "https://www.example.com/?q=100%&utm_source=x&r=%zz",
     "https://www.example.com/?q=100%&r=%zz", "cleaned"),
]


@pytest.mark.parametrize("desc,link,final,status", TABLE, ids=[row[0] for row in TABLE])
def test_functional_parameters_survive(desc, link, final, status):
    result = unwrap(link)
    assert result.final == final
    assert result.status == status
    assert result.original == link


@pytest.mark.parametrize("desc,link,final,status", TABLE, ids=[row[0] for row in TABLE])
def test_cleaning_is_idempotent(desc, link, final, status):
    once = unwrap(link).final
    if once is None:  # kept as written (an id stays): nothing to clean twice
        assert status == "opaque"
        return
    again = unwrap(once)
    assert again.final == once
    assert again.status == "unchanged"
    assert clean_params(once) == (once, ())


def test_unwrapped_destination_keeps_its_functional_parameters():
    link = unwrap("https://www.google.com/url?q=https%3A%2F%2Fwww.example.com%2Freset%3Ftoken%3Dab%252Fcd%26id%3D7%23top&sa=D")
    assert link.final == "https://www.example.com/reset?token=ab%2Fcd&id=7#top"


def test_keep_returns_link_untouched_but_reports():
    url = "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.example.com%2F&data=05%7Cme%40x.example"
    from trackless.core.identity import Identity

    link = unwrap(url, keep=True, identity=Identity.of(["me@x.example"]))
    assert link.status == "unchanged" and link.final == url
    assert link.removed == () and link.chain == ()
    assert link.vendor == "Microsoft Safe Links"
    assert link.identifies_you is True
    plain = unwrap("https://www.example.com/?utm_source=x", keep=True)
    assert plain.final == "https://www.example.com/?utm_source=x" and plain.status == "unchanged"


def test_clean_params_never_edits_a_wrapper():
    opaque = "https://brand.us12.list-manage.com/track/click?u=1&id=2&e=3&utm_source=x"
    assert clean_params(opaque) == (opaque, ())
    assert unwrap(opaque).final is None and unwrap(opaque).status == "opaque"
    assert clean_params("https://www.example.com/?utm_source=x&a=1") == ("https://www.example.com/?a=1", ("utm_source",))
    assert clean_params("mailto:x@example.com?subject=utm_source") == ("mailto:x@example.com?subject=utm_source", ())
