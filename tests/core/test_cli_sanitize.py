"""The `trackless sanitize` contract, run as a real process."""

import json
import os
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


def _drain(fifo):
    """Read a FIFO in a thread (as a pager or another program would); returns the thread and its result."""
    import threading

    got = []
    t = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    t.start()
    return t, got


def test_out_into_a_special_file_writes_into_it_and_keeps_it(tmp_path):
    """``--out /dev/null`` (or a FIFO) is written into, never replaced by a
    renamed temp file (as root, that replaced the /dev/null device)."""
    import stat

    fifo = tmp_path / "out.html"
    os.mkfifo(fifo)
    reader, got = _drain(fifo)
    proc = run("--out", str(fifo), str(SAMPLE))
    reader.join(30)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced"
    assert b"Northwind" in got[0]
    assert sorted(os.listdir(tmp_path)) == ["out.html"]  # no temp file left beside it


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
    ("multipart-no-text.eml", b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
     b"Content-Type: image/png\r\n\r\nxx\r\n--b--\r\n", b"no HTML part"),
    ("lying.html", b'<meta charset="utf-8"><p>caf\xe9</p>', b"not valid utf-8, the charset it declares"),
    ("unknown.html", b'<meta charset="x-klingon"><p>caf\xe9</p>', b"unknown charset 'x-klingon'"),
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


# -- input the way users have it (issue 15, item 3) ----------------------------

CAFE = "<p>café – “quoted” €</p>"


@pytest.mark.parametrize("name, data", [
    ("latin1-meta.html", b'<html><head><meta charset="iso-8859-1"></head><body><p>caf\xe9 \x96 \x93quoted\x94 \x80</p>'),
    ("cp1252-http-equiv.html", b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
                               b'<p>caf\xe9 \x96 \x93quoted\x94 \x80</p>'),
    ("utf8-bom.html", b"\xef\xbb\xbf" + CAFE.encode("utf-8")),
    ("utf16le-bom.html", b"\xff\xfe" + CAFE.encode("utf-16-le")),
    ("utf16be-bom.html", b"\xfe\xff" + CAFE.encode("utf-16-be")),
    ("koi8.html", '<meta charset="koi8-r"><p>привет</p>'.encode("koi8-r")),
    ("shift-jis.html", '<?xml version="1.0" encoding="Shift_JIS"?><p>日本語</p>'.encode("shift_jis")),
])
def test_html_files_are_decoded_by_bom_or_declared_charset(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    proc = run("--json", str(path))
    assert proc.returncode == 0, proc.stderr
    html = json.loads(proc.stdout)["html"]
    expected = {"koi8.html": "привет", "shift-jis.html": "日本語"}.get(name, "café – “quoted” €")
    assert expected in html and "\ufffd" not in html


def test_the_undefined_windows_1252_bytes_decode_as_the_html_standard_says():
    from trackless.mail import decode_html_bytes

    assert decode_html_bytes(b'<meta charset="latin1"><p>\x81\x8d\x8f\x90\x9d\x80</p>') == (
        '<meta charset="latin1"><p>\x81\x8d\x8f\x90\x9d€</p>')


PLAIN = (b"From: News <news@shop.example>\r\nTo: me@example.org\r\nSubject: sale\r\n"
         b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
         b"Caf\xe9 sale: https://www.google.com/url?q=https%3A%2F%2Fshop.example%2Fsale%3Futm_source%3Dnl&sa=D\r\n"
         b"Plain: https://shop.example/a?utm_campaign=x&id=3.\r\nUntracked https://example.com/about\r\n")


def test_a_plain_text_mail_is_returned_unchanged_with_its_links_reported(tmp_path):
    path = tmp_path / "plain.eml"
    path.write_bytes(PLAIN)
    text = PLAIN.split(b"\r\n\r\n", 1)[1].decode("latin-1").replace("\r\n", "\n")
    proc = run(str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8").replace("\r\n", "\n") == text
    # utm_* alone and a Google redirect do not track the reader (issue 17): nothing counted
    assert proc.stderr.decode().strip() == "trackless: plain-text mail, text unchanged · no trackers found"
    data = json.loads(run("--json", str(path)).stdout)
    assert data["format"] == "text" and data["html"] == "" and data["text"].replace("\r\n", "\n") == text
    assert [(l["status"], l["final"]) for l in data["links"]] == [
        ("unwrapped", "https://shop.example/sale"), ("cleaned", "https://shop.example/a?id=3"), ("unchanged", "https://example.com/about")]
    assert data["badge"] == 0
    assert json.loads(run("--json", str(SAMPLE)).stdout)["format"] == "html"


def _addon_words(key: str, count: int) -> str:
    """The add-on's English summary words (its badge tooltip), from its locale file."""
    messages = json.loads((ROOT / "extension" / "_locales" / "en" / "messages.json").read_text(encoding="utf-8"))
    return messages[f"{key}_{'one' if count == 1 else 'other'}"]["message"].replace("$COUNT$", str(count))


def test_summary_speaks_the_add_ons_words():
    """One vocabulary (issue 12): the line opens with the add-on's tooltip text for
    the same mail, counts as the add-on counts them (trackers, then tracking links)."""
    data = json.loads(run("--json", str(SAMPLE)).stdout)
    trackers = sum(r["tracker"] for r in data["remote"])
    links = sum(1 for l in data["links"] if l["tracker"])  # links that track the reader (issue 17)
    line = run(str(SAMPLE)).stderr.decode().strip()
    tooltip = f"{_addon_words('trackersBlocked', trackers)} · {_addon_words('linksCleaned', links)}"
    assert line.startswith(f"trackless: {tooltip} — "), line
    assert line == (
        "trackless: 3 trackers blocked · 3 tracking links cleaned — tracking pixel: 3;"
        " tracking removed: 1, destination hidden by the sender's mail service: 2; 14 remote references blocked;"
        " your address is in tracking URLs")
    for jargon in ("unwrapped", "opaque", "cleaned)"):
        assert jargon not in line, jargon
    # the JSON contract is unchanged: badge still counts both
    assert data["badge"] == trackers + links


@pytest.mark.parametrize("html,line", [
    (b"<p>hello</p>", "trackless: no trackers found"),
    (b'<img src="https://t.example/open.gif?u=1" width="1" height="1">',
     "trackless: 1 tracker blocked — tracking pixel: 1; 1 remote reference blocked"),
    (b'<a href="https://shop.example/a?mc_eid=5a4b3c2d1e&amp;id=3">a</a>',
     "trackless: no trackers found · 1 tracking link cleaned — tracking removed: 1"),
    # utm_* alone does not track the reader: cleaned, but not counted
    (b'<a href="https://shop.example/a?utm_source=x&amp;id=3">a</a>', "trackless: no trackers found"),
])
def test_summary_wording_singular_and_empty(html, line):
    assert run("-", stdin=html).stderr.decode().strip() == line
