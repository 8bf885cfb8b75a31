"""Realistic mail HTML, synthesized (no third-party mail is committed).

The shapes are those of real newsletters, receipts and notifications seen
through real mail services: layout tables nested several deep, MSO
conditional comments, head styles with media queries, tracking pixels (img,
1x1 div or table with a background), click-wrapped links, unclosed and badly
nested tags, legacy elements (``<font>``, ``<center>``, ``<bgsound>``,
``<image>``), entities, preheaders hidden with CSS, footers. ``mails(n, seed)``
gives ``n`` deterministic documents.
"""

from __future__ import annotations

import random

WORDS = ("order shipped parcel invoice summer sale members only your account weekly digest new arrivals "
         "thank you for shopping with us unsubscribe preferences privacy policy view in browser "
         "déjà vu café naïve Größe 東京 ∑ — “quoted” & more").split()
TRACK = ("https://t.example/o.gif?u=9c8d7e", "https://pixel.t.example/p/abc.png", "http://t.example/open/123",
         "https://click.t.example/ls/click?upn=abc", "https://cdn.images.example/banner.jpg")
LINKS = ("https://click.t.example/ls/click?upn=xyz&u=1", "https://www.shop.example/p/123?utm_source=mail",
         "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.shop.example%2F&data=1",
         "mailto:help@shop.example", "#top")


def _words(r: random.Random, lo: int = 2, hi: int = 12) -> str:
    text = " ".join(r.choice(WORDS) for _ in range(r.randint(lo, hi)))
    if r.random() < 0.2:
        text = text.replace("&", "&amp;") if r.random() < 0.5 else text + " &nbsp;&copy;&#8212;&hellip"
    return text


def _block(r: random.Random, depth: int) -> str:
    k = r.random()
    if depth > 4 or k < 0.25:
        tag = r.choice(("p", "div", "span", "td", "font", "h2", "center", "b", "li"))
        close = "" if r.random() < 0.15 else f"</{tag}>"  # unclosed, as real mail has
        style = r.choice(("", ' style="color:#333;font-family:Arial"', ' align="center"', ' class="x"'))
        return f"<{tag}{style}>{_words(r)}{close}"
    if k < 0.45:
        cells = ("", ' width="50%"', ' bgcolor="#eee"')
        rows = "".join(f"<tr><td{r.choice(cells)}>{_block(r, depth + 1)}</td></tr>\n"
                       for _ in range(r.randint(1, 3)))
        tbody = r.random() < 0.3
        return (f'<table role="presentation" width="100%" cellpadding="0">\n'
                f'{"<tbody>" if tbody else ""}{rows}{"</tbody>" if tbody else ""}</table>')
    if k < 0.55:
        return f'<a href="{r.choice(LINKS)}" style="color:#06c">{_words(r, 1, 4)}</a>'
    if k < 0.65:
        w = r.choice(("1", "600", "0"))
        return f'<img src="{r.choice(TRACK)}" width="{w}" height="{w}" alt="{_words(r, 1, 2)}">'
    if k < 0.7:
        return (f'<div style="width:1px;height:1px;background:url({r.choice(TRACK)})">'
                f"{_words(r)}{'' if r.random() < 0.5 else '</div>'}")
    if k < 0.74:
        return (f'<table width="1" height="1" background="{r.choice(TRACK)}"><tr><td>{_words(r)}</td></tr></table>')
    if k < 0.78:
        return f'<{r.choice(("bgsound", "image"))} src="{r.choice(TRACK)}" width="1" height="1"><p>{_words(r)}</p>'
    if k < 0.84:
        return f"<!--[if mso]><table><tr><td><img src=\"{r.choice(TRACK)}\"><![endif]-->{_words(r)}<!--[if mso]></td></tr></table><![endif]-->"
    if k < 0.88:
        return f'<div style="display:none;max-height:0;overflow:hidden">{_words(r)}</div>'
    if k < 0.92:
        return f"<b>{_words(r, 1, 3)}<i>{_words(r, 1, 3)}</b>{_words(r, 1, 3)}</i>"  # misnested
    if k < 0.96:
        return f"<ul><li>{_words(r)}<li>{_words(r)}</ul>"
    return f"<p>{_words(r)}<div>{_words(r)}</div>{_words(r)}</p>"


def mail(r: random.Random) -> str:
    body = "\n".join(_block(r, 0) for _ in range(r.randint(3, 25)))
    head = ('<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<meta name="viewport" content="width=device-width"><title>' + _words(r, 1, 4) + "</title>"
            "<style>body{margin:0} @media (max-width:600px){.x{width:100%!important}} "
            f".logo{{background:url({r.choice(TRACK)})}}</style></head>")
    if r.random() < 0.15:  # a fragment, as some senders send
        return body
    doctype = r.choice(('<!DOCTYPE html>', '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">', ""))
    tail = "" if r.random() < 0.2 else "</body></html>"
    return f'{doctype}<html lang="en">{head}<body style="margin:0">\n{body}\n{tail}'


def mails(n: int, seed: int = 16) -> list[str]:
    r = random.Random(seed)
    return [mail(r) for _ in range(n)]
