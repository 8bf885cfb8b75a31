"""The host's ``resolve`` and ``images`` actions, in process and through the real host subprocess."""

from __future__ import annotations

import base64
import importlib.util
import json
import time
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


def test_images_action_checks_every_redirect_hop_against_the_allowlist(http_server, env):
    # Only 127.0.0.1 is allowed: a redirect to localhost (same server, another name) or to an
    # unlisted domain is refused before it is requested; a redirect on the allowed host is followed.
    P = http_server.port
    http_server.routes["/a.png"] = lambda req: Reply(200, body=PNG)
    http_server.routes["/to-localhost"] = lambda req: Reply(302, [("Location", f"http://localhost:{P}/a.png")])
    http_server.routes["/to-other"] = lambda req: Reply(302, [("Location", f"http://img.other.example:{P}/a.png")])
    http_server.routes["/same"] = lambda req: Reply(302, [("Location", "/a.png")])
    store = Store(env / "config" / "settings.json")
    store.set_options({"resolve_allow_private": True})
    _allow_loopback_images(env / "config")
    urls = [http_server.url("/to-localhost"), http_server.url("/to-other"), http_server.url("/same")]
    out = handler_for("images")({"urls": urls}, _ctx(store, []))
    assert [i["status"] for i in out["images"]] == ["refused", "refused", "ok"]
    assert "localhost" in out["images"][0]["message"] and "allowlist" in out["images"][0]["message"]
    assert sorted(s.path for s in http_server.requests()) == ["/a.png", "/same", "/to-localhost", "/to-other"]


def test_images_action_without_the_setting_refuses_loopback(http_server, env):
    http_server.routes["/a.png"] = lambda req: Reply(200, body=PNG)
    store = Store(env / "config" / "settings.json")
    store.set_options({"dns_uncloaking": False})
    _allow_loopback_images(env / "config")
    out = handler_for("images")({"urls": [http_server.url("/a.png")]}, _ctx(store, []))
    assert out["images"][0]["status"] == "refused"
    assert http_server.requests() == []


def test_images_action_fetches_the_authenticated_senders_domain_only_with_the_setting(http_server, env):
    http_server.routes["/hero.png"] = lambda req: Reply(200, [("Content-Type", "image/png")], PNG)
    store = Store(env / "config" / "settings.json")
    store.set_options({"resolve_allow_private": True})
    url = f"http://localhost:{http_server.port}/hero.png"
    passed = ["mx.reader.example; dkim=pass header.d=localhost; dmarc=pass header.from=localhost"]
    handle = handler_for("images")
    params = {"urls": [url], "from": "news@localhost", "authentication_results": passed}
    # the setting off: refused without a request, whatever the headers say
    assert handle(params, _ctx(store, []))["images"][0]["status"] == "refused"
    store.set_options({"sender_images": True})
    # on, but no verdict, or a verdict for another sender: refused
    assert handle({"urls": [url], "from": "news@localhost"}, _ctx(store, []))["images"][0]["status"] == "refused"
    assert handle({**params, "from": "news@other.example"}, _ctx(store, []))["images"][0]["status"] == "refused"
    assert http_server.requests() == []
    assert handle(params, _ctx(store, []))["images"][0]["status"] == "ok"
    assert [r.path for r in http_server.requests()] == ["/hero.png"]


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
    replies = sorted(replies, key=lambda r: r["id"])  # network actions run concurrently: matched by id
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


def _read_reply(host, timeout: float) -> dict:
    """The next whole reply of a live host (partial frames included; no chunking at these sizes)."""
    return json.loads(host.read_body(timeout).decode("utf-8"))


def test_sanitize_is_answered_while_slow_images_and_resolve_are_in_flight(http_server, tmp_path):
    """Network actions run beside sanitizing: a sanitize sent after a slow ``images``
    and a slow ``resolve`` is answered before either of them (the old host answered
    strictly in order, so the sanitize came last), and every reply keeps its id."""
    hp = _hostproc()
    slow = 3.0
    http_server.routes["/slow.png"] = lambda req: Reply(200, [("Content-Type", "image/png")], PNG, delay=slow)
    http_server.routes["/ls/slow"] = lambda req: Reply(302, [("Location", "https://dest.example/p?utm_source=x")], delay=slow)
    Store(tmp_path / "config" / "settings.json").set_options({"resolve_allow_private": True})
    _allow_loopback_images(tmp_path / "config")
    html = '<p><img src="https://t.esp.example/o/1" width="1" height="1"><a href="https://x.example/?utm_source=a">x</a></p>'
    sanitize = {"action": "sanitize", "html": html, "from": "a@brand.example", "to": ["me@reader.example"]}
    host = hp.LiveHost(tmp_path)
    try:
        # Idle: the helper's own latency for this mail (imports and rules warmed up first).
        host.send(hp.frame({"id": "warm", **sanitize}))
        assert _read_reply(host, 30)["id"] == "warm"
        t0 = time.monotonic()
        host.send(hp.frame({"id": "idle", **sanitize}))
        assert _read_reply(host, 10)["id"] == "idle"
        idle = time.monotonic() - t0
        # Busy: a slow image fetch and a slow resolve go first, then the sanitize.
        host.send(hp.frame({"id": "img", "action": "images", "urls": [http_server.url("/slow.png")]})
                  + hp.frame({"id": "res", "action": "resolve", "url": http_server.url("/ls/slow?upn=1")}))
        deadline = time.monotonic() + 5
        while len(http_server.requests()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # both requests reached the slow server: they are in flight
        assert len(http_server.requests()) == 2
        t0 = time.monotonic()
        host.send(hp.frame({"id": "busy", **sanitize}))
        first = _read_reply(host, 30)
        busy = time.monotonic() - t0
        assert first["id"] == "busy" and first["ok"] is True
        assert busy < idle + slow / 2  # generous: the slow replies are still seconds away
        rest = [_read_reply(host, 30) for _ in range(3)]  # image partial, image final, resolve final
        assert sorted((r["id"], bool(r.get("partial"))) for r in rest) == [("img", False), ("img", True), ("res", False)]
        final = {r["id"]: r for r in rest if not r.get("partial")}
        assert final["img"]["result"]["ok"] == 1
        assert final["res"]["result"]["final"] == "https://dest.example/p"
    finally:
        assert host.close() == 0


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


def test_uncloak_of_hosts_whose_dns_never_answers_stays_inside_the_budget(dns_server, env, monkeypatch):
    # A mail naming many hosts whose DNS servers never answer: one query each used to be waited
    # for in turn (here 12 x 0.5 s), holding every request queued behind this one.
    from trackless.native.actions import uncloak
    from trackless.net import service
    from trackless.net.cname import CnameChecker

    hosts = [f"h{i}.slow.example" for i in range(12)]
    for h in hosts:
        dns_server.zone[h] = "TIMEOUT"
    monkeypatch.setattr(service, "make_cname_checker", lambda options, cache=True: CnameChecker(
        nameservers=("127.0.0.1",), port=dns_server.port, timeout=0.5))
    monkeypatch.setattr(uncloak, "TOTAL_TIMEOUT", 1.2, raising=False)
    store = Store(env / "config" / "settings.json")
    store.set_options({"dns_uncloaking": True})
    start = time.monotonic()
    out = handler_for("uncloak")({"hosts": hosts}, _ctx(store))["hosts"]
    assert time.monotonic() - start < 2.5
    assert [v["status"] for v in out.values()] == ["failed"] * len(hosts)
    assert "budget" in out[hosts[-1]]["reason"]
    assert len(dns_server.queries) <= 4  # no query started after the budget was spent
