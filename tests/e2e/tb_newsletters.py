"""Realistic newsletters of real sizes, synthesized (never third-party mail).

The shapes follow what ESP newsletters look like: a doctype, a head with meta
tags, a title and a large <style> block with media queries, Outlook
conditional comments, a hidden preheader, nested layout tables with inline
styles, first-party images on a CDN, click-tracked links with utm parameters,
social icons, a footer with unsubscribe and an open pixel at the end; sent as
multipart/alternative (text/plain + text/html), quoted-printable, UTF-8 with
non-ASCII text.

Sizes (characters of HTML) follow the distribution measured on real
newsletters: median ~7 KB, p90 ~32 KB, p99 ~140 KB (log-normal quantiles),
plus a few of 200 KB to 1 MB (``sizes()``).

Every remote reference points at ``base`` (the loopback server), so a request
shows up in its log; click-tracking hosts are real ESP shapes but links are
never fetched.
"""

from __future__ import annotations

import math
import quopri
import statistics
from dataclasses import dataclass

from tb_mails import READER

SENDER = "news@brand.example"
#: Log-normal of real newsletter HTML sizes: median 7 KB, p90 32 KB (so p99 ~ 110-140 KB).
MEDIAN = 7_000
SIGMA = math.log(32_000 / 7_000) / 1.2816
BIG = (250_000, 500_000, 1_000_000)


def sizes(n: int = 40) -> list[int]:
    """``n`` sizes at evenly spaced quantiles of the distribution, then the big ones."""
    dist = statistics.NormalDist()
    out = [int(MEDIAN * math.exp(SIGMA * dist.inv_cdf((i + 0.5) / n))) for i in range(n)]
    return out + list(BIG)


@dataclass(frozen=True)
class Newsletter:
    subject: str
    html: str
    text: str


_STYLE = """
  body { margin:0; padding:0; -webkit-text-size-adjust:100%; background:#f2f2f2; }
  table, td { border-collapse:collapse; mso-table-lspace:0pt; mso-table-rspace:0pt; }
  img { border:0; outline:none; text-decoration:none; -ms-interpolation-mode:bicubic; display:block; }
  .wrapper { width:100%; table-layout:fixed; background-color:#f2f2f2; }
  .main { background-color:#ffffff; margin:0 auto; width:100%; max-width:600px; }
  .h1 { font-family:Georgia,serif; font-size:28px; line-height:34px; color:#1a1a1a; }
  .body-text { font-family:Helvetica,Arial,sans-serif; font-size:15px; line-height:22px; color:#444444; }
  .button a { background:#d6336c; color:#ffffff !important; padding:12px 24px; border-radius:4px; text-decoration:none; }
  .footer { font-family:Arial,sans-serif; font-size:11px; color:#999999; }
  @media screen and (max-width: 600px) {
    .main { width:100% !important; }
    .col { display:block !important; width:100% !important; }
    .h1 { font-size:22px !important; line-height:28px !important; }
    .hide-mobile { display:none !important; max-height:0 !important; overflow:hidden !important; }
  }
  @media (prefers-color-scheme: dark) { .main { background-color:#1e1e1e !important; } }
"""


def _link(n: int, i: int, path: str) -> str:
    """A click-tracked link (ESP redirect shapes) with utm parameters in the destination."""
    dest = f"https://www.brand.example/{path}?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=nl{n}&amp;utm_content=b{i}"
    shape = i % 3
    if shape == 0:
        return f"https://click.e.brand.example/?qs=a1b2c3d4e5f6{n:04d}{i:05d}0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    if shape == 1:
        return f"https://u{1000 + n}.ct.sendgrid.net/ls/click?upn=QWxhZGRpbjpvcGVuIHNlc2FtZQ{n:03d}x{i:04d}-2BrandNews"
    return dest


def _block(base: str, n: int, i: int) -> str:
    img = f"{base}/cdn/brand/n{n}/article-{i}.jpg"
    return (
        '<tr><td class="col" style="padding:20px 30px 10px 30px;" valign="top">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>'
        f'<td width="180" class="col" valign="top" style="padding-right:16px;"><a href="{_link(n, i, f"stories/{i}")}" target="_blank">'
        f'<img src="{img}" width="180" height="120" alt="Story {i} — photo" style="width:180px;height:auto;"></a></td>'
        f'<td class="col body-text" valign="top" style="font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:22px;color:#444444;">'
        f'<h2 style="margin:0 0 8px 0;font-size:18px;color:#1a1a1a;">Story {i}: l’été &amp; the café on the corner</h2>'
        '<p style="margin:0 0 12px 0;">Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor '
        "incididunt ut labore et dolore magna aliqua&nbsp;— ut enim ad minim veniam, quis nostrud exercitation.</p>"
        f'<p class="button" style="margin:0;"><a href="{_link(n, i + 1, f"shop/{i}")}" style="background:#d6336c;color:#ffffff;'
        f'padding:10px 20px;border-radius:4px;text-decoration:none;display:inline-block;">Read more ›</a></p>'
        "</td></tr></table></td></tr>\n"
    )


def short_html(base: str, n: int, target: int) -> str:
    """The small end of real newsletters: an announcement or notification, a few paragraphs."""
    head = (
        '<html><head><meta charset="utf-8"><style>p { font-family: Arial, sans-serif; font-size: 14px; }</style></head>'
        f'<body><div style="max-width:600px;margin:0 auto;"><img src="{base}/cdn/brand/logo.png" width="120" height="30" alt="Brand">\n'
    )
    foot = (
        f'<p style="color:#999;font-size:11px;"><a href="https://click.e.brand.example/unsub?qs=ee{n:04d}5566">Unsubscribe</a></p>'
        f'<img src="{base}/e/open/{n:04d}/ZyXw9876543210.gif" width="1" height="1" alt=""></div></body></html>\n'
    )
    def para(i: int) -> str:
        return (f'<p>Update {i}: your order ships soon&nbsp;— see <a href="{_link(n, i, f"orders/{i}")}">the details</a>. '
                "Thanks for being with us, à bientôt.</p>\n")

    return _fill(head, foot, para, 0, target)


def _fill(head: str, foot: str, block, first: int, target: int) -> str:
    """head + block(first), block(first + 1), ... (at least one) + foot, up to ``target`` characters."""
    blocks, size, i = [], len(head) + len(foot), first
    while True:
        b = block(i)
        if size + len(b) > target and blocks:
            break
        blocks.append(b)
        size += len(b)
        i += 1
    return head + "".join(blocks) + foot


def newsletter_html(base: str, n: int, target: int) -> str:
    if target < 6_000:
        return short_html(base, n, target)
    head = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"<title>Brand News #{n}</title>\n"
        "<!--[if mso]><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml><![endif]-->\n"
        f"<style type=\"text/css\">{_STYLE}</style>\n</head>\n"
        '<body style="margin:0;padding:0;background-color:#f2f2f2;" bgcolor="#f2f2f2">\n'
        '<span class="hide-mobile" style="display:none;font-size:1px;color:#f2f2f2;max-height:0;overflow:hidden;">'
        f"This week: {n} stories you should not miss &zwnj;&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;</span>\n"
        '<center class="wrapper"><table role="presentation" class="main" width="600" cellpadding="0" cellspacing="0" border="0" align="center">\n'
        f'<tr><td style="padding:10px 30px;font-size:11px;" class="footer" align="right"><a href="{_link(n, 0, "web")}">View in browser</a></td></tr>\n'
        f'<tr><td align="center" style="padding:20px;"><img src="{base}/cdn/brand/logo.png" width="160" height="40" alt="Brand"></td></tr>\n'
        f'<tr><td><img src="{base}/cdn/brand/n{n}/hero.jpg" width="600" height="260" alt="Hero" style="width:100%;max-width:600px;"></td></tr>\n'
        f'<tr><td class="h1" style="padding:24px 30px 0 30px;font-family:Georgia,serif;font-size:28px;">Bonjour, reader 👋</td></tr>\n'
    )
    foot = (
        '<tr><td align="center" style="padding:20px;">'
        + "".join(
            f'<a href="{_link(n, 90 + k, f"social/{s}")}"><img src="{base}/cdn/brand/icons/{s}.png" width="24" height="24" alt="{s}" style="display:inline-block;"></a> '
            for k, s in enumerate(("facebook", "instagram", "linkedin", "youtube"))
        )
        + "</td></tr>\n"
        '<tr><td class="footer" align="center" style="padding:20px 30px 40px 30px;font-family:Arial,sans-serif;font-size:11px;color:#999999;">'
        f"© 2026 Brand Inc., 1 Example Street, Springfield. You receive this mail because you subscribed as {READER}.<br>"
        f'<a href="https://click.e.brand.example/unsub?qs=ffee{n:04d}0011223344556677">Unsubscribe</a> · '
        f'<a href="https://www.brand.example/preferences?email={READER}&amp;utm_source=newsletter">Preferences</a></td></tr>\n'
        "</table></center>\n"
        f'<img src="{base}/e/open/{n:04d}/AbCdEf0123456789aBcDeF0123456789.gif" width="1" height="1" alt="" '
        'style="display:block;height:1px;width:1px;border:0;">\n'
        "</body></html>\n"
    )
    return _fill(head, foot, lambda i: _block(base, n, i), 1, target)


def newsletter_text(n: int) -> str:
    return f"Brand News #{n}\n\nBonjour, reader.\n\nRead this week's stories: https://www.brand.example/stories?utm_source=newsletter\n"


def newsletters(base: str, n: int = 40, title: str = "Brand News", offset: int = 0) -> list[Newsletter]:
    """``n`` newsletters at the size quantiles plus the big ones; ``offset`` makes another,
    different set of the same sizes (issue numbers, links and images differ)."""
    return [
        Newsletter(f"{title} {k:02d} ({size // 1000} KB)", newsletter_html(base, k + offset, size), newsletter_text(k + offset))
        for k, size in enumerate(sizes(n))
    ]


def _qp(text: str) -> str:
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def to_message(mail: Newsletter, k: int) -> str:
    """The mail as RFC 822 text (``k`` numbers its Date and Message-ID)."""
    boundary = f"=_brand_alt_{k:04d}"
    return (
        f"From: Brand News <{SENDER}>\n"
        f"To: Reader <{READER}>\n"
        f"Subject: {mail.subject}\n"
        f"Date: Fri, 27 Nov 2026 {k // 60:02d}:{k % 60:02d}:00 +0000\n"
        f"Message-ID: <nl-{k}@brand.example>\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + _qp(mail.text)
        + f"\n--{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + _qp(mail.html)
        + f"\n--{boundary}--\n"
    )
