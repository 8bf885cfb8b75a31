"""Learning ids of the reader from their own mail (issue 17): within one mail,
across mails of one sender, applied to the next mail."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from trackless import sanitize
from trackless.core import learn

ID = "k2f9x0qe3lm7a8c1"  # random-looking, lower-case: no pattern names it


def test_slots_name_parameters_and_path_segments_but_not_content():
    assert learn.slots(f"https://t.brand.example/o/{ID}?u=Kd8aQ2bM9vR4tY7uZ1wE&lang=de") == [
        ("p:1", ID), ("q:u", "Kd8aQ2bM9vR4tY7uZ1wE")]
    assert learn.slots(f"https://cdn.brand.example/assets/{ID}.png") == []
    assert learn.slots("https://www.example.com/blog/spring-sale") == []


def test_within_one_mail_the_same_value_in_a_pixel_and_a_link_is_one_id():
    html = (f'<img src="https://news.brand.example/open/{ID}" width="1" height="1">'
            f'<a href="https://www.brand.example/account/settings?who={ID}">settings</a>'
            f'<img src="https://img.brand.example/banner/{ID}" width="600">')
    res = sanitize(html)
    link = res.links[0]
    assert link.tracker is True
    assert "an id of the reader: the same id appears in 3 addresses of this mail" in link.reason
    banner = res.remote[1]
    assert banner.tracker is True and "an id of the reader" in banner.reason
    assert res.badge == 3


def test_a_product_id_shared_by_an_image_and_its_link_is_content():
    html = (f'<img src="https://img.shop.example/products/{ID}" width="300">'
            f'<a href="https://shop.example/products/{ID}">buy</a>')
    res = sanitize(html)
    assert res.remote[0].tracker is False
    assert res.links[0].tracker is False
    assert res.badge == 0


def _mail(n: int, reader: str = ID) -> list[str]:
    return [f"https://www.brand.example/story/{n}?r={reader}",
            f"https://www.brand.example/account?r={reader}",
            f"https://img.brand.example/logo/Kd8aQ2bM9vR4tY7uZ1wE{n % 1}",   # the same logo in every mail, once
            f"https://www.brand.example/issue?send=Xq{n}7pL3mN8vB2cZ5wR4"]    # changes per mail


def test_across_mails_a_value_in_every_mail_and_several_links_is_the_reader():
    lrn = learn.Learner()
    for n in range(learn.MIN_MAILS - 1):
        lrn.learn("news@brand.example", _mail(n))
        assert lrn.known("news@brand.example") == {}  # not before MIN_MAILS
    lrn.learn("news@brand.example", _mail(9))
    known = lrn.known("news@brand.example")
    assert list(known) == [learn.digest(ID)]  # not the logo, not the send id
    assert known[learn.digest(ID)] == f"this value appeared in all {learn.MIN_MAILS} mails from this sender"
    assert lrn.known("other@brand.example") == {}
    # the store never holds the id in clear
    assert ID not in repr(lrn.state)


def test_learned_ids_apply_to_the_next_mail_of_that_sender():
    lrn = learn.Learner()
    for n in range(4):
        lrn.learn("news@brand.example", _mail(n))
    html = f'<a href="https://www.brand.example/story/5?r={ID}">read</a>'
    plain = sanitize(html, sender="news@brand.example")
    assert plain.links[0].tracker is False
    res = sanitize(html, sender="news@brand.example", learned=lrn.known("news@brand.example"))
    assert res.links[0].tracker is True
    assert "learned from your mail: this value appeared in all 4 mails from this sender" in res.links[0].reason
    assert res.badge == 1


def test_a_bad_state_starts_empty():
    for bad in (None, [], {"senders": 3}, "x"):
        assert learn.Learner(bad).known("a@b.example") == {}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 900), st.integers(0, 200)), max_size=80))
def test_the_state_stays_bounded(mails):
    lrn = learn.Learner()
    for sender, n in mails:
        urls = [f"https://t.x.example/o/{ID}{v}q7" for v in range(n % 90)]
        lrn.learn(f"s{sender}@x.example", urls + [u.replace("/o/", "/c/") for u in urls])
    senders = lrn.state["senders"]
    assert len(senders) <= learn.MAX_SENDERS
    assert all(len(rec["values"]) <= learn.MAX_VALUES for rec in senders.values())
