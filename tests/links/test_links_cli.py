"""``trackless unwrap`` CLI contract."""

from __future__ import annotations

import json

import pytest

from trackless.cli import main

SAFE = ("https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.example.com%2Freset%3Ftoken%3Dab12"
        "%26utm_medium%3Demail&data=05%7C02%7Creader%40example.org%7C1a2b&reserved=0")
OPAQUE = "https://r20.rs6.net/tn.jsp?f=001AbCdEf&c=x&ch=y"
CLEANED = "https://www.example.com/a?id=7&utm_source=x"


def test_json_list_in_input_order(capsys):
    rc = main(["unwrap", "--json", "--to", "reader@example.org", SAFE, "mailto:x@example.org", OPAQUE, CLEANED])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["original"] for o in out] == [SAFE, "mailto:x@example.org", OPAQUE, CLEANED]
    for o in out:
        assert {"original", "final", "status", "removed", "vendor", "identifies_you"} <= set(o)
    assert out[0] == {**out[0], "final": "https://www.example.com/reset?token=ab12", "status": "unwrapped",
                      "removed": ["utm_medium"], "vendor": "Microsoft Safe Links", "identifies_you": True}
    assert out[1]["status"] == "unchanged" and out[1]["final"] == "mailto:x@example.org"
    assert out[2]["status"] == "opaque" and out[2]["final"] is None and out[2]["vendor"] == "Constant Contact"
    assert out[3]["final"] == "https://www.example.com/a?id=7" and out[3]["removed"] == ["utm_source"]
    assert out[3]["identifies_you"] is False


def test_without_to_nothing_identifies(capsys):
    assert main(["unwrap", "--json", SAFE]) == 0
    assert json.loads(capsys.readouterr().out)[0]["identifies_you"] is False


def test_human_lines_one_per_url(capsys):
    assert main(["unwrap", SAFE, OPAQUE, "https://www.example.com/"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("unwrapped") and "-> https://www.example.com/reset?token=ab12" in lines[0]
    assert "removed utm_medium" in lines[0]
    assert lines[1].startswith("opaque") and "destination hidden" in lines[1] and "Constant Contact" in lines[1]
    assert lines[2] == "unchanged  https://www.example.com/"


def test_no_url_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["unwrap", "--json"])
    assert exc.value.code == 2
