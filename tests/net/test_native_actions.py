"""The host's ``resolve`` and ``images`` actions, in process and through the real host subprocess."""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path

import pytest

from trackless.errors import RefusedError
from trackless.native.dispatch import ACTIONS, Context, handler_for
from trackless.native.protocol import RequestError
from trackless.store import Store

from .conftest import Reply
from .test_images import GIF, PNG, SVG


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKLESS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRACKLESS_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


def _ctx(store, sink=None):
    return Context(store=store, emit=(sink.append if sink is not None else (lambda r: None)))


def test_actions_are_registered():
    assert ACTIONS["resolve"] == "trackless.native.actions.resolve:handle"
    assert ACTIONS["images"] == "trackless.native.actions.images:handle"
    assert callable(handler_for("resolve")) and callable(handler_for("images"))


def test_resolve_action_refuses_loopback_unless_the_setting_allows(http_server, env):
    http_server.routes["/ls/click"] = lambda req: Reply(302, [("Location", "https://dest.example/x?utm_source=a")])
    store = Store(env / "config" / "settings.json")
    url = f"http://127.0.0.1:{http_server.port}/ls/click?upn=abc"
    handle = handler_for("resolve")
    with pytest.raises(RefusedError):
        handle({"url": url, "allow_private": True}, _ctx(store))  # a request cannot lift the rule
    assert http_server.requests() == []
    store.set_options({"resolve_allow_private": True})
    out = handle({"url": url}, _ctx(store))
    assert out["final"] == "https://dest.example/x" and out["chain"][0]["status"] == 302
    assert json.loads(json.dumps(out)) == out
    with pytest.raises(RequestError):
        handle({"url": 42}, _ctx(store))


def _allow_loopback_images(config: Path) -> None:
    """Allowlist 127.0.0.1 for images by writing the settings file (the CLI only takes domain names)."""
    path = config / "settings.json"
    raw = json.loads(path.read_text())
    raw["allowlist"]["127.0.0.1"] = {"images": True, "keep_links": False, "added": "2026-11-26"}
    path.write_text(json.dumps(raw))


def test_images_action_streams_allowlisted_images_only(http_server, env):
    P = http_server.port
    http_server.routes["/a.png"] = lambda req: Reply(200, [("Content-Type", "image/png")], PNG)
    http_server.routes["/b.gif"] = lambda req: Reply(200, [("Content-Type", "image/gif")], GIF)
    http_server.routes["/c.svg"] = lambda req: Reply(200, [("Content-Type", "image/svg+xml")], SVG)
    store = Store(env / "config" / "settings.json")
    store.set_options({"resolve_allow_private": True})
    _allow_loopback_images(env / "config")
    partials = []
    urls = [http_server.url("/a.png"), f"http://cdn.other.example:{P}/b.gif", http_server.url("/c.svg"),
            http_server.url("/a.png")]
    out = handler_for("images")({"urls": urls}, _ctx(store, partials))
    assert [i["status"] for i in out["images"]] == ["ok", "refused", "not_image"]
    assert out["ok"] == 1 and all("data" not in i for i in out["images"])
    by_url = {p["image"]["url"]: p["image"] for p in partials}
    assert len(partials) == 3
    assert by_url[urls[0]]["data"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert "allowlist" in by_url[urls[1]]["message"]
    assert sorted(s.path for s in http_server.requests()) == ["/a.png", "/c.svg"]
    # a second open is served from the disk cache
    again = handler_for("images")({"urls": urls[:1]}, _ctx(store, []))
    assert again["images"][0]["cached"] is True and len(http_server.requests()) == 2


def test_images_action_without_the_setting_refuses_loopback(http_server, env):
    http_server.routes["/a.png"] = lambda req: Reply(200, body=PNG)
    store = Store(env / "config" / "settings.json")
    store.set_options({"dns_uncloaking": False})
    _allow_loopback_images(env / "config")
    out = handler_for("images")({"urls": [http_server.url("/a.png")]}, _ctx(store, []))
    assert out["images"][0]["status"] == "refused"
    assert http_server.requests() == []


def _hostproc():
    path = Path(__file__).resolve().parents[1] / "native" / "hostproc.py"
    spec = importlib.util.spec_from_file_location("trackless_test_hostproc", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_resolve_through_the_real_host(http_server, tmp_path):
    hp = _hostproc()
    http_server.routes["/ls/click"] = lambda req: Reply(302, [("Location", "https://dest.example/page?utm_medium=email&a=1")])
    Store(tmp_path / "config" / "settings.json").set_options({"resolve_allow_private": True})
    url = f"http://127.0.0.1:{http_server.port}/ls/click?upn=zzz"
    data = hp.frame({"id": 1, "action": "resolve", "url": url}) + hp.frame({"id": 2, "action": "resolve", "url": "ftp://x.example/"})
    code, replies, _err = hp.exchange(data, tmp_path)
    assert code == 0
    assert replies[0]["ok"] and replies[0]["result"]["final"] == "https://dest.example/page?a=1"
    assert replies[1] == {"id": 2, "ok": False, "error": {"code": "refused", "message":
                          "refused: only http and https URLs are resolved, not ftp"}}
    assert len(http_server.requests()) == 1


def test_images_through_the_real_host_stream_partials(http_server, tmp_path):
    hp = _hostproc()
    big = PNG + b"\0" * 1_500_000  # its data: URI is over 1 MiB: the partial must arrive chunked
    http_server.routes["/big.png"] = lambda req: Reply(200, body=big)
    store = Store(tmp_path / "config" / "settings.json")
    store.set_options({"resolve_allow_private": True, "image_max_bytes": 4 * 1024 * 1024})
    _allow_loopback_images(tmp_path / "config")
    url = http_server.url("/big.png")
    code, replies, _err = hp.exchange(hp.frame({"id": 9, "action": "images", "urls": [url]}), tmp_path)
    assert code == 0
    partial, final = replies
    assert partial["partial"] is True and partial["result"]["image"]["status"] == "ok"
    assert partial["result"]["image"]["data"] == "data:image/png;base64," + base64.b64encode(big).decode()
    assert final["result"] == {"images": [{"url": url, "status": "ok", "mime": "image/png", "size": len(big),
                                           "cached": False, "error": None, "message": None}], "ok": 1}


def test_uncloak_action_needs_the_setting_and_uses_dns(dns_server, env, monkeypatch):
    from trackless.net import service
    from trackless.net.cname import CnameChecker

    dns_server.zone.update({"epost.brand.example": ("CNAME", "brand.slgnt.eu", 300),
                            "brand.slgnt.eu": ("A", "192.0.2.20", 300),
                            "www.brand.example": ("A", "192.0.2.21", 300)})
    monkeypatch.setattr(service, "make_cname_checker", lambda options, cache=True: CnameChecker(
        nameservers=("127.0.0.1",), port=dns_server.port, timeout=1.0))
    store = Store(env / "config" / "settings.json")
    handle = handler_for("uncloak")
    params = {"hosts": ["epost.brand.example", "www.brand.example", "EPOST.brand.example.",
                        "3f2a9c8e1b7d4f60.t.brand.example", "johndoe.news.brand.example", "192.0.2.1"],
              "to": ["john.doe@example.org"]}
    with pytest.raises(RefusedError, match="dns_uncloaking"):
        handle(params, _ctx(store))
    assert dns_server.queries == []
    store.set_options({"dns_uncloaking": True})
    out = handle(params, _ctx(store))["hosts"]
    assert list(out) == ["epost.brand.example", "www.brand.example", "3f2a9c8e1b7d4f60.t.brand.example",
                         "johndoe.news.brand.example", "192.0.2.1"]
    assert out["epost.brand.example"]["status"] == "tracker"
    assert out["epost.brand.example"]["vendor"].startswith("Selligent")
    assert out["www.brand.example"]["status"] == "clean"
    assert [out[h]["status"] for h in list(out)[2:]] == ["skipped", "skipped", "skipped"]
    assert sorted(q for q, _ in dns_server.queries) == ["epost.brand.example", "www.brand.example"]


def test_resolve_action_judges_the_resolved_destination(http_server, env):
    """What the link showed, against where it really went once resolved."""
    http_server.routes["/ls/click"] = lambda req: Reply(302, [("Location", "https://login.account-check.example/x")])
    store = Store(env / "config" / "settings.json")
    store.set_options({"resolve_allow_private": True})
    url = f"http://127.0.0.1:{http_server.port}/ls/click?upn=abc"
    handle = handler_for("resolve")
    out = handle({"url": url, "text": "www.paypal.com", "from": "service@paypal-mail.example"}, _ctx(store))
    assert out["verdict"]["kind"] == "deceptive" and out["verdict"]["names"] == "paypal.com"
    assert out["verdict"]["domain"] == "account-check.example"
    out = handle({"url": url, "text": "Read more"}, _ctx(store))
    assert out["verdict"] is None
    with pytest.raises(RequestError):
        handle({"url": url, "alts": "paypal"}, _ctx(store))
