"""Hostile mail in real headless Thunderbird (issue 11).

- A <body> whose attribute names setAttribute refuses (a broken unquoted
  style) must not make the swap fail: the mail is sanitized, its links cleaned.
- News URLs (news:, nntp:, snews:) in loading positions: opening the mail
  must not contact the news server they name (a loopback NNTP listener).
"""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.thunderbird


def test_body_attribute_names_setattribute_refuses_do_not_stop_the_swap(tb, server):
    view = tb.open_message("Broken body attributes", server.base)
    assert view["state"] == "sanitized", (view, tb.log_tail())
    assert view["shown"] and view["remote"] == [], view
    link = [l for l in view["links"] if l["id"] == "l-broken"][0]
    assert link["href"] == "https://shop.example/b?k=1", link
    assert view["badge"] not in (None, "", "err"), view
    parts = [i for i in view["images"] if i["src"] and not i["src"].startswith("http")]
    assert parts and all(i["complete"] and i["naturalWidth"] == 2 for i in parts), view["images"]
    assert server.snapshot() == [], server.snapshot()


def _nntp_channel_errors(tb) -> int:
    return tb.log_path.read_bytes().decode("utf-8", "replace").count("NntpChannel.sys.mjs")


def test_news_urls_in_a_mail_contact_no_news_server(tb, server, news):
    """With remote content blocked, Thunderbird opens a channel for every news URL
    in the mail (its log shows NntpChannel's security check refusing each one) as
    the message is parsed, before any add-on script can see the element; this
    Thunderbird refuses them all, so the listener must see no connection. The
    sanitized view carries no news URL in a loading attribute."""
    tb.select_none()
    before = _nntp_channel_errors(tb)
    view = tb.open_message("News server probe", server.base)
    time.sleep(2)  # a connection attempt, if any, has time to arrive
    assert view["state"] == "sanitized", view
    assert [i["src"] for i in view["images"]] == [None] * len(view["images"]), view["images"]
    assert news.snapshot() == [], f"Thunderbird contacted the news server: {news.snapshot()}"
    assert server.snapshot() == []
    # the measurement behind README's limit: the channels were opened (and refused)
    deadline = time.monotonic() + 5
    while _nntp_channel_errors(tb) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _nntp_channel_errors(tb) > before, "Thunderbird no longer opens news channels: revisit README's limit"
