"""Renderers: hostile text from a mail is shown, never interpreted; charts; progress line."""

from __future__ import annotations

import io
import json
import re

import pytest

from trackless.report import render_html, render_json, render_md
from trackless.report.aggregate import Aggregator, MonthStat
from trackless.report.analyse import LinkFinding, MailFindings, TrackerFinding
from trackless.report.meta import DnsChain, ReportMeta
from trackless.report.progress import Progress, format_line
from trackless.report.sources import SourceError
from trackless.report.words import visible

HOSTILE = 'Hi <img src="https://evil.example/x.gif"> | **bold** [link](https://evil.example/) `code` \u202eevil\u202c &amp;'


def hostile_mail() -> MailFindings:
    t = TrackerFinding(kind="pixel", url='https://t.example/o.gif?a=1&b="><script>x</script>|`', host="t.example",
                       domain="t.example", vendor="V <b>", reason="r|s", confidence="high", identifies_you=False,
                       identifies_how=None, token="tok`en", element="img", attribute="src", third_party=True)
    l = LinkFinding(original="https://w.example/c?x=1&y=<2>", host="w.example", domain="w.example", status="opaque",
                    vendor=None, destination=None, tracking_params=(("utm_source", "a|b"), ("utm_term", None)),
                    identifies_you=False, identifies_how=None, rule=None, chain=(), third_party=True)
    return MailFindings(origin="box#1", date="Tue, 08 Sep 2026 07:30:12 +0200", date_utc="2026-09-08T05:30:12Z",
                        sender="n@brand.example", sender_domain="brand.example", subject=HOSTILE,
                        message_id="<a|b@c>", recipients=("r@x.example",), trackers=(t,), links=(l,), other_remote=(),
                        links_total=1, read_receipts=("Disposition-Notification-To",), has_html=True, has_text=False)


def render(module, f: MailFindings, **meta_kw) -> str:
    agg = Aggregator()
    agg.add(f)
    meta = ReportMeta(generated="2026-11-26T05:00:00Z", version="9.9", sources=("box",), readers=(),
                      redacted=False, **meta_kw)
    sep = ",\n" if module is render_json else ""
    chunks = sep.join([module.mail(1, f)])
    return "".join(module.document(meta, agg.summary(), iter([chunks])))


def test_visible_makes_controls_and_bidi_visible():
    assert visible("a\u202eb\x00c\nd\u200be") == "a\\u202eb\\u0000c d\\u200be"


def test_markdown_escapes_mail_text():
    md = render(render_md, hostile_mail())
    heading = next(line for line in md.splitlines() if line.startswith("### 1."))
    # bare URLs are code spans: no renderer auto-links them
    assert heading == ("### 1. Hi \\<img src=\"`https://evil.example/x.gif`\"\\> \\| \\*\\*bold\\*\\* "
                       "\\[link\\](`https://evil.example/`) \\`code\\` \\\\u202eevil\\\\u202c \\&amp;")
    # (the visible \u202e form's backslash is itself escaped, so it renders as the text \u202e)
    assert "\u202e" not in md
    # table rows keep their column count: every | from a mail is escaped
    for line in md.splitlines():
        if line.startswith("| 1 | tracking pixel"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 9
    assert "| ``tok`en`` |" in md  # a code span fenced longer than the backtick run inside


def test_html_escapes_mail_text_and_has_no_remote_reference():
    page = render(render_html, hostile_mail())
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=&quot;https://evil.example/x.gif&quot;&gt;" in page
    assert not re.search(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", page, re.I)
    assert "<script" not in page.lower() and "@import" not in page
    assert f'content="{render_html.CSP}"' in page and "default-src 'none'" in page


def test_json_is_valid_and_round_trips_mail_text():
    doc = json.loads(render(render_json, hostile_mail()))
    assert doc["schema"] == "trackless-report/1"
    assert doc["mails"][0]["subject"] == HOSTILE
    assert doc["mails"][0]["tracked_links"][0]["tracking_params"] == [
        {"name": "utm_source", "value": "a|b"}, {"name": "utm_term", "value": None}]
    assert doc["dns"] is None


def test_json_with_no_mails_and_dns_and_skipped():
    meta = ReportMeta(generated="g", version="v", sources=(), readers=(), redacted=True,
                      skipped=(SourceError("x", "bad_input", "no such file or directory"),),
                      dns=(DnsChain("epost.brand.example", ("brand.esp.example",), "ESP"),))
    doc = json.loads("".join(render_json.document(meta, Aggregator().summary(), iter([]))))
    assert doc["mails"] == [] and doc["summary"]["skipped"] == 1
    assert doc["dns"] == [{"host": "epost.brand.example", "chain": ["brand.esp.example"], "vendor": "ESP", "note": ""}]


def test_month_chart_bars_scale_to_the_largest_month():
    svg = render_html.month_chart((MonthStat("2026-09", 4, 1), MonthStat("2026-10", 2, 2)))
    heights = [int(h) for h in re.findall(r'<rect x="\d+" y="\d+" width="\d+" height="(\d+)"', svg)]
    assert heights == [160, 40, 80, 80]  # all / with trackers per month, 160 px = 4 mails
    assert "<script" not in svg


def test_bar_chart_escapes_sender():
    agg = Aggregator()
    f = hostile_mail()
    agg.add(f.__class__(**{**f.__dict__, "sender": "<x>@evil.example"}))
    svg = render_html.bar_chart(agg.summary().senders)
    assert "&lt;x&gt;@evil.example" in svg and "<x>" not in svg


@pytest.mark.parametrize("args, expected", [
    ((0, 0.0, 0, 1000), "0 mails  0.0/s  [----------]    0%  ETA --:--"),
    ((50, 2.0, 500, 1000), "50 mails  25.0/s  [#####-----]   50%  ETA 0:02"),
    ((1200, 10.0, 1000, 1000, 3), "1,200 mails  120.0/s  [##########]  100%  ETA 0:00  3 skipped"),
    ((7, 1.0, 0, 0), "7 mails  7.0/s"),
    ((7, 1.0, 0, 0, 2), "7 mails  7.0/s  2 skipped"),
    ((10, 3600.0, 1, 10), "10 mails  0.0/s  [#---------]   10%  ETA 9:00:00"),
    ((1, 1.0, 0, 0), "1 mail  1.0/s"),
    # the first frame (one batch read, workers starting): no ETA extrapolated from 0.3 s and 0.01% of the input
    ((16, 0.3, 50_000, 500_000_000), "16 mails  53.3/s  [----------]    0%  ETA --:--"),
    ((16, 5.0, 50_000, 500_000_000), "16 mails  3.2/s  [----------]    0%  ETA --:--"),
])
def test_format_line(args, expected):
    line = format_line(*args, width=200)
    bar = re.search(r"\[([#-]+)\]", line)
    if "[" in expected:
        # the bar fills the width; its filled fraction matches the expected one
        want = re.search(r"\[([#-]+)\]", expected).group(1)
        assert round(bar.group(1).count("#") / len(bar.group(1)), 1) == want.count("#") / len(want)
    assert re.sub(r"\[[#-]+\]", "[]", line) == re.sub(r"\[[#-]+\]", "[]", expected)


@pytest.mark.parametrize("width", [40, 60, 80, 132])
def test_format_line_fits_width(width):
    assert len(format_line(123456, 61.0, 5, 10, 12, width=width)) <= width


def test_progress_is_silent_when_not_a_tty_and_draws_on_a_tty():
    quiet = io.StringIO()
    p = Progress(100, quiet)
    p.update(mails=5, nbytes=50)
    p.note("trackless report: skipped x")
    p.close()
    assert quiet.getvalue() == "trackless report: skipped x\n"

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    t = [0.0]
    p = Progress(100, tty, clock=lambda: t[0])
    t[0] = 1.0
    p.update(mails=5, nbytes=50)
    t[0] = 1.05  # throttled: no redraw
    p.update(mails=1, nbytes=1)
    p.close()
    out = tty.getvalue()
    assert out.count("\r\x1b[K") == 2 and "5 mails" in out and "6 mails" not in out and out.endswith("\r\x1b[K")


# -- charts that fit any span, per-vendor detail ------------------------------------------------------------

def _months(first_year: int, n: int):
    from trackless.report.aggregate import MonthStat

    out = []
    for i in range(n):
        y, m = divmod(i, 12)
        out.append(MonthStat(f"{first_year + y}-{m + 1:02d}", 10 + i, i))
    return tuple(out)


@pytest.mark.parametrize("n, unit, columns", [(12, "month", 12), (24, "month", 24), (44, "quarter", 15),
                                              (72, "quarter", 24), (120, "year", 10), (600, "3 years", 17)])
def test_periods_group_so_the_chart_fits(n, unit, columns):
    from trackless.report.words import group_periods

    months = _months(2000, n)
    got_unit, periods = group_periods(months, 24)
    assert (got_unit, len(periods)) == (unit, columns)
    assert sum(p[1] for p in periods) == sum(m.mails for m in months)  # nothing lost, the newest included
    assert sum(p[2] for p in periods) == sum(m.with_trackers for m in months)


def test_month_chart_of_44_months_keeps_the_newest_and_scales_to_the_page():
    svg = render_html.month_chart(_months(2023, 44))
    assert "2026-Q3" in svg and "2023-Q1" in svg  # grouped by quarter: the newest columns are there
    assert 'class="fit"' in svg and "viewBox" in svg and ' width="' not in svg.split(">", 1)[0]
    assert len(re.findall(r"<rect ", svg)) <= 2 * 24


def test_vendor_section_says_which_mails_and_how():
    from trackless.report.aggregate import HOW_WORDS

    f = hostile_mail()
    agg = Aggregator()
    agg.add(f, 1)
    agg.add(f.__class__(**{**f.__dict__, "date_utc": "2026-12-01T00:00:00Z"}), 7)
    details = agg.summary().vendor_details
    assert details and all(d.indices == (1, 7) for d in details)
    assert all(set(dict(d.how)) <= set(HOW_WORDS) for d in details)
    md = render(render_md, f)
    assert "## Who tracked which mail" in md and "- Mails: #1" in md
    html = render(render_html, f)
    assert '<a href="#mail-1">#1</a>' in html


def test_html_has_a_print_stylesheet_and_narrow_senders_table():
    html = render(render_html, hostile_mail())
    assert "@media print" in html and "@page" in html and "thead{display:table-header-group}" in html
    senders = html[html.index("<h2>Senders</h2>"):]
    head = senders[:senders.index("</thead>")]
    assert len(re.findall(r"<th[ >]", head)) == 8  # vendors, hosts and months moved out of the table, under each sender
