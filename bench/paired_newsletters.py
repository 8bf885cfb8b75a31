"""Synthesized paired newsletters: the same campaign sent to two readers.

Every URL that differs between the two copies carries a per-recipient id;
every URL that is the same in both is content (or a campaign-wide id). The
shapes follow what real mail services send (issue 17): Episerver/Optimizely,
Elaine, CleverReach, Inxmail, newsletter2go/Brevo, GetResponse, phpList,
ConvertKit, Sendinblue, Mailchimp, Sailthru-style ``link.<brand>/click``,
Postmark ``track.pstmrk.it``, Symantec clicktime, Google AMP, shorteners, and
made-up services no rule names (the list-free judgment must catch those).
Content images: content-hash file names, fonts, content CDNs, static paths.

``pairs(n, seed)`` yields ``(name, html_a, html_b)``; deterministic per seed.
"""

from __future__ import annotations

import base64
import random
import string
from urllib.parse import quote

__all__ = ["pairs", "campaign"]

_ALNUM = string.ascii_letters + string.digits
_LOWER = string.ascii_lowercase + string.digits


def _tok(rng: random.Random, n: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _hex(rng: random.Random, n: int) -> str:
    return _tok(rng, n, "0123456789abcdef")


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


_WORDS = ["spring", "sale", "news", "guide", "report", "shoes", "garden", "travel", "recipes", "events",
          "jobs", "books", "climate", "energy", "health", "music", "design", "code", "science", "sports"]


def _dest(rng: random.Random, brand: str) -> str:
    w1, w2 = rng.sample(_WORDS, 2)
    shape = rng.randrange(4)
    if shape == 0:
        return f"https://www.{brand}.example/{w1}/{w2}-{rng.randrange(2020, 2027)}"
    if shape == 1:
        return f"https://shop.{brand}.example/p/{rng.randrange(1000, 99999)}?color={w1}&utm_source=newsletter&utm_medium=email"
    if shape == 2:
        return f"https://blog.{brand}.example/{w1}-{w2}/?utm_campaign={w2}"
    return f"https://{w1}.example.org/{w2}.html"


def campaign(rng: random.Random, recipient: random.Random, family: str, brand: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Links and images (url, size attrs) of one copy: ``rng`` is the campaign's
    randomness (same in both copies), ``recipient`` the reader's."""
    links: list[str] = []
    images: list[tuple[str, str]] = []
    rid = _tok(recipient, 10, _LOWER)          # the reader's id at this service
    rhex = _hex(recipient, 16)
    n_links = 6
    dests = [_dest(rng, brand) for _ in range(n_links)]
    cid = rng.randrange(10**6, 10**8)
    for i, d in enumerate(dests):
        lid = _tok(rng, 6, _LOWER)
        if family == "episerver":
            links.append(f"https://news.{brand}.example/go/13/{_tok(rng, 8, string.ascii_uppercase + string.digits)}-"
                         f"{_tok(recipient, 8, string.ascii_uppercase + string.digits)}-{_tok(rng, 7, string.ascii_uppercase + string.digits)}.html"
                         f"?ecmUid={_tok(recipient, 12, string.ascii_uppercase + string.digits)}&utm_source=newsletter")
        elif family == "elaine":
            links.append(f"https://mailing.{brand}.example/go/{_tok(recipient, 6, _LOWER)}{_tok(rng, 24, _LOWER)}")
        elif family == "cleverreach":
            links.append(f"https://{cid % 900000}.seu2.cleverreach.com/c/{cid}/{_hex(rng, 11)}-{rid[:6]}")
        elif family == "inxmail":
            links.append(f"https://newsletter.{brand}.example/d?{_tok(rng, 8, _LOWER)}{_tok(recipient, 30, _LOWER)}")
        elif family == "newsletter2go":
            links.append(f"https://nl.{brand}.example/{_tok(rng, 5, _LOWER)}1-{_tok(recipient, 5, _LOWER)}2-{_tok(rng, 5, _LOWER)}3-{_tok(recipient, 6, _LOWER)}4")
        elif family == "getresponse":
            links.append(f"https://{brand}.gr8.com/click.html?x=a62e&lc={_tok(rng, 4)}&mc=r&s={_tok(recipient, 6)}&u={_tok(rng, 4)}&z={_tok(recipient, 7)}&")
        elif family == "phplist":
            links.append(f"https://lists.{brand}.example/lists/lt.php?tid={_tok(recipient, 24, _ALNUM)}")
        elif family == "convertkit":
            links.append(f"https://click.convertkit-mail2.com/{_tok(recipient, 8, _LOWER)}u{rng.randrange(10**6)}/{_tok(rng, 6, _LOWER)}/{_b64url(d)}")
        elif family == "sendinblue":
            links.append(f"https://{_tok(rng, 6, _LOWER)}.r.af.d.sendibt2.com/tr/cl/{_tok(recipient, 40, _ALNUM + '_-')}")
        elif family == "mailchimp":
            links.append(f"https://{brand}.us{cid % 20}.list-manage.com/track/click?u={_hex(rng, 25)}&id={_hex(rng, 10)}&e={rhex[:10]}")
        elif family == "sailthru":
            links.append(f"https://link.{brand}.example/click/{cid}.{rng.randrange(10**4)}/{_b64url(d)}/{_hex(recipient, 24)}")
        elif family == "postmark":
            links.append(f"https://track.pstmrk.it/3s/{quote(d.split('://', 1)[1], safe='')}/{_tok(rng, 4)}/{_tok(recipient, 8)}/{_tok(recipient, 10)}")
        elif family == "unknown-path":
            # a service no rule names: token path on the service's own host
            links.append(f"https://t.{brand}-mail.example/{_tok(rng, 2, string.ascii_lowercase)}/{_tok(recipient, 22, _ALNUM)}/{lid}")
        elif family == "unknown-query":
            links.append(f"https://click.mailsvc{cid % 7}.example/r?{_tok(rng, 2, string.ascii_lowercase)}={_tok(recipient, 28, _ALNUM)}&l={lid}")
        elif family == "page-id":
            # a page link of the sender's own site with a subscriber id parameter
            links.append(f"{d}{'&' if '?' in d else '?'}sid={_tok(recipient, 20, _ALNUM)}&utm_medium=email")
        else:  # pragma: no cover
            raise ValueError(family)
        # content links, identical in both copies
        if i % 3 == 0:
            links.append(d)
    # content images: same in both copies
    images.append((f"https://mcusercontent.com/{_hex(rng, 25)}/images/{_hex(rng, 8)}-{_hex(rng, 4)}-{_hex(rng, 4)}-{_hex(rng, 4)}-{_hex(rng, 12)}.png", 'width="600"'))
    images.append((f"https://image.s{rng.randrange(4, 12)}.sfmc-content.com/lib/fe3{_hex(rng, 17)}/m/1/{_hex(rng, 8)}-{_hex(rng, 4)}-{_hex(rng, 4)}-{_hex(rng, 4)}-{_hex(rng, 12)}.png", 'width="300"'))
    images.append((f"https://lh3.googleusercontent.com/{_tok(rng, 60, _ALNUM + '_-')}=w600", ""))
    images.append((f"https://static.{brand}.example/assets/img/hero.{_hex(rng, 20)}.jpg", 'width="640" height="320"'))
    images.append((f"https://cdn.{brand}.example/images/{_tok(rng, 32, _ALNUM)}", 'width="120"'))
    images.append((f"https://fonts.gstatic.com/s/roboto/v30/{_tok(rng, 24, _ALNUM + '-_')}.woff2", "font"))
    images.append((f"https://{brand}.imgix.example/photo/{_hex(rng, 32)}?w=600&auto=format", ""))
    # per-recipient images: open pixels
    if family == "convertkit":
        images.append((f"https://open.convertkit-mail4.com/{_tok(recipient, 8, _LOWER)}u{rng.randrange(10**6)}", ""))
    elif family == "mailchimp":
        images.append((f"https://{brand}.us{cid % 20}.list-manage.com/track/open.php?u={_hex(rng, 25)}&id={_hex(rng, 10)}&e={rhex[:10]}", 'width="1" height="1"'))
    elif family == "cleverreach":
        images.append((f"https://{cid % 900000}.seu2.cleverreach.com/tr/o/{cid}/{_hex(recipient, 20)}", 'width="1" height="1"'))
    elif family == "unknown-path":
        images.append((f"https://t.{brand}-mail.example/o/{_tok(recipient, 26, _ALNUM)}", ""))
    elif family == "unknown-query":
        images.append((f"https://click.mailsvc{cid % 7}.example/o?{_tok(rng, 2, string.ascii_lowercase)}={_tok(recipient, 28, _ALNUM)}", ""))
    elif family == "episerver":
        images.append((f"https://news.{brand}.example/action/view/13/{_tok(recipient, 10, string.ascii_uppercase + string.digits)}", 'width="1" height="1"'))
    else:
        images.append((f"https://img.{brand}.example/t/{_hex(recipient, 32)}.gif", 'width="1" height="1" style="display:block"'))
    return links, images


FAMILIES = ("episerver", "elaine", "cleverreach", "inxmail", "newsletter2go", "getresponse", "phplist",
            "convertkit", "sendinblue", "mailchimp", "sailthru", "postmark", "unknown-path", "unknown-query",
            "page-id")


def _html(links: list[str], images: list[tuple[str, str]]) -> str:
    out = ["<html><head><style>"]
    for url, attrs in images:
        if attrs == "font":
            out.append(f"@font-face {{ font-family: Brand; src: url({url}) format('woff2'); }}")
    out.append("</style></head><body>")
    for url, attrs in images:
        if attrs != "font":
            out.append(f'<img src="{url.replace("&", "&amp;")}" {attrs} alt="">')
    for i, url in enumerate(links):
        out.append(f'<p><a href="{url.replace("&", "&amp;")}">Read more {i}</a></p>')
    out.append("</body></html>")
    return "\n".join(out)


def pairs(n: int = 60, seed: int = 17):
    """``n`` paired newsletters: (name, html for reader A, html for reader B)."""
    master = random.Random(seed)
    for k in range(n):
        family = FAMILIES[k % len(FAMILIES)]
        brand = "".join(master.choice(string.ascii_lowercase) for _ in range(6))
        camp_seed = master.randrange(2**32)
        copies = []
        for reader in (master.randrange(2**32), master.randrange(2**32)):
            links, images = campaign(random.Random(camp_seed), random.Random(reader), family, brand)
            copies.append(_html(links, images))
        yield f"{family}-{brand}", copies[0], copies[1]
