"""The image proxy against a loopback server: magic bytes decide, limits hold, cache serves re-opens."""

from __future__ import annotations

import base64
import struct
import threading
import time

import pytest

from trackless.net.cache import DiskCache
from trackless.net.images import ImageProxy, sniff
from trackless.net.transport import Transport

from .conftest import Reply, loopback_getaddrinfo

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5f1a5d30000000049454e44ae426082")
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 20 + b"\xff\xd9"
WEBP = b"RIFF" + struct.pack("<I", 26) + b"WEBPVP8L" + struct.pack("<I", 14) + b"\x2f" + b"\x00" * 13
BMP = b"BM" + struct.pack("<IHHI", 58, 0, 0, 54) + struct.pack("<IiiHH", 40, 1, 1, 1, 24) + b"\x00" * 28
ICO = b"\x00\x00\x01\x00\x01\x00" + b"\x10\x10\x00\x00\x01\x00\x20\x00" + struct.pack("<II", 4, 22) + b"\x00" * 4
AVIF = struct.pack(">I", 28) + b"ftypavif" + b"\x00\x00\x00\x00" + b"avifmif1miaf" + b"\x00" * 8
HEIC = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 8
MP4 = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomavc1" + b"\x00" * 8
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://tracker.example/p.gif"/></svg>'


@pytest.mark.parametrize("data,mime", [
    (PNG, "image/png"), (GIF, "image/gif"), (GIF.replace(b"89a", b"87a", 1), "image/gif"), (JPEG, "image/jpeg"),
    (WEBP, "image/webp"), (BMP, "image/bmp"), (ICO, "image/x-icon"), (AVIF, "image/avif"),
    (SVG, None), (b"<?xml version='1.0'?>" + SVG, None), (b"<html><body>hi</body></html>", None),
    (HEIC, None), (MP4, None), (b"", None), (b"BM", None), (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
    (b"\x89PNG", None), (b"GIF8", None), (b"%PDF-1.7\n", None),
])
def test_sniff_by_magic_bytes(data, mime):
    assert sniff(data) == mime


def _proxy(**kw):
    cache = kw.pop("cache", None)
    t = Transport(allow_private=kw.pop("allow_private", True), getaddrinfo=loopback_getaddrinfo(),
                  hop_timeout=kw.pop("hop_timeout", 3))
    return ImageProxy(t, cache=cache, **kw)


def test_magic_bytes_decide_not_the_content_type(http_server):
    http_server.routes["/png-as-html"] = lambda req: Reply(200, [("Content-Type", "text/html"), ("Set-Cookie", "a=1")], PNG)
    http_server.routes["/svg-as-png"] = lambda req: Reply(200, [("Content-Type", "image/png")], SVG)
    http_server.routes["/html-as-gif"] = lambda req: Reply(200, [("Content-Type", "image/gif")], b"<html>x</html>")
    urls = [http_server.url(p) for p in ("/png-as-html", "/svg-as-png", "/html-as-gif")]
    out = _proxy().fetch_all(urls)
    assert [i.status for i in out] == ["ok", "not_image", "not_image"]
    assert out[0].mime == "image/png"
    assert out[0].data == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert out[1].data is None and out[2].data is None
    for s in http_server.requests():
        assert "cookie" not in s.headers and "referer" not in s.headers
        assert "python" not in s.headers["user-agent"].lower()


def test_each_url_fetched_once_order_kept_and_callback_per_image(http_server):
    for name, body in (("a", PNG), ("b", GIF), ("c", JPEG)):
        http_server.routes[f"/{name}"] = (lambda b: lambda req: Reply(200, body=b))(body)
    urls = [http_server.url("/a"), http_server.url("/b"), http_server.url("/a"), http_server.url("/c")]
    got = []
    out = _proxy().fetch_all(urls, on_result=got.append)
    assert [i.mime for i in out] == ["image/png", "image/gif", "image/jpeg"]
    assert sorted(i.url for i in got) == sorted(set(urls))
    assert len(http_server.requests()) == 3


def test_per_image_cap_declared_and_streamed(http_server):
    http_server.routes["/big"] = lambda req: Reply(200, body=PNG + b"\0" * 5000)
    http_server.routes["/endless"] = lambda req: Reply(200, stream_forever=True)
    start = time.monotonic()
    out = _proxy(max_image_bytes=4000).fetch_all([http_server.url("/big"), http_server.url("/endless")])
    assert [i.status for i in out] == ["too_large", "too_large"]
    assert time.monotonic() - start < 2


def test_per_mail_cap(http_server):
    body = PNG + b"\0" * 3000
    for i in range(5):
        http_server.routes[f"/i{i}"] = lambda req: Reply(200, body=body)
    out = _proxy(max_image_bytes=5000, max_total_bytes=len(body) * 2 + 10, parallel=1).fetch_all(
        [http_server.url(f"/i{i}") for i in range(5)])
    statuses = [i.status for i in out]
    assert statuses.count("ok") == 2 and statuses.count("over_budget") == 3
    assert sum(i.size for i in out if i.status == "ok") <= len(body) * 2 + 10


def test_image_count_cap(http_server):
    http_server.routes["/p"] = lambda req: Reply(200, body=PNG)
    urls = [http_server.url(f"/p?n={i}") for i in range(6)]
    out = _proxy(max_images=4).fetch_all(urls)
    assert [i.status for i in out] == ["ok"] * 4 + ["over_budget"] * 2
    assert len(http_server.requests()) == 4


def test_parallelism_is_bounded(http_server):
    active, peak, lock = [0], [0], threading.Lock()

    def slow(req):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        return Reply(200, body=PNG)

    http_server.routes["/s"] = slow
    out = _proxy(parallel=3).fetch_all([http_server.url(f"/s?n={i}") for i in range(9)])
    assert all(i.status == "ok" for i in out)
    assert peak[0] == 3


def test_slow_image_times_out_others_arrive(http_server):
    http_server.routes["/slow"] = lambda req: Reply(200, body=PNG, delay=2)
    http_server.routes["/fast"] = lambda req: Reply(200, body=PNG)
    out = _proxy(hop_timeout=0.4).fetch_all([http_server.url("/slow"), http_server.url("/fast")])
    assert [i.status for i in out] == ["timeout", "ok"]


def test_redirects_followed_and_vetted(http_server):
    P = http_server.port
    http_server.routes["/r"] = lambda req: Reply(302, [("Location", "/final.png")])
    http_server.routes["/final.png"] = lambda req: Reply(200, body=PNG)
    http_server.routes["/loop"] = lambda req: Reply(302, [("Location", "/loop")])
    out = _proxy().fetch_all([http_server.url("/r"), http_server.url("/loop")])
    assert [i.status for i in out] == ["ok", "failed"]
    assert out[1].error == "redirect_loop"
    # a strict proxy refuses loopback before connecting
    http_server.log.clear()
    out = _proxy(allow_private=False).fetch_all([http_server.url("/r"), f"http://img.example:{P}/r",
                                                 "http://user@img.example/x.png", "ftp://img.example/x.png"])
    assert [i.status for i in out] == ["refused"] * 4
    assert http_server.requests() == []


def test_disk_cache_serves_reopen(http_server, tmp_path):
    http_server.routes["/c.png"] = lambda req: Reply(200, body=PNG)
    cache = DiskCache(tmp_path / "images", max_bytes=10_000)
    first = _proxy(cache=cache).fetch_all([http_server.url("/c.png")])[0]
    again = _proxy(cache=cache).fetch_all([http_server.url("/c.png")])[0]
    assert (first.status, first.cached, again.status, again.cached) == ("ok", False, "ok", True)
    assert again.data == first.data
    assert len(http_server.requests()) == 1


def test_disk_cache_is_bounded(tmp_path):
    cache = DiskCache(tmp_path / "c", max_bytes=3000, max_entries=100)
    for i in range(10):
        assert cache.put(f"k{i}", b"x" * 500, ttl=60)
        time.sleep(0.01)
    files = list((tmp_path / "c").glob("*.entry"))
    assert sum(f.stat().st_size for f in files) <= 3000
    assert cache.get("k9") == b"x" * 500 and cache.get("k0") is None
    capped = DiskCache(tmp_path / "d", max_entries=3)
    for i in range(6):
        capped.put(f"k{i}", b"y", ttl=60)
        time.sleep(0.01)
    assert len(list((tmp_path / "d").glob("*.entry"))) == 3


def test_disk_cache_ignores_garbage_and_respects_env(tmp_path, monkeypatch):
    from trackless.net.cache import cache_root

    monkeypatch.setenv("TRACKLESS_CACHE_DIR", str(tmp_path / "root"))
    assert cache_root() == tmp_path / "root"
    cache = DiskCache.named("images")
    assert cache.put("k", b"v", ttl=60) and cache.get("k") == b"v"
    entry = next((tmp_path / "root" / "images").glob("*.entry"))
    entry.write_bytes(b"not json\nv")
    assert cache.get("k") is None
    assert not entry.exists()
    assert list((tmp_path / "root" / "images").glob(".tmp-*")) == []
