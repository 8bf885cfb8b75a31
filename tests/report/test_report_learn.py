"""`trackless report` learns ids of the reader over the mails it reads (issue 17)."""

from __future__ import annotations

from trackless import sanitize as real_sanitize
from trackless.core.learn import Learner, digest
from trackless.report.analyse import analyse

ID = "k2f9x0qe3lm7a8c1"


def _mail(n: int) -> bytes:
    html = (f'<p><a href="https://www.brand.example/story/{n}?r={ID}">story</a>'
            f'<a href="https://www.brand.example/account?r={ID}">account</a></p>')
    return (f"From: News <news@brand.example>\r\nTo: reader@example.org\r\nSubject: issue {n}\r\n"
            f"Content-Type: text/html; charset=utf-8\r\n\r\n{html}").encode()


def test_report_learns_over_the_mails_it_reads_and_uses_it():
    learner = Learner()
    calls = []

    def sanitize(html, **kw):
        calls.append(kw.get("learned"))
        return real_sanitize(html, **kw)

    for n in range(4):
        analyse(_mail(n), f"mail{n}", sanitize=sanitize, learner=learner)
    assert calls[:3] == [None, None, None]  # nothing known before three mails
    assert calls[3] == {digest(ID): "this value appeared in all 3 mails from this sender"}
    found = real_sanitize(_mail(4).split(b"\r\n\r\n", 1)[1].decode(), sender="news@brand.example", learned=calls[3])
    assert all(link.tracker for link in found.links)
    assert "learned from your mail" in found.links[0].reason


def test_without_a_learner_nothing_is_learned():
    findings = analyse(_mail(0), "mail0")
    assert findings is not None
