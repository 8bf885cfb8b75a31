"""Judge a link by where it really goes: deceptive, lookalike, hidden or fine.

Pure: no network, no disk apart from reading the shipped data files once
(``rules/brands.toml``, ``rules/confusables.tsv``).

What the reader is shown (``shown_of``): link text, a ``title`` or an image's
alt that is a URL, a domain or an e-mail address, or an alt that is exactly a
well-known brand's name. Text in a sentence ("Read more on example.com") is
not a claim: only a whole text that names a site is.

``judge(link, shown, sender_domain=..., destination=...)`` compares it with
the real destination (the resolved URL when given, else the unwrapped
``final``) or, when that cannot be known offline, with the wrapper:

* ``lookalike``: the destination's domain imitates a well-known brand's or the
  sender's domain: the same skeleton (Unicode TR39 confusables, so
  ``paypa1.com``, ``arnazon.com``, Cyrillic ``аррӏе.com``), punycode that
  renders like an ASCII name, the brand's domain or name as an extra label
  (``paypal.com.evil.example``, ``paypal-secure.example``), one typo away
  (``netflx.com``) or the same name under another suffix (``paypal.xyz``).
* ``deceptive``: the shown text names one registrable domain and the link goes
  to another that is not the same brand's (its other domains, its national
  sites, or the same name under another suffix).
* ``hidden``: the shown text names a site by URL or domain but the link goes
  through a wrapper or a URL shortener whose destination is unknown offline.

A brand named only by name (an icon's alt "Facebook") is a weaker claim: it
makes no ``hidden`` verdict and no ``deceptive`` one for a link to the
sender's own domain (social icons through the sender's redirect).

Never flagged: the same registrable domain, a brand's own subdomains and
domains, the sender's declared link-tracking domain (a wrapper on the
sender's own registrable domain, or one named by the text), and known
tracking wrappers as destinations.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from ..domains import is_ip, registrable_domain
from ..errors import RuleError
from ..result import Link, Verdict

__all__ = ["Shown", "shown_of", "judge", "same_owner_text", "skeleton", "load_brands", "Brands"]

#: Longest text considered: a URL shown as link text is never longer.
MAX_SHOWN = 300
#: Shortest brand label judged for typos or as a word inside another name.
MIN_TYPO_LABEL = 5
MIN_WORD_LABEL = 4

# a whole text that is a URL, a host or an e-mail address
_URLISH = re.compile(
    r"^(?:(?P<scheme>https?)://|(?P<www>www\d?\.))?"
    r"(?:[^\s/@:]+@)?"
    r"(?P<host>(?:[^\s/?#:@.]+\.)+[^\s/?#:@.]{2,63})\.?"
    r"(?::\d{1,5})?(?P<rest>[/?#]\S*)?$",
    re.I,
)
# suffixes that are more often file extensions than sites in link text
# ("README.md", "setup.py"): trusted only with a scheme or "www."
_FILEISH_SUFFIXES = frozenset({"md", "py", "sh", "zip", "mov", "rs", "pl", "pm", "ps", "so", "cs", "gz", "js", "ts"})
# reserved for documentation and tests (RFC 2606, RFC 6761): names, too
_RESERVED_SUFFIXES = frozenset({"example", "test", "invalid"})
_STRIP = " \t\r\n\u00a0<>\"'()[]{}«»‹›“”‘’.,;:!?→»›>"
_HYPHENISH = re.compile(r"[-_]")


@dataclass(frozen=True)
class Shown:
    """One thing the reader is shown that names a site.

    source: ``text``, ``title`` or ``alt``; text: as shown (trimmed);
    domain: the registrable domain it names (punycode);
    by_name: it names a brand by name only ("Facebook" on a social icon), not
    by a URL or domain: a weaker claim (see ``judge``).
    """

    source: str
    text: str
    domain: str
    by_name: bool = False


@dataclass(frozen=True)
class Brand:
    id: str
    names: tuple[str, ...]
    domains: tuple[str, ...]      # registrable domains, the main one first
    country_sites: bool

    def owns(self, domain: str) -> bool:
        """Is this registrable domain the brand's own (listed, or a national site)?"""
        if domain in self.domains:
            return True
        if self.country_sites:
            label, _, suffix = domain.partition(".")
            return label == _first_label(self.domains[0]) and _country_suffix(suffix)
        return False


@dataclass(frozen=True)
class Brands:
    brands: tuple[Brand, ...]
    by_domain: dict                # registrable domain -> Brand
    by_name: dict                  # lower-cased display name -> Brand
    by_skeleton: dict              # skeleton of a registrable domain -> domain
    by_label: dict                 # first label -> Brand (labels >= MIN_WORD_LABEL chars)
    shorteners: frozenset[str]
    icons: frozenset[str]          # lower-cased names of share/follow/app-store icons: no claim
    examples: tuple[dict, ...]


# ---- data ------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    text = resources.files("trackless").joinpath("rules", "confusables.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        try:
            cp, proto = line.split("\t")
            out[chr(int(cp, 16))] = proto
        except ValueError as exc:
            raise RuleError(f"rules/confusables.tsv line {n}: {line!r}") from exc
    return out


def skeleton(text: str) -> str:
    """The TR39 skeleton of a name, lower-cased: what it looks like.

    ``paypa1.com`` and ``paypal.com`` share one; so do ``аpple.com`` (Cyrillic
    a) and ``apple.com``, ``arnazon`` and ``amazon``.
    """
    table = _confusables()
    nfd = unicodedata.normalize("NFD", text.lower())
    mapped = "".join(table.get(c, c) for c in nfd)
    return unicodedata.normalize("NFD", mapped).lower()


def _ascii_render(text: str) -> str:
    """A name with each non-ASCII character written as the ASCII it looks like."""
    table = _confusables()
    return "".join(c if c.isascii() else table.get(c, c) for c in unicodedata.normalize("NFC", text))


def _first_label(domain: str) -> str:
    return domain.split(".", 1)[0]


def _country_suffix(suffix: str) -> bool:
    """``de``, ``co.uk``, ``com.br``: a country-code suffix (possibly second level)."""
    parts = suffix.split(".")
    return len(parts[-1]) == 2 and len(parts) <= 2 and parts[-1].isalpha()


@functools.lru_cache(maxsize=1)
def load_brands() -> Brands:
    """Parse and validate ``rules/brands.toml`` (RuleError when bad)."""
    label = "rules/brands.toml"
    try:
        data = tomllib.loads(resources.files("trackless").joinpath("rules", "brands.toml").read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{label}: {exc}") from exc
    brands, by_domain, by_name, by_skeleton, by_label = [], {}, {}, {}, {}
    for entry in data.get("brand", []):
        bid = entry.get("id")
        domains = entry.get("domains") or []
        if not bid or not domains:
            raise RuleError(f"{label}: brand {bid!r} needs an id and domains")
        for d in domains:
            if registrable_domain(d) != d or not _has_public_suffix(d):
                # a public suffix (github.io) is not one owner's: its sites are anyone's
                raise RuleError(f"{label}: brand {bid}: {d!r} is not a registrable domain")
            if d in by_domain:
                raise RuleError(f"{label}: brand {bid}: {d!r} also belongs to {by_domain[d].id}")
        b = Brand(bid, tuple(entry.get("names") or ()), tuple(domains), bool(entry.get("country_sites", True)))
        brands.append(b)
        for d in domains:
            by_domain[d] = b
            by_skeleton.setdefault(skeleton(d), d)
        for n in b.names:
            by_name[n.lower()] = b
        main = _first_label(domains[0])
        if len(main) >= MIN_WORD_LABEL:
            by_label.setdefault(main, b)
    shorteners = frozenset(h for s in data.get("shortener", []) for h in s.get("hosts", []))
    icons = frozenset(n.lower() for n in data.get("icons", {}).get("names", []))
    return Brands(tuple(brands), by_domain, by_name, by_skeleton, by_label, shorteners, icons,
                  tuple(data.get("example", [])))


# ---- what the reader is shown ---------------------------------------------
def _named_domain(text: str) -> str:
    """The registrable domain a whole text names as a URL/host/address, or ""."""
    t = text.strip(_STRIP)
    if not t or len(t) > MAX_SHOWN or any(c.isspace() for c in t):
        return ""
    m = _URLISH.match(t)
    if not m:
        return ""
    host = m.group("host").lower().rstrip(".")
    if is_ip(host):
        return ""
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    if not _has_public_suffix(ascii_host) and ascii_host.rsplit(".", 1)[-1] not in _RESERVED_SUFFIXES:
        return ""  # "v1.2", "file.txt": not a name under a public suffix
    suffix = ascii_host.rsplit(".", 1)[-1]
    if not (m.group("scheme") or m.group("www")) and suffix in _FILEISH_SUFFIXES:
        return ""
    reg = registrable_domain(ascii_host)
    return reg if "." in reg else ""


def _has_public_suffix(ascii_host: str) -> bool:
    from ..domains import _extractor

    ext = _extractor()(ascii_host)
    return bool(ext.suffix and ext.domain)


def shown_of(text: str = "", title: str = "", alts=()) -> tuple[Shown, ...]:
    """What the reader is shown that names a site, from a link's text, its
    ``title`` and the alt texts of its images (one entry per domain named)."""
    out: list[Shown] = []
    for source, value in (("text", text), ("title", title), *(("alt", a) for a in alts)):
        value = " ".join(str(value or "").split())
        if not value or len(value) > MAX_SHOWN:
            continue
        domain, by_name = _named_domain(value), False
        if not domain and source in ("text", "alt"):
            domain, by_name = _brand_name_domain(value.strip(_STRIP)), True
        if domain and all(s.domain != domain for s in out):
            out.append(Shown(source, value, domain, by_name))
    return tuple(out)


def _brand_name_domain(name: str) -> str:
    """The domain a brand's display name stands for ("Instagram" ->
    instagram.com, "PayPal" -> paypal.com), or ""."""
    brands = load_brands()
    brand = brands.by_name.get(name.lower())
    if brand is None or name.lower() in brands.icons:
        return ""
    key = "".join(name.lower().split())
    return next((d for d in brand.domains if _first_label(d) == key), brand.domains[0])


# ---- judging ---------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _brand_of(domain: str) -> Brand | None:
    brands = load_brands()
    b = brands.by_domain.get(domain)
    if b is not None:
        return b
    b = brands.by_label.get(_first_label(domain))
    return b if b is not None and b.owns(domain) else None


def _same_owner(a: str, b: str) -> bool:
    """Do two registrable domains belong to one owner as far as we can tell
    offline? The same domain, one brand's domains, or the same name under
    another suffix (``brand.com`` / ``brand.de``) when neither is a brand's."""
    if a == b:
        return True
    ba, bb = _brand_of(a), _brand_of(b)
    if ba is not None or bb is not None:
        return ba is bb
    la, lb = _first_label(a), _first_label(b)
    return (la == lb or _fold(la) == _fold(lb)) and not _is_brand_label(la)


_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def _fold(label: str) -> str:
    """An internationalised label as its owner would spell it in ASCII:
    ``xn--koligenta-z7a`` (ökoligenta) -> ``oekoligenta``."""
    text = _unicode(label).lower()
    if text.isascii():
        return text
    text = text.translate(_TRANSLIT)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _is_brand_label(label: str) -> bool:
    return label in load_brands().by_label


def _damerau1(a: str, b: str) -> bool:
    """Exactly one edit apart (insert, delete, substitute or swap two neighbours)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


def _unicode(host: str) -> str:
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


@functools.lru_cache(maxsize=4096)
def _imitation(host: str, domain: str, sender_domain: str) -> tuple[str, str] | None:
    """(imitated domain, how) when this destination imitates a well-known or
    the sender's domain, else None."""
    brands = load_brands()
    own = _brand_of(domain)
    targets: list[tuple[str, Brand | None]] = []
    if sender_domain and sender_domain != domain and not _same_owner(sender_domain, domain):
        targets.append((sender_domain, _brand_of(sender_domain)))

    def foreign(target_brand: Brand | None, target: str) -> bool:
        return own is None or (target_brand is not own and target != domain)

    # punycode that renders like an ASCII name / confusable characters
    shown = _unicode(domain)
    skel = skeleton(shown)
    twin = brands.by_skeleton.get(skel)
    if twin is not None and twin != domain and foreign(brands.by_domain.get(twin), twin):
        how = "punycode that renders like it" if "xn--" in domain else "confusable characters"
        return twin, f"{how} ({shown} looks like {twin})"
    for target, tb in targets:
        if skeleton(target) == skel:
            return target, f"confusable characters ({shown} looks like {target})"
    if "xn--" in domain and skel.isascii() and skel != skeleton(domain):
        seen = _ascii_render(shown)
        return seen, f"punycode that renders like another name ({shown} looks like {seen})"
    label = _first_label(domain)
    # an extra label: the brand's domain in front of another one
    sub = host[: -len(domain)].rstrip(".") if host.endswith("." + domain) else ""
    if sub:
        sub_labels = sub.split(".")
        for i in range(len(sub_labels)):
            cand = ".".join(sub_labels[i:])
            reg = registrable_domain(cand) if "." in cand else ""
            if reg and reg == cand and (reg in brands.by_domain or any(reg == t for t, _ in targets)) \
                    and foreign(brands.by_domain.get(reg), reg):
                return reg, f"an extra label ({host} starts with {reg}, but the site is {domain})"
        for part in sub_labels:
            b = brands.by_label.get(part)
            if b is not None and len(part) >= MIN_TYPO_LABEL and foreign(b, b.domains[0]):
                return b.domains[0], f"the brand's name as an extra label ({host}, but the site is {domain})"
    if own is not None:
        return None  # a brand's own domain imitates nothing
    # the brand's name as one word of another name: paypal-secure.example
    words = _HYPHENISH.split(label)
    if len(words) > 1:
        for w in words:
            b = brands.by_label.get(w)
            if b is not None:
                return b.domains[0], f"the brand's name inside another name ({domain} is not {b.domains[0]})"
        for target, _tb in targets:
            t_label = _first_label(target)
            if len(t_label) >= MIN_WORD_LABEL and t_label in words:
                return target, f"the sender's name inside another name ({domain} is not {target})"
    # a typo, or the same name under another suffix
    for b in brands.brands:
        main = b.domains[0]
        b_label = _first_label(main)
        if len(b_label) >= MIN_TYPO_LABEL and _damerau1(label, b_label):
            return main, f"one typo away from {main} ({domain})"
        if label == b_label and len(b_label) >= MIN_WORD_LABEL:
            return main, f"the name of {main} under another suffix ({domain})"
    for target, _tb in targets:
        t_label = _first_label(target)
        if len(t_label) >= MIN_TYPO_LABEL and _damerau1(label, t_label):
            return target, f"one typo away from the sender's {target} ({domain})"
    return None


@functools.lru_cache(maxsize=4096)
def _host_facts(host: str) -> tuple[str, bool] | None:
    """(registrable domain, is a URL shortener) of a destination host; None
    for no host, an IP address or a dotless name (nothing to judge)."""
    if not host or "." not in host or ((host[0].isdigit() or ":" in host) and is_ip(host)):
        return None
    domain = registrable_domain(host)
    shorteners = load_brands().shorteners
    return domain, host in shorteners or domain in shorteners


def _host(url: str) -> str:
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def judge(link: Link, shown: tuple[Shown, ...] = (), *, sender_domain: str = "",
          destination: str | None = None) -> Verdict | None:
    """The verdict on one link (None when nothing is wrong).

    destination: the resolved destination when the user resolved the link;
    otherwise ``link.final`` is used (None for an opaque wrapper).
    """
    dest = destination or link.final
    if dest is None:
        return _hidden(link.chain[-1] if link.chain else link.original, shown, sender_domain, link.vendor)
    host = _host(dest)
    facts = _host_facts(host)
    if facts is None:
        return None
    domain, shortener = facts
    if shortener:
        return _hidden(dest, shown, sender_domain, None)
    if destination:
        from . import classify_host

        vendor = classify_host(dest)
        if vendor is not None:  # resolved to another tracking wrapper: still hidden
            return _hidden(dest, shown, sender_domain, vendor)
    seen = _imitation(host, domain, sender_domain)
    if seen is not None:
        imitated, how = seen
        first = next((s for s in shown if not _same_owner(s.domain, domain)), None)
        return Verdict("lookalike", domain, first.text if first else "", first.source if first else "",
                       first.domain if first else "", imitated,
                       f"{domain} imitates {imitated}: {how}")
    for s in shown:
        if _same_owner(s.domain, domain):
            continue
        if sender_domain and _brand_of(s.domain) is None and _same_owner(s.domain, sender_domain):
            # the text names the sender's own site (no well-known brand): a link
            # through its mail provider's redirect, not someone pretending to be it
            continue
        if sender_domain and _same_owner(domain, sender_domain) and (s.by_name or _brand_of(s.domain) is None):
            # the sender's own (link-tracking) domain: a social icon's "Facebook"
            # through the sender's redirect, or a site that is no well-known brand
            continue
        return Verdict("deceptive", domain, s.text, s.source, s.domain, "",
                           f"the link's {_SOURCE_WORD[s.source]} names {s.domain}, but it goes to {domain}")
    return None


_SOURCE_WORD = {"text": "text", "title": "title", "alt": "image text"}


def _hidden(wrapper: str, shown: tuple[Shown, ...], sender_domain: str, vendor: str | None) -> Verdict | None:
    # a brand named by name only (a social icon's "Facebook") through a
    # newsletter's wrapper is every newsletter's footer: not worth a verdict
    shown = tuple(s for s in shown if not s.by_name)
    host = _host(wrapper)
    domain = registrable_domain(host) if host else ""
    if not shown or not domain:
        return None
    if sender_domain and _same_owner(domain, sender_domain):
        return None  # the sender's own link-tracking domain
    for s in shown:
        if _same_owner(s.domain, domain):
            return None  # the named site's own tracking domain
    s = shown[0]
    via = f"{vendor}'s wrapper {domain}" if vendor else domain
    return Verdict("hidden", domain, s.text, s.source, s.domain, "",
                   f"the link's {_SOURCE_WORD[s.source]} names {s.domain}, but it goes through {via}, "
                   "whose destination is not known until the link is resolved")


def same_owner_text(link: Link, text: str) -> str:
    """The registrable domain a link's text names when the text is an http(s)
    URL (as Thunderbird's own link check reads it: spaces dropped, ``<>`` or
    quotes around it) of another registrable domain than the link's known
    destination; "" otherwise. Called for links ``judge`` found fine: the two
    domains then belong to one owner, where Thunderbird would see a mismatch."""
    if link.final is None or not text or len(text) > MAX_SHOWN * 4:
        return ""
    t = re.sub(r"^<(.+)>$|^\"(.+)\"$", r"\1\2", text.strip()).replace(" ", "")
    if not re.match(r"^https?://", t, re.I):
        return ""
    named = _named_domain(t)
    dest = _host(link.final)
    if not named or not dest or is_ip(dest):
        return ""
    return named if named != registrable_domain(dest) else ""
