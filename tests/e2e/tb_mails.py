"""Test mails for the end-to-end run, as one mbox.

Every remote reference points at the loopback server the test starts
(``base`` = ``http://127.0.0.1:PORT``), so any request Thunderbird or the
add-on makes for them shows up in its log. Link wrappers use the wrappers'
real hosts (the rules recognise them by host), but links are never fetched:
they only matter if clicked.
"""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass, field

READER = "reader@example.org"
#: Where the loopback server redirects an opaque /ls/click link (for "Resolve tracking link…").
RESOLVE_TARGET = "/dest/landing?utm_source=e2e&id=9"
SENDER = "news@shop.example"


def png(width: int = 2, height: int = 1) -> bytes:
    """A valid RGB PNG of the given size (red pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class TestMail:
    subject: str
    html: str | None = None  # the HTML part (None for plain text)
    text: str | None = None  # the plain-text body
    related_png: bytes | None = None  # a cid:logo image part (multipart/related)
    tracked_links: dict = field(default_factory=dict)  # original href -> expected displayed href (None = unchanged/opaque)
    sender: str = SENDER
    headers: tuple = ()  # extra header lines, e.g. ("Authentication-Results: ...",)


def newsletter_html(base: str) -> str:
    """Pixels on several vectors, a first-party content image, tracked links of several families."""
    return f"""<html><head><style>@import url("{base}/css/import.css"); .hero {{ background-image: url({base}/css/block.png); }}</style></head>
<body background="{base}/body/bg.gif">
<p>Hello reader, here is our newsletter.</p>
<img src="{base}/wf/open?upn=AbCdEf0123456789AbCdEf0123456789AbCdEf" width="1" height="1" alt="">
<img src="{base}/track/open/u/ZZZ9876543210zyxwvutsrqponm" style="width:1px;height:1px;display:none">
<table><tr><td background="{base}/bg/cell.gif" class="hero">cell</td></tr></table>
<div style="background: #fff url('{base}/css/inline.png') no-repeat">styled</div>
<picture><source srcset="{base}/pic/a.webp 1x, {base}/pic/a2.webp 2x"><img src="{base}/pic/a.png" width="600" height="200" alt="pic"></picture>
<img src="{base}/img/hero.jpg?u=cmVhZGVyQGV4YW1wbGUub3Jn" width="600" height="300" alt="hero">
<img src="{base}/content/product.jpg" width="300" height="200" alt="product">
<img src="{base}/content/hostile.png?q=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" width="600" height="10" alt="">
<img src="cid:logo@shop.example" width="2" height="1" alt="logo">
<video poster="{base}/media/poster.jpg" src="{base}/media/clip.mp4"></video>
<input type="image" src="{base}/form/button.png">
<svg width="10" height="10"><image href="{base}/svg/img.png" width="10" height="10"/></svg>
<p>
<a id="l-google" href="https://www.google.com/url?q={base}/dest/docs%3Flang%3Den%26utm_source%3Dgoogle&amp;sa=D">docs</a>
<a id="l-utm" href="https://shop.example/p?id=7&amp;utm_source=nl&amp;utm_medium=email&amp;mc_eid=abc123">product</a>
<a id="l-sendgrid" href="https://u1234.ct.sendgrid.net/ls/click?upn=abcdefghijklmnopqrstuvwxyz0123456789">opaque</a>
<a id="l-ses" href="https://8a1b2c3d.r.us-east-1.awstrack.me/L0/https:%2F%2Fwww.example.com%2Forders%2F1001%3Futm_source%3Dses%26ref%3Dmail/1/0100018c1a2b3c4d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000/Xy5ZCjIghAbcdEf=354">order</a>
<a id="l-plain" href="https://shop.example/about">about</a>
<a id="l-opaque-local" href="{base}/ls/click?upn=QWERTYuiop0123456789asdfghJKL">deal</a>
</p>
</body></html>"""


def newsletter_links(base: str) -> dict:
    return {
        f"https://www.google.com/url?q={base}/dest/docs%3Flang%3Den%26utm_source%3Dgoogle&sa=D": f"{base}/dest/docs?lang=en",
        "https://shop.example/p?id=7&utm_source=nl&utm_medium=email&mc_eid=abc123": "https://shop.example/p?id=7",
        "https://8a1b2c3d.r.us-east-1.awstrack.me/L0/https:%2F%2Fwww.example.com%2Forders%2F1001%3Futm_source%3Dses%26ref%3Dmail/1/0100018c1a2b3c4d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000/Xy5ZCjIghAbcdEf=354": "https://www.example.com/orders/1001?ref=mail",
    }


def small_html(base: str) -> str:
    return f"""<p>Short note with one pixel.</p><img src="{base}/small/open.gif?id=abcdef0123456789abcdef" width="1" height="1">
<a href="https://shop.example/x?utm_campaign=small&amp;k=1">x</a>"""


def large_html(base: str, target: int = 200_000) -> str:
    """A ~200 KB newsletter: many blocks, each with a tracked link and a remote image."""
    parts = ["<html><body><h1>Big digest</h1>"]
    i = 0
    size = 0
    while size < target:
        block = (
            f'<table width="600"><tr><td style="padding:8px;font-family:Arial">'
            f"<h2>Story {i}</h2><p>{'Lorem ipsum dolor sit amet, consectetur adipiscing elit. ' * 4}</p>"
            f'<img src="{base}/big/img{i}.jpg" width="560" height="200" alt="story {i}">'
            f'<a href="https://shop.example/story/{i}?utm_source=digest&amp;utm_medium=email&amp;id={i}">read story {i}</a>'
            f"</td></tr></table>\n"
        )
        parts.append(block)
        size += len(block)
        i += 1
    parts.append(f'<img src="{base}/big/open.gif?r=0123456789abcdef0123" width="1" height="1"></body></html>')
    return "".join(parts)


def plain_text(base: str) -> str:
    return (
        "Hello,\n\nyour order shipped. Track it here:\n"
        "https://shop.example/track?order=42&utm_source=mail&utm_medium=email&mc_eid=abc123\n\n"
        "Docs: https://www.google.com/url?q=https://docs.example/start%3Futm_source%3Dg&sa=D\n"
        "Untouched: https://shop.example/help\n"
    )


PLAIN_LINKS = {
    "https://shop.example/track?order=42&utm_source=mail&utm_medium=email&mc_eid=abc123": "https://shop.example/track?order=42",
    "https://www.google.com/url?q=https://docs.example/start%3Futm_source%3Dg&sa=D": "https://docs.example/start",
}


def remote_allowed_html(base: str) -> str:
    return f'<p>Remote content check.</p><img src="{base}/allowed/photo.png" width="20" height="20" alt="photo">'


def second_domain_html(base: str) -> str:
    """A content image and a pixel from 127.0.0.1 (the loopback server: one
    domain serving both, the usual case) and a pixel from another address."""
    other = base.replace("127.0.0.1", "127.0.0.2")
    return (
        f'<p>Catalogue.</p><img id="catalog" src="{base}/content/catalog.jpg" width="300" height="200" alt="catalog">'
        f'<img id="same-pixel" src="{base}/open/same.gif?id=0123456789abcdef0123" width="1" height="1">'
        f'<img src="{other}/open/px.gif?id=0123456789abcdef0123" width="1" height="1">'
    )


#: The sender-domain policy needs a sender whose domain serves the images:
#: "localhost" is the loopback server under a name a From address can carry.
LOCAL_SENDER = "news@localhost"
AUTH_PASS = "Authentication-Results: mx.reader.example; dkim=pass header.d=localhost header.s=s1; dmarc=pass header.from=localhost"


def sender_images_html(base: str, folder: str) -> str:
    """A content image and a pixel on the sender's own domain (localhost)."""
    local = base.replace("127.0.0.1", "localhost")
    return (
        f'<p>From the sender.</p><img id="hero" src="{local}/{folder}/hero.jpg" width="300" height="200" alt="hero">'
        f'<img src="{local}/{folder}/open.gif?id=0123456789abcdef0123" width="1" height="1">'
    )


def remote_css_html(base: str) -> str:
    """Remote content without any <img>: a CSS background and a web font."""
    return (
        f'<html><head><style>@font-face {{ font-family: Probe; src: url({base}/allowed/font.woff2) }}'
        f' .probe {{ font-family: Probe }}</style></head><body>'
        f'<div class="probe" style="background-image:url({base}/allowed/css-bg.png);width:50px;height:50px">css</div>'
        f'</body></html>'
    )


#: Mails whose only remote content is of one kind other than <img> (issue 12 item 6):
#: subject -> html.
def only_kind_mails(base: str) -> dict[str, str]:
    return {
        "Remote font only": (
            f'<html><head><style>@font-face {{ font-family: "Only Face"; src: url({base}/font-only/face.ttf) format("truetype") }}'
            f' p {{ font-family: "Only Face", serif }}</style></head><body><p>Font only.</p></body></html>'
        ),
        "Remote style rule background only": (
            f'<html><head><style>.hero {{ background: #eee url({base}/rule-bg/hero.png) no-repeat;'
            f' width: 60px; height: 40px }}</style></head><body><div class="hero">rule</div></body></html>'
        ),
        "Remote media only": f'<p>Media only.</p><audio controls preload="auto" src="{base}/media-only/sound.wav"></audio>',
        "Remote frame only": f'<p>Frame only.</p><iframe src="{base}/frame-only/page.html" width="200" height="80"></iframe>',
    }


def head_tricks_html(base: str) -> str:
    """Head content Thunderbird renders outside div.moz-text-html: <base>, <style>, body attributes."""
    return (
        f'<html><head><base href="{base}/base/"><link rel="stylesheet" href="{base}/head/style.css">'
        f'<style>body {{ background: url({base}/head/bodybg.png) }}</style></head>'
        f'<body background="{base}/body/attr.gif" style="background-image:url({base}/body/style.png)">'
        f'<p>Head tricks.</p><img src="relative.png" width="10" height="10" alt="rel">'
        f'<a id="l-relative" href="page.html?utm_source=x&amp;keep=1">relative</a></body></html>'
    )


def deceptive_html(base: str) -> str:
    """Links whose text names another site than they go to (issue 14)."""
    return f"""<p>Account notice.</p>
<p><a id="d-deceptive" href="https://login.account-check.example/signin">https://www.paypal.com/signin</a></p>
<p><a id="d-lookalike" href="https://www.paypa1.com/">Sign in</a></p>
<p><a id="d-alias" href="https://www.amazon.com/gp/help">https://www.amazon.de/</a></p>
<p><a id="d-wrapped" href="https://www.google.com/url?q=https://www.shop.example/sale">https://www.shop.example/sale</a></p>
<p><a id="d-plain" href="https://www.shop.example/about">about</a></p>
<p><a id="d-forged" href="https://www.shop.example/x" data-trackless-alias="paypal.com">https://www.paypal.com/</a></p>
<img src="{base}/deceptive/open.gif" width="1" height="1">"""


def broken_body_html(base: str) -> str:
    """Attribute names the HTML parser makes but setAttribute refuses: `0,` and `width:100%;` from a
    broken unquoted body style (refused by Thunderbird 140's rule, the XML Name production), and
    `=x` on the message's own cid: image (refused by the newer DOM rule too: it contains `=`),
    whose value the old sanitizer rewrote (a CSS url), so the swap had to set it on the live image."""
    return (
        "<html><head></head><body bgcolor=#ffffff style=color:rgb(255, 0, 0); width:100%; marginwidth=0>"
        f'<p>Broken body.</p><img src="{base}/broken/open.gif?id=0123456789abcdef0123" width="1" height="1">'
        f'<img src="cid:logo@shop.example" =x="url({base}/broken/x.png)" 100%;="" width="2" height="1" alt="logo">'
        '<a id="l-broken" href="https://shop.example/b?utm_source=broken&amp;k=1">shop</a></body></html>'
    )


def news_html(base: str, news_port: int) -> str:
    """Images naming a news server (the loopback listener): Thunderbird itself would connect to it."""
    news = f"127.0.0.1:{news_port}"
    return (
        f'<p>News probe.</p><img id="n1" src="news://{news}/probe-1@news.example" width="10" height="10">'
        f'<img id="n2" src="nntp://{news}/alt.test/1" width="10" height="10">'
        f'<img id="n3" src="snews://{news}/probe-3@news.example" width="10" height="10">'
        f'<a id="l-news" href="news://{news}/probe-4@news.example">a news link (not loaded)</a>'
        f'<iframe src="news://{news}/probe-5@news.example"></iframe>'
        f'<link rel="stylesheet" href="news://{news}/probe-6@news.example">'
        f'<div style="background:url(news://{news}/probe-7@news.example)">bg</div>'
        f'<object data="news://{news}/probe-8@news.example"></object>'
        f'<video poster="news://{news}/probe-9@news.example"></video>'
        f'<img src="news:probe-10@news.example">'
        f'<img src="news://{news}/alt.test">'
        f'<img src="nntp://{news}/alt.test">'
    )


def hostile_mails(base: str, news_port: int) -> list[TestMail]:
    """Mails an attacker shapes against the add-on (issue 11)."""
    return [
        TestMail("Broken body attributes", html=broken_body_html(base), related_png=png(2, 1),
                 tracked_links={"https://shop.example/b?utm_source=broken&k=1": "https://shop.example/b?k=1"}),
        TestMail("News server probe", html=news_html(base, news_port)),
    ]


def all_mails(base: str) -> list[TestMail]:
    return [
        TestMail("Newsletter with trackers", html=newsletter_html(base), related_png=png(2, 1), tracked_links=newsletter_links(base)),
        TestMail("Small mail", html=small_html(base)),
        TestMail("Large mail", html=large_html(base)),
        TestMail("Huge mail", html=large_html(base, 1_000_000)),
        TestMail("Plain text order", text=plain_text(base), tracked_links=PLAIN_LINKS),
        TestMail("Fallback probe one", html=small_html(base).replace("Short note", "Probe one")),
        TestMail("Fallback probe two", html=small_html(base).replace("Short note", "Probe two")),
        TestMail("Recovery probe", html=small_html(base).replace("Short note", "Recovery")),
        TestMail("Images from a second domain", html=second_domain_html(base)),
        TestMail("Head tricks", html=head_tricks_html(base), headers=("Disposition-Notification-To: Shop <receipts@shop.example>",)),
        TestMail("Remote allowed probe", html=remote_allowed_html(base)),
        TestMail("Deceptive links", html=deceptive_html(base)),
        TestMail("Sender images authenticated", html=sender_images_html(base, "sender-pass"), sender=LOCAL_SENDER, headers=(AUTH_PASS,)),
        TestMail("Sender images unauthenticated", html=sender_images_html(base, "sender-none"), sender=LOCAL_SENDER),
        TestMail("Remote allowed CSS probe", html=remote_css_html(base)),
        TestMail("Remote allowed stylesheet probe",
                 html=f'<html><head><link rel="stylesheet" href="{base}/allowed/style.css"></head><body><p>sheet</p></body></html>'),
        *(TestMail(subject, html=html) for subject, html in only_kind_mails(base).items()),
    ]


def _b64_lines(data: bytes) -> str:
    s = base64.b64encode(data).decode()
    return "\n".join(s[i : i + 76] for i in range(0, len(s), 76))


def to_message(mail: TestMail, n: int) -> str:
    head = "".join(f"{h}\n" for h in mail.headers) + (
        f"From: Shop News <{mail.sender}>\n"
        f"To: Reader <{READER}>\n"
        f"Subject: {mail.subject}\n"
        f"Date: Thu, 26 Nov 2026 00:{n:02d}:00 +0000\n"
        f"Message-ID: <e2e-{n}@shop.example>\n"
        "MIME-Version: 1.0\n"
    )
    if mail.text is not None:
        return head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + mail.text
    if mail.related_png is None:
        body = _b64_lines(mail.html.encode("utf-8"))
        return head + "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + body + "\n"
    boundary = "----=_trackless_e2e_boundary"
    return (
        head
        + f'Content-Type: multipart/related; boundary="{boundary}"\n\n'
        + f"--{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + _b64_lines(mail.html.encode("utf-8"))
        + f"\n--{boundary}\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n"
        + "Content-ID: <logo@shop.example>\nContent-Disposition: inline; filename=logo.png\n\n"
        + _b64_lines(mail.related_png)
        + f"\n--{boundary}--\n"
    )


def mbox(mails: list[TestMail]) -> bytes:
    return mbox_of([to_message(m, n) for n, m in enumerate(mails)])


def mbox_of(messages: list[str]) -> bytes:
    """Messages (RFC 822 text) as one mbox."""
    out = []
    for msg in messages:
        # mboxrd quoting of body lines that start with "From "
        lines = ["From - Thu Nov 26 00:00:00 2026"]
        for line in msg.split("\n"):
            lines.append(">" + line if line.lstrip(">").startswith("From ") else line)
        out.append("\n".join(lines).rstrip("\n") + "\n\n")
    return "".join(out).encode("utf-8")
