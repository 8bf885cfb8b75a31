"""The private image proxy: fetch images the user allowed and return them as ``data:`` URIs.

Thunderbird shows ``data:`` images while remote content stays blocked, so an
allowed image is fetched here, outside the message, and put back inline.
Only the URLs the caller passes are fetched (the add-on passes those a
sanitize result marks ``allowed``); nothing else is ever requested.

* every request goes through the SSRF-guarded ``Transport`` (no cookies, no
  Referer, a common User-Agent), redirects followed one hop at a time (at
  most ``max_redirects``, loops refused), each hop vetted again: the URL
  policy and the address rule, and ``allowed(url)`` (the caller's allowlist)
  for every hop, not only the first, so an open redirect on an allowed
  domain cannot become a fetch from another;
* the type is decided by magic bytes, never by ``Content-Type``: PNG, JPEG,
  GIF, WebP, BMP, ICO and AVIF are accepted; SVG (it is a document that can
  reference other URLs) and everything else are refused;
* limits: ``max_image_bytes`` per image (declared Content-Length over it
  stops before reading), ``max_total_bytes`` per mail, ``max_images`` URLs,
  a total time budget, at most ``parallel`` fetches at a time;
* a bounded disk cache (``DiskCache``) serves re-opens without a request.

``ImageProxy.fetch_all(urls, on_result)`` calls ``on_result`` as each image
finishes (so the host can send chunked replies) and returns them all in
input order.
"""

from __future__ import annotations

import base64
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

from ..errors import NetworkError, RedirectLoopError, RefusedError, TimeoutNetworkError, TooLargeError, TracklessError
from .addresses import check_url
from .resolve import REDIRECTS, _key, _location
from .transport import Deadline, Fetcher

__all__ = ["sniff", "Image", "ImageProxy", "IMAGE_ACCEPT", "RASTER_TYPES"]

IMAGE_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8"
RASTER_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-icon", "image/avif")
CACHE_TTL = 24 * 3600
_BMP_DIB_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}


def sniff(data: bytes) -> str | None:
    """The raster image type of ``data`` by its magic bytes, or None (SVG and all else)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 16 and data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:15] == b"VP8":
        return "image/webp"
    if len(data) >= 26 and data[:2] == b"BM" and struct.unpack_from("<I", data, 14)[0] in _BMP_DIB_SIZES:
        return "image/bmp"
    if len(data) >= 22 and data[:4] == b"\x00\x00\x01\x00" and struct.unpack_from("<H", data, 4)[0] > 0:
        return "image/x-icon"
    if len(data) >= 16 and data[4:8] == b"ftyp":
        box = struct.unpack_from(">I", data, 0)[0]
        major = data[8:12]
        brands = {data[i:i + 4] for i in range(16, min(box, len(data), 256) - 3, 4)}
        if major in (b"avif", b"avis") or (major in (b"mif1", b"msf1") and brands & {b"avif", b"avis"}):
            return "image/avif"
    return None


@dataclass(frozen=True)
class Image:
    """One proxied image.

    status: ``ok``, ``refused`` (SSRF/URL policy), ``not_image`` (magic bytes
    say it is not an accepted raster type), ``too_large`` (over the per-image
    cap), ``over_budget`` (the per-mail cap is spent), ``timeout``, ``failed``.
    data: the ``data:`` URI when ``ok``. error: an ``ERROR_CODES`` code or None.
    """

    url: str
    status: str
    mime: str | None = None
    data: str | None = None
    size: int = 0
    cached: bool = False
    error: str | None = None
    message: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class _Budget:
    def __init__(self, total: int):
        self.left = total
        self._lock = threading.Lock()

    def peek(self) -> int:
        with self._lock:
            return self.left

    def take(self, n: int) -> bool:
        with self._lock:
            if n > self.left:
                return False
            self.left -= n
            return True


class ImageProxy:
    def __init__(self, fetcher: Fetcher, *, cache=None, max_image_bytes: int = 1536 * 1024,
                 max_total_bytes: int = 8 * 1024 * 1024, max_images: int = 64, parallel: int = 3,
                 max_redirects: int = 4, total_timeout: float = 30.0, cache_ttl: float = CACHE_TTL,
                 allowed: Callable[[str], bool] | None = None):
        self.fetcher = fetcher
        self.allowed = allowed
        self.cache = cache
        self.max_image_bytes = max_image_bytes
        self.max_total_bytes = max_total_bytes
        self.max_images = max_images
        self.parallel = max(1, min(parallel, 4))
        self.max_redirects = max_redirects
        self.total_timeout = total_timeout
        self.cache_ttl = cache_ttl

    def _download(self, url: str, limit: int, deadline: Deadline) -> bytes:
        current, seen = url, {_key(url)}
        for _ in range(self.max_redirects + 1):
            if self.allowed is not None and not self.allowed(current):
                raise RefusedError(f"refused: the image {'redirects to' if current != url else 'is on'} "
                                   f"{urlsplit(current).hostname}, which is not on the allowlist")
            resp = self.fetcher.request("GET", current, max_body=limit, deadline=deadline, accept=IMAGE_ACCEPT)
            if resp.status in REDIRECTS:
                loc = resp.header("location")
                if not loc:
                    raise NetworkError(f"{urlsplit(current).hostname} answered {resp.status} without a Location")
                current = _location(loc, current)
                if _key(current) in seen:
                    raise RedirectLoopError("image redirect loop")
                seen.add(_key(current))
                continue
            if resp.status != 200:
                raise NetworkError(f"{urlsplit(current).hostname} answered {resp.status}")
            return resp.body
        raise NetworkError(f"more than {self.max_redirects} redirects for an image")

    def fetch_one(self, url: str, budget: _Budget, deadline: Deadline) -> Image:
        try:
            check_url(url)
        except RefusedError as exc:
            return Image(url, "refused", error=exc.code, message=str(exc))
        data, cached = None, False
        if self.cache is not None:
            data = self.cache.get("image:" + url)
            cached = data is not None
        if data is None:
            left = budget.peek()
            if left <= 0:
                return Image(url, "over_budget", error="too_large", message="the per-mail image limit is spent")
            limit = min(self.max_image_bytes, left)
            try:
                data = self._download(url, limit, deadline)
            except TooLargeError as exc:
                status = "too_large" if limit == self.max_image_bytes else "over_budget"
                return Image(url, status, error=exc.code, message=str(exc))
            except RefusedError as exc:
                return Image(url, "refused", error=exc.code, message=str(exc))
            except TimeoutNetworkError as exc:
                return Image(url, "timeout", error=exc.code, message=str(exc))
            except TracklessError as exc:
                return Image(url, "failed", error=exc.code, message=str(exc))
        mime = sniff(data)
        if mime is None:
            return Image(url, "not_image", size=len(data), error="refused",
                         message="not a PNG, JPEG, GIF, WebP, BMP, ICO or AVIF image")
        if len(data) > self.max_image_bytes:
            return Image(url, "too_large", size=len(data), error="too_large", message="over the per-image limit")
        if not budget.take(len(data)):
            return Image(url, "over_budget", size=len(data), error="too_large",
                         message="the per-mail image limit is spent")
        if self.cache is not None and not cached:
            self.cache.put("image:" + url, data, self.cache_ttl)
        uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        return Image(url, "ok", mime=mime, data=uri, size=len(data), cached=cached)

    def fetch_all(self, urls: Iterable[str], on_result: Callable[[Image], None] | None = None) -> list[Image]:
        """Fetch each distinct URL once (input order kept); ``on_result`` is called as each finishes."""
        wanted = list(dict.fromkeys(u.strip() for u in urls if isinstance(u, str) and u.strip()))
        extra = wanted[self.max_images:]
        wanted = wanted[: self.max_images]
        budget = _Budget(self.max_total_bytes)
        deadline = Deadline(self.total_timeout)
        results: dict[str, Image] = {}
        lock = threading.Lock()

        def one(u: str) -> None:
            if deadline.remaining() <= 0:
                img = Image(u, "timeout", error="timeout", message="the time budget for this mail is spent")
            else:
                try:
                    img = self.fetch_one(u, budget, deadline)
                except Exception as exc:  # fail closed per image, never the whole batch
                    img = Image(u, "failed", error="internal", message=f"{exc.__class__.__name__}: {exc}")
            with lock:
                results[u] = img
                if on_result is not None:
                    on_result(img)

        if wanted:
            with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="trackless-img") as pool:
                list(pool.map(one, wanted))
        for u in extra:
            img = Image(u, "over_budget", error="too_large", message=f"more than {self.max_images} images in one mail")
            results[u] = img
            if on_result is not None:
                on_result(img)
        return [results[u] for u in wanted + extra]
