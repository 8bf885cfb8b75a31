"""Click-to-resolve: follow an opaque tracking link's redirects, contacting as few hops as possible.

``Resolver(fetcher).resolve(url) -> Resolution``. One hop at a time:

* each hop is one URL: ``HEAD`` first; when the server refuses HEAD (400,
  403, 404, 405, 406, 501) the same URL is asked with ``GET`` whose body is
  never read. Redirects (301/302/303/307/308 ``Location``, or a ``Refresh``
  header) give the next URL, resolved against the current one;
* before any next URL is requested it is decoded offline by the link engine:
  when the engine can unwrap it (the destination is inside the URL) the walk
  stops there; when it leaves the tracker -- another host or registrable
  domain that is neither a known tracker/redirector (``classify``) nor an
  opaque wrapper (``decode(...).status == "opaque"``) -- the walk stops too.
  The destination site itself is never requested. (Stopping on a change of
  host as well as of registrable domain is deliberate: ``click.brand.example``
  -> ``www.brand.example`` is the destination, not another tracker hop.)
* at most ``max_hops`` URLs, a total time budget (the transport adds the
  per-hop budget), loop detection (a URL seen twice is ``RedirectLoopError``);
* the final URL is cleaned of tracking parameters by the link engine; only
  ``http``, ``https`` and ``mailto`` destinations are returned.

Results are cached (``DiskCache``, 7 days) under the original URL, so
resolving twice contacts nobody. Every network effect goes through the
injected ``fetcher`` (``transport.Transport`` in production); the link engine
functions are injected too (defaults: ``trackless.links``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote, urljoin, urlsplit

from ..errors import NetworkError, RedirectLoopError, RefusedError, TooManyRedirectsError
from .addresses import MAX_URL_LENGTH, check_url
from .transport import Deadline, Fetcher, Response

__all__ = ["Hop", "Resolution", "Resolver", "HEAD_REFUSED", "REDIRECTS", "MAX_HOPS"]

MAX_HOPS = 10
TOTAL_TIMEOUT = 25.0
CACHE_TTL = 7 * 24 * 3600
#: HEAD answers that mean "ask again with GET".
HEAD_REFUSED = frozenset({400, 403, 404, 405, 406, 501})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
FINAL_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Hop:
    """One URL that was requested: its status and the method that got it."""

    url: str
    status: int
    method: str

    def to_dict(self) -> dict:
        return {"url": self.url, "status": self.status, "method": self.method}


@dataclass(frozen=True)
class Resolution:
    """What resolving a link found.

    url: the link as given. final: the cleaned destination (never requested).
    chain: the hops that were requested, in order (empty when decoded offline).
    vendor: the tracker's vendor when known. warning: that the vendor has
    probably registered a click (None when nothing was contacted).
    stop: why the walk stopped: ``decoded`` (the engine decoded the next URL
    offline), ``left-tracker`` (the next URL is on another site), ``page``
    (a hop answered without redirecting), ``not-http`` (a mailto: destination).
    removed: tracking parameters removed from the final URL.
    cached: served from the cache (nobody contacted now).
    """

    url: str
    final: str
    chain: tuple[Hop, ...] = ()
    vendor: str | None = None
    warning: str | None = None
    stop: str = "decoded"
    removed: tuple[str, ...] = ()
    cached: bool = False

    def to_dict(self) -> dict:
        return {
            "url": self.url,
            "final": self.final,
            "chain": [h.to_dict() for h in self.chain],
            "vendor": self.vendor,
            "warning": self.warning,
            "stop": self.stop,
            "removed": list(self.removed),
            "cached": self.cached,
        }

    @classmethod
    def from_dict(cls, d: dict, *, cached: bool = False) -> "Resolution":
        return cls(
            url=str(d["url"]), final=str(d["final"]),
            chain=tuple(Hop(str(h["url"]), int(h["status"]), str(h["method"])) for h in d.get("chain", ())),
            vendor=d.get("vendor"), warning=d.get("warning"), stop=str(d.get("stop", "")),
            removed=tuple(d.get("removed", ())), cached=cached,
        )


def _default_decode(url: str):
    from ..links import unwrap

    return unwrap(url)


def _default_classify(url: str):
    from ..links import classify_host

    return classify_host(url)


def _default_domain(host: str) -> str:
    from ..domains import registrable_domain

    return registrable_domain(host)


def _key(url: str) -> tuple:
    p = urlsplit(url)
    host = (p.hostname or "").rstrip(".")
    port = p.port or (443 if p.scheme.lower() == "https" else 80)
    return (p.scheme.lower(), host, port, p.path or "/", p.query)


_CTRL = re.compile(r"[\x00-\x1f\x7f]")
_SAFE = "".join(chr(c) for c in range(0x21, 0x7f))


def _location(value: str, base: str) -> str:
    """A Location header value made into an absolute URL (UTF-8 re-read; spaces and non-ASCII quoted).

    Raises ``NetworkError`` for an empty, overlong (over ``MAX_URL_LENGTH``) or malformed one
    (control characters, a bad port or IPv6 literal), so that nothing downstream meets a URL
    ``urlsplit`` cannot read, nor spends time on one no hop would request.
    """
    if len(value) > MAX_URL_LENGTH:
        raise NetworkError(f"the redirect target is longer than {MAX_URL_LENGTH} characters")
    try:
        value = value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    value = value.strip()
    if not value or _CTRL.search(value):
        raise NetworkError("the redirect has an empty or malformed Location")
    try:
        url = urljoin(base, quote(value, safe=_SAFE))
        urlsplit(url).port  # noqa: B018 - raises ValueError on a bad port or IPv6 literal
    except ValueError:
        raise NetworkError("the redirect has a malformed Location") from None
    return url


_WS = " \t\n\f\r"


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in _WS:
        i += 1
    return i


def refresh_target(value: str) -> str | None:
    """The URL of a ``Refresh`` header (``5; url='/next'``), or None; one left-to-right scan.

    Follows HTML's declarative-refresh steps: a time (digits and dots), then
    ``;``, ``,`` or whitespace, then an optional ``url=``, then an optional
    quote that ends the URL where it appears again. No regular expression:
    the header comes from the network and is read in time linear in its length.
    """
    i = _skip_ws(value, 0)
    start = i
    while i < len(value) and value[i] in "0123456789.":
        i += 1
    if i == start:
        return None
    after_time = i
    i = _skip_ws(value, i)
    if i < len(value) and value[i] in ";,":
        i = _skip_ws(value, i + 1)
    elif i == after_time and i < len(value):
        return None  # "5x": not a refresh
    if value[i:i + 3].lower() == "url":
        j = _skip_ws(value, i + 3)
        if j < len(value) and value[j] == "=":
            i = _skip_ws(value, j + 1)
    quote = value[i] if i < len(value) and value[i] in "'\"" else ""
    url = value[i + len(quote):]
    if quote and quote in url:
        url = url[:url.index(quote)]
    url = url.strip(_WS)
    return url or None


def next_url(resp: Response, current: str) -> str | None:
    """The URL a response sends the client to, or None."""
    if resp.status in REDIRECTS:
        loc = resp.header("location")
        if loc is None:
            raise NetworkError(f"{urlsplit(current).hostname} answered {resp.status} without a Location")
        return _location(loc, current)
    if 200 <= resp.status < 300:
        refresh = resp.header("refresh")
        if refresh:
            target = refresh_target(refresh)
            if target:
                return _location(target, current)
    return None


@dataclass
class Resolver:
    fetcher: Fetcher
    decode: Callable = _default_decode
    classify: Callable[[str], str | None] = _default_classify
    domain_of: Callable[[str], str] = _default_domain
    cache: object | None = None  # DiskCache-like: get_json/put_json
    max_hops: int = MAX_HOPS
    total_timeout: float = TOTAL_TIMEOUT
    cache_ttl: float = CACHE_TTL
    requests: list = field(default_factory=list, repr=False)  # (method, url) log of this resolver

    def _is_tracker(self, url: str, link) -> bool:
        return link.status == "opaque" or bool(self.classify(url))

    def _leaves(self, current: str, nxt: str, link) -> bool:
        if self._is_tracker(nxt, link):
            return False
        a, b = (urlsplit(current).hostname or ""), (urlsplit(nxt).hostname or "")
        return a != b or self.domain_of(a) != self.domain_of(b)

    def _hop(self, url: str, deadline: Deadline) -> Response:
        deadline.check("resolving")
        self.requests.append(("HEAD", url))
        resp = self.fetcher.request("HEAD", url, deadline=deadline)
        if resp.status in HEAD_REFUSED:
            deadline.check("resolving")
            self.requests.append(("GET", url))
            resp = self.fetcher.request("GET", url, max_body=0, deadline=deadline)
        return resp

    def _finish(self, url, final, chain, vendor, stop, removed: tuple[str, ...] = ()) -> Resolution:
        scheme = urlsplit(final).scheme.lower()
        if scheme not in FINAL_SCHEMES:
            raise RefusedError(f"refused: the link leads to a {scheme or 'relative'}: URL, not a web page")
        if scheme in ("http", "https") and "@" in urlsplit(final).netloc:
            raise RefusedError("refused: the link leads to a URL with credentials (user@host), a phishing pattern")
        removed = tuple(removed)
        if scheme in ("http", "https"):
            link = self.decode(final)
            if link.status in ("cleaned", "unwrapped") and link.final:
                final = link.final
                removed += tuple(r for r in link.removed if r not in removed)
        warning = None
        if chain:
            who = vendor or urlsplit(chain[0].url).hostname
            n = len(chain)
            warning = (f"Resolving contacted {who} ({n} hop{'s' if n != 1 else ''}): "
                       f"it has probably recorded a click on this link.")
        return Resolution(url=url, final=final, chain=tuple(chain), vendor=vendor, warning=warning,
                          stop=stop, removed=removed)

    def resolve(self, url: str) -> Resolution:
        url = url.strip()
        check_url(url)  # refuse credentials, odd schemes and ports before anything else
        if self.cache is not None:
            hit = self.cache.get_json("resolve:" + url)
            if isinstance(hit, dict):
                try:
                    return Resolution.from_dict(hit, cached=True)
                except (KeyError, TypeError, ValueError):
                    pass
        result = self._walk(url)
        if self.cache is not None and result.chain:  # offline decodes cost nothing: not cached
            self.cache.put_json("resolve:" + url, result.to_dict(), self.cache_ttl)
        return result

    def _walk(self, url: str) -> Resolution:
        first = self.decode(url)
        if first.status == "unwrapped" and first.final:
            return self._finish(url, first.final, [], first.vendor, "decoded", tuple(first.removed))
        vendor = first.vendor or self.classify(url)
        deadline = Deadline(self.total_timeout)
        current, seen, chain = url, {_key(url)}, []
        while True:
            if len(chain) >= self.max_hops:
                raise TooManyRedirectsError(f"more than {self.max_hops} redirects; gave up")
            resp = self._hop(current, deadline)
            chain.append(Hop(current, resp.status, resp.method))
            nxt = next_url(resp, current)
            deadline.check("resolving")  # reading the answer is inside the budget too
            if nxt is None:
                if resp.status >= 400:
                    raise NetworkError(f"{urlsplit(current).hostname} answered {resp.status}: "
                                       "the link may have expired or been refused")
                if 300 <= resp.status < 400:
                    raise NetworkError(f"{urlsplit(current).hostname} answered {resp.status}, not a redirect")
                return self._finish(url, current, chain, vendor, "page")
            scheme = urlsplit(nxt).scheme.lower()
            if scheme not in ("http", "https"):
                return self._finish(url, nxt, chain, vendor, "not-http")
            if _key(nxt) in seen:
                raise RedirectLoopError(f"redirect loop: {nxt} was already visited")
            seen.add(_key(nxt))
            link = self.decode(nxt)
            if link.status == "unwrapped" and link.final:
                # vendor: of the hops contacted; the wrapper decoded offline was never contacted
                return self._finish(url, link.final, chain, vendor, "decoded", tuple(link.removed))
            if self._leaves(current, nxt, link):
                return self._finish(url, nxt, chain, vendor, "left-tracker")
            vendor = vendor or link.vendor or self.classify(nxt)
            current = nxt
