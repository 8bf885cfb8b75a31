"""``trackless resolve`` end to end with the real link engine, against a loopback server."""

from __future__ import annotations

import json

import pytest

from trackless.cli import main

from .conftest import Reply


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKLESS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRACKLESS_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


def test_sendgrid_style_link_json(http_server, dirs, capsys):
    P = http_server.port
    http_server.routes["/ls/click"] = lambda req: Reply(302, [("Location", f"http://www.shop.example:{P}/p?utm_source=news&id=7")])
    url = f"http://127.0.0.1:{P}/ls/click?upn=aBcD1234efGH5678-2FijKL"
    assert main(["resolve", "--json", "--allow-private", url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["final"] == f"http://www.shop.example:{P}/p?id=7"
    assert out["removed"] == ["utm_source"]
    assert out["chain"] == [{"url": url, "status": 302, "method": "HEAD"}]
    assert out["vendor"] and "SendGrid" in out["vendor"]
    assert "click" in out["warning"] and out["stop"] == "left-tracker" and out["cached"] is False
    assert [s.path.split("?")[0] for s in http_server.requests()] == ["/ls/click"]
    # again: from the cache, nobody contacted
    assert main(["resolve", "--json", "--allow-private", url]) == 0
    assert json.loads(capsys.readouterr().out)["cached"] is True
    assert len(http_server.requests()) == 1
    assert list((dirs / "cache" / "resolve").glob("*.entry"))


def test_selligent_chain_into_a_decodable_wrapper(http_server, dirs, capsys):
    P = http_server.port
    http_server.routes["/optiext/optiextension.dll"] = lambda req: Reply(302, [("Location", "/ls/click?upn=second-hop")])
    http_server.routes["/ls/click"] = lambda req: Reply(
        302, [("Location", "https://www.google.com/url?q=https%3A%2F%2Fdest.example%2Fpage%3Futm_medium%3Demail%26sku%3D42")])
    url = f"http://127.0.0.1:{P}/optiext/optiextension.dll?ID=x1y2z3&RCPT=abc"
    assert main(["resolve", "--allow-private", url]) == 0
    cap = capsys.readouterr()
    lines = cap.out.splitlines()
    assert lines[0] == "https://dest.example/page?sku=42"
    assert lines[1].startswith("  hop 1: 302 HEAD ") and lines[2].startswith("  hop 2: 302 HEAD ")
    assert "destination decoded offline" in cap.out and "Selligent" in cap.out
    assert cap.err.startswith("warning: Resolving contacted")
    assert len(http_server.requests()) == 2


def test_loopback_refused_by_default_with_json_error(http_server, dirs, capsys):
    http_server.routes["/ls/click"] = lambda req: Reply(302, [("Location", "https://dest.example/")])
    url = f"http://127.0.0.1:{http_server.port}/ls/click?upn=x"
    assert main(["resolve", "--json", url]) == 1
    cap = capsys.readouterr()
    assert json.loads(cap.out) == {"error": {"code": "refused",
                                             "message": "refused: 127.0.0.1 is a loopback address"}}
    assert "loopback" in cap.err
    assert http_server.requests() == []


def test_setting_lifts_the_address_rule(http_server, dirs, capsys):
    from trackless.store import Store

    Store().set_options({"resolve_allow_private": True})
    http_server.routes["/ls/click"] = lambda req: Reply(302, [("Location", "https://dest.example/")])
    assert main(["resolve", "--no-cache", f"http://127.0.0.1:{http_server.port}/ls/click?upn=x"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "https://dest.example/"


def test_failure_exit_code_and_message(http_server, dirs, capsys):
    http_server.routes["/ls/click"] = lambda req: Reply(410)
    assert main(["resolve", "--json", "--allow-private", f"http://127.0.0.1:{http_server.port}/ls/click?upn=x"]) == 1
    err = json.loads(capsys.readouterr().out)["error"]
    assert err["code"] == "network" and "410" in err["message"]
    assert not list((dirs / "cache").rglob("*.entry"))  # failures are not cached


def test_credentials_refused(dirs, capsys):
    assert main(["resolve", "--json", "https://user:secret@click.example/ls/click?upn=x"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "refused"
