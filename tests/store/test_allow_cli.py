"""``trackless allow`` edits the same file as the host; exit codes are meaningful."""

from __future__ import annotations

import json

import pytest

from trackless.cli import main


@pytest.fixture()
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKLESS_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg" / "settings.json"


def test_add_list_remove(cfg, capsys):
    assert main(["allow", "add", "https://News.Brand.example/x"]) == 0
    assert main(["allow", "add", "bücher.example", "--keep-links", "--no-images"]) == 0
    capsys.readouterr()
    assert main(["allow", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert set(listed) == {"brand.example", "xn--bcher-kva.example"}
    assert listed["brand.example"]["images"] is True and listed["brand.example"]["keep_links"] is False
    assert listed["xn--bcher-kva.example"]["images"] is False and listed["xn--bcher-kva.example"]["keep_links"] is True
    assert main(["allow", "list"]) == 0
    text = capsys.readouterr().out
    assert "brand.example" in text and "links kept unmodified" in text
    assert main(["allow", "remove", "brand.example"]) == 0
    assert list(json.loads(cfg.read_text())["allowlist"]) == ["xn--bcher-kva.example"]


def test_exit_codes(cfg, capsys):
    assert main(["allow", "add", "co.uk"]) == 2  # a public suffix
    assert main(["allow", "add", "brand.example", "--no-images"]) == 2  # nothing to allow
    assert main(["allow", "remove", "brand.example"]) == 1  # not in the list
    assert not cfg.exists()
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text("{broken")
    assert main(["allow", "add", "brand.example"]) == 3
    assert main(["allow", "list"]) == 3
    err = capsys.readouterr().err
    assert str(cfg) in err and "move it aside" in err
    assert cfg.read_text() == "{broken"


def test_empty_list(cfg, capsys):
    assert main(["allow", "list"]) == 0
    assert "empty" in capsys.readouterr().out
    assert main(["allow", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {}
