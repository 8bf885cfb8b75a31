"""The `trackless sanitize` contract, run as a real process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "newsletter.eml"
REMOTE_FIELDS = {"url", "kind", "action", "tracker", "vendor", "reason", "identifies_you"}
LINK_FIELDS = {"original", "final", "status", "removed", "vendor", "identifies_you", "reason", "tracker"}


def run(*args, stdin: bytes | None = None, cwd=None):
    return subprocess.run([sys.executable, "-m", "trackless", "sanitize", *args], input=stdin,
                          capture_output=True, timeout=120, cwd=cwd)


def test_json_contract_on_the_sample():
    proc = run("--json", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"html", "remote", "links", "badge"} <= set(data)
    assert isinstance(data["html"], str) and isinstance(data["badge"], int)
    for r in data["remote"]:
        assert REMOTE_FIELDS <= set(r)
        assert r["action"] in ("blocked", "allowed")
        assert r["kind"] in ("pixel", "image", "css", "font", "media", "frame", "prefetch", "script", "refresh", "other")
    for link in data["links"]:
        assert LINK_FIELDS <= set(link)
        assert link["status"] in ("unchanged", "cleaned", "unwrapped", "opaque")
        assert (link["final"] is None) == (link["status"] == "opaque")
    # the sample's own facts: three open pixels, two of which carry the address
    pixels = [r for r in data["remote"] if r["kind"] == "pixel"]
    assert len(pixels) == 3 and all(p["tracker"] for p in pixels)
    assert sum(p["identifies_you"] for p in pixels) == 2  # From/To came from the mail's headers
    assert data["headers"] == ["Disposition-Notification-To"]
    # the badge counts trackers only (issue 17): tracking references and links that track the reader
    assert data["badge"] == sum(r["tracker"] for r in data["remote"]) + sum(l["tracker"] for l in data["links"])
    assert [l["tracker"] for l in data["links"]] == [True, True, False, True, False, False]  # utm alone, Google: no


def test_html_to_stdout_and_summary_to_stderr():
    proc = run(str(SAMPLE))
    assert proc.returncode == 0
    html = proc.stdout.decode()
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "list-manage.com/track/open" not in html
    summary = proc.stderr.decode().strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith("trackless: ")


def test_out_file(tmp_path):
    out = tmp_path / "clean.html"
    proc = run("--out", str(out), str(SAMPLE))
    assert proc.returncode == 0 and proc.stdout == b""
    assert "Northwind" in out.read_text()


def test_stdin_html_and_options():
    html = b'<img src="https://cdn.brand.example/a.png" width="300"><img src="https://t.example/p.gif?e=me%40example.org">'
    proc = run("--json", "--to", "me@example.org", "--allow", "brand.example", "-", stdin=html)
    data = json.loads(proc.stdout)
    by_url = {r["url"]: r for r in data["remote"]}
    assert by_url["https://cdn.brand.example/a.png"]["action"] == "allowed"
    assert by_url["https://t.example/p.gif?e=me%40example.org"]["identifies_you"] is True
    assert 'data-trackless-allowed="https://cdn.brand.example/a.png"' in data["html"]


def test_stdin_mail_is_sniffed():
    proc = run("--json", "-", stdin=SAMPLE.read_bytes())
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["headers"] == ["Disposition-Notification-To"]


@pytest.mark.parametrize("name,content,message", [
    ("plain.txt", b"just some words, no markup at all", b"does not look like HTML"),
    ("bad.html", b"<p>caf\xe9</p>", b"not valid UTF-8"),
    ("text-only.eml", b"From: a@b.example\r\nTo: c@d.example\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nhello\r\n",
     b"no HTML part"),
    ("empty.eml", b"", b"empty"),
    ("missing.html", None, b"cannot read"),
])
def test_bad_input_gives_a_message_not_a_traceback(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    proc = run(str(path))
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert message in proc.stderr and b"Traceback" not in proc.stderr
    proc = run("--json", str(path))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] in ("bad_input", "no_html")


@pytest.mark.parametrize("cut", [4000, 2 / 3, -40])
def test_truncated_mail_is_refused_with_a_message(tmp_path, cut):
    data = SAMPLE.read_bytes()
    path = tmp_path / "truncated.eml"
    path.write_bytes(data[: int(len(data) * cut) if isinstance(cut, float) else cut])
    proc = run("--json", str(path))
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert b"truncated" in proc.stderr
    assert json.loads(proc.stdout)["error"]["code"] == "bad_input"


@pytest.mark.parametrize("body", [b"PGh0bWw+PGJvZHk+aGVsbG88L2JvZHk+PC9odG1sPg", b"PGh0bWw+!!!PGJvZHk+aGVsbG8*8L2JvZHk+PC9odG1sPg=="])
def test_damaged_base64_html_part_is_refused(tmp_path, body):
    path = tmp_path / "damaged.eml"
    path.write_bytes(b"From: a@b.example\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                     + body + b"\r\n")
    proc = run(str(path))
    assert proc.returncode == 2 and b"damaged base64" in proc.stderr and proc.stdout == b""


def test_utf16_bom_with_garbage_is_a_message_not_a_traceback(tmp_path):
    path = tmp_path / "bad.html"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    proc = run(str(path))
    assert proc.returncode == 2 and b"UTF-16" in proc.stderr and b"Traceback" not in proc.stderr


def test_allow_is_validated():
    proc = run("--allow", "co.uk", "-", stdin=b"<p>x</p>")
    assert proc.returncode == 2 and b"public suffix" in proc.stderr


def test_too_large_is_refused_cleanly(tmp_path):
    path = tmp_path / "huge.html"
    path.write_bytes(b"<p>" + b"x" * 26_000_000)
    proc = run(str(path))
    assert proc.returncode == 2 and proc.stdout == b""
    assert b"limit" in proc.stderr


def test_an_unexpected_error_is_one_line_and_exit_70(monkeypatch, capsys):
    from trackless import cli
    from trackless.commands import sanitize as command

    def boom(args):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(command, "run", boom)
    monkeypatch.delenv("TRACKLESS_DEBUG", raising=False)
    assert cli.main(["sanitize", "x.html"]) == 70
    err = capsys.readouterr().err
    assert "internal error (RuntimeError: simulated bug)" in err and "Traceback" not in err
