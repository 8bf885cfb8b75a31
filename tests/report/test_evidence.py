"""Evidence a regulator accepts: hashes, source positions, DKIM, Authentication-Results, duplicates
counted once, --bundle, DKIM verification with an injected resolver, the per-mail time budget, formats."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from goldens import FIXTURES, run_report
from rsakey import new_key
from trackless.mail import sender_address
from trackless.report import evidence as ev_mod
from trackless.report.sources import iter_sources, read_raw

HERE = os.path.dirname(os.path.abspath(__file__))
EML = os.path.join(FIXTURES, "eml")


# -- per-mail evidence -------------------------------------------------------------------------------

def test_evidence_of_reads_dkim_and_authentication_results():
    data = open(os.path.join(EML, "01-brand-shop-september.eml"), "rb").read()
    ev = ev_mod.evidence_of(data)
    assert ev.sha256 == hashlib.sha256(data).hexdigest() and ev.size == len(data)
    assert [(d.domain, d.selector, d.verified) for d in ev.dkim] == [("brand-shop.example", "sel2026", None)]
    a = ev.auth[0]
    assert (a.authserv_id, a.dkim, a.spf, a.dmarc) == ("mx.example.org", "pass", "pass", "pass")


@pytest.mark.parametrize("value, expected", [
    ("mx.google.com; dkim=pass header.i=@x.example; spf=softfail smtp.mailfrom=x.example; dmarc=fail (p=NONE)",
     ("mx.google.com", "pass", "softfail", "fail")),
    ("spf=pass smtp.mailfrom=a.example", ("", "", "pass", "")),
    ("mx.example.org 1; arc=none", ("mx.example.org", "", "", "")),
])
def test_parse_auth_vectors(value, expected):
    a = ev_mod.parse_auth(value)
    assert (a.authserv_id, a.dkim, a.spf, a.dmarc) == expected


@pytest.mark.parametrize("value, expected", [
    ("Microsoft account team ,_<no-reply@access-accsecurity.com>", "no-reply@access-accsecurity.com"),
    ('"Brand Shop" <News@Brand-Shop.example>', "news@brand-shop.example"),
    ("news@brand.example", "news@brand.example"),
    ("Team, Sales <sales@shop.example>", "sales@shop.example"),
    ("undisclosed sender", None),
    ("", None),
])
def test_sender_is_the_address_actually_present(value, expected):
    assert sender_address(value) == expected


def test_malformed_from_does_not_merge_senders(tmp_path):
    for i, frm in enumerate(["Microsoft account team ,_<no-reply@access-accsecurity.com>",
                             "Microsoft Store ,_<store@microsoft-news.example>"]):
        (tmp_path / f"{i}.eml").write_bytes(
            f"From: {frm}\nTo: r@x.example\nSubject: s{i}\nMessage-ID: <{i}@x>\n\nhello\n".encode())
    code, out, err = run_report("--format", "json", "--jobs", "1", str(tmp_path))
    assert code == 0, err
    senders = sorted(s["sender"] for s in json.loads(out)["senders"])
    assert senders == ["no-reply@access-accsecurity.com", "store@microsoft-news.example"]


def test_every_mail_carries_hash_and_position_in_all_formats():
    code, out, err = run_report("--format", "json", "--jobs", "1", "mailbox.mbox")
    doc = json.loads(out)
    mbox = open(os.path.join(FIXTURES, "mailbox.mbox"), "rb").read()
    for m in doc["mails"]:
        e = m["evidence"]
        assert e["source"] == "mailbox.mbox" and mbox[e["offset"]:e["offset"] + 5] == b"From "
        # the hash is that of the bytes read again from the position given
        assert hashlib.sha256(read_raw(os.path.join(FIXTURES, e["source"]), e["offset"])).hexdigest() == e["sha256"]
    first = doc["mails"][0]["evidence"]
    for fmt in ("md", "html"):
        code, text, _ = run_report("--format", fmt, "--jobs", "1", "mailbox.mbox")
        assert first["sha256"] in text and f"mbox byte offset {first['offset']}" in text
        assert "sel2026" in text and "mx.example.org" in text and "dmarc=pass" in text


# -- counting once -----------------------------------------------------------------------------------

def test_the_same_mail_in_two_folders_counts_once(tmp_path):
    """Thunderbird keeps copies in Inbox and All Mail with different X-Mozilla-Status headers."""
    data = open(os.path.join(EML, "02-coffee-roasters.eml"), "rb").read()
    (tmp_path / "Inbox").write_bytes(b"From - Mon Jan  1 00:00:00 2026\nX-Mozilla-Status: 0001\n" + data)
    (tmp_path / "All Mail").write_bytes(b"From - Mon Jan  1 00:00:00 2026\nX-Mozilla-Status: 0000\n"
                                        b"X-Mozilla-Keys: $label1\n" + data)
    other = data.replace(b"Message-ID: <", b"Message-ID: <other.")
    (tmp_path / "Archive.eml").write_bytes(other)  # same body, another Message-ID: another mail
    code, out, err = run_report("--format", "json", "--jobs", "1", str(tmp_path))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["summary"]["mails"] == 2 and doc["summary"]["duplicates"] == 1
    dup = doc["duplicates"][0]
    assert dup["origin"].endswith("Inbox#1") and dup["index"] == 1  # the walk is sorted: All Mail, Archive, Inbox
    assert "1 duplicate counted once" in err
    code, md, _ = run_report("--format", "md", "--jobs", "1", str(tmp_path))
    assert "## Duplicates (counted once)" in md and "| Mails read (each counted once) | 2 |" in md
    assert "| Duplicates (copies counted once) | 1 |" in md


def test_vocabulary_and_plurals():
    code, out, err = run_report("--format", "json", "--jobs", "1", "mailbox.mbox")
    s = json.loads(out)["summary"]
    # "mails with trackers" counts only mails with a tracker; the tracked total is trackers or links
    assert s["with_remote_trackers"] <= s["with_trackers"] and s["with_tracking_links"] <= s["with_trackers"]
    assert s["with_remote_trackers"] < s["with_trackers"]  # the fixture has a mail tracked by links only
    code, md, err = run_report("--format", "md", "--jobs", "1", "eml/03-telco-invoice.eml")
    assert re.search(r"trackless report: 1 mail, ", err) and "1 mails" not in err
    assert f"| Mails with trackers | {s['with_remote_trackers']}" not in md  # a one-mail run has its own counts
    assert "Tracked links" not in md and "tracked link" not in md
    assert "| Mails tracked (trackers or tracking links) |" in md


# -- formats -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["r.pdf", "r.docx", "report.xml"])
def test_unknown_extension_is_a_usage_error(tmp_path, name):
    code, out, err = run_report("--out", str(tmp_path / name), "mailbox.mbox")
    assert code == 2 and "cannot tell the format" in err
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name, marker", [("r.md", "# Trackless evidence report"), ("r.markdown", "# Trackless"),
                                          ("r.htm", "<!DOCTYPE html>"), ("R.JSON", '{\n  "schema"')])
def test_known_extensions_choose_the_format(tmp_path, name, marker):
    code, out, err = run_report("--jobs", "1", "--out", str(tmp_path / name), "mailbox.mbox")
    assert code == 0, err
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(marker)


def test_the_flag_wins_over_the_extension(tmp_path):
    code, out, err = run_report("--jobs", "1", "--format", "html", "--out", str(tmp_path / "r.pdf"), "mailbox.mbox")
    assert code == 0 and (tmp_path / "r.pdf").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_markdown_writes_bare_urls_and_addresses_as_code(tmp_path):
    (tmp_path / "a.eml").write_bytes(
        b"From: n@brand.example\nTo: r@x.example\nSubject: Visit https://brand.example/sale or www.brand.example,"
        b" write to help@brand.example\nMessage-ID: <1@x>\n\nhi\n")
    code, md, err = run_report("--format", "md", "--jobs", "1", str(tmp_path / "a.eml"))
    heading = next(line for line in md.splitlines() if line.startswith("### 1."))
    assert heading == ("### 1. Visit `https://brand.example/sale` or `www.brand.example`, write to "
                       "`help@brand.example`")
    # no bare URL outside a code span anywhere in the report
    outside = re.sub(r"(`+)(?:(?!\1).)*?\1", "", md)
    assert not re.search(r"https?://|www\.", outside.replace("`--dns`", ""))


# -- bundle ------------------------------------------------------------------------------------------

def _sha256sum_check(bundle) -> str:
    proc = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=bundle, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_bundle_holds_report_original_mails_and_manifest(tmp_path):
    bundle = tmp_path / "complaint"
    code, out, err = run_report("--jobs", "1", "--format", "html", "--bundle", str(bundle), "mailbox.mbox")
    assert code == 0, err
    assert sorted(os.listdir(bundle)) == ["MANIFEST.sha256", "mails", "report.html"]
    mails = sorted(os.listdir(bundle / "mails"))
    assert mails == [f"{i:05d}.eml" for i in range(1, 9)]
    # unchanged bytes: the .eml files the mbox was built from (mboxrd unescaping undone)
    originals = {hashlib.sha256(open(os.path.join(EML, f), "rb").read()).hexdigest() for f in os.listdir(EML)}
    assert {hashlib.sha256((bundle / "mails" / m).read_bytes()).hexdigest() for m in mails} == originals
    checked = _sha256sum_check(bundle)
    assert "report.html: OK" in checked and "mails/00008.eml: OK" in checked
    report = (bundle / "report.html").read_text(encoding="utf-8")
    for m in mails:
        assert hashlib.sha256((bundle / "mails" / m).read_bytes()).hexdigest() in report
    assert "original mails" in err and os.listdir(tmp_path) == ["complaint"]


def test_redacted_bundle_leaves_the_raw_mails_out(tmp_path):
    bundle = tmp_path / "b"
    code, out, err = run_report("--jobs", "1", "--redact", "--bundle", str(bundle), "mailbox.mbox")
    assert code == 0, err
    assert sorted(os.listdir(bundle)) == ["MANIFEST.sha256", "report.md"]
    assert _sha256sum_check(bundle).strip() == "report.md: OK"
    assert "alex.martin@example.org" not in (bundle / "report.md").read_text(encoding="utf-8")
    assert "left out because of --redact" in err


def test_bundle_refuses_a_non_empty_directory_and_out(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep").write_text("mine")
    code, out, err = run_report("--bundle", str(tmp_path / "x"), "mailbox.mbox")
    assert code == 2 and (tmp_path / "x" / "keep").read_text() == "mine"
    code, out, err = run_report("--bundle", str(tmp_path / "y"), "--out", str(tmp_path / "r.md"), "mailbox.mbox")
    assert code == 2 and not (tmp_path / "y").exists()


# -- DKIM verification (--dns) against a key served by an injected resolver -----------------------------

def _signed_mail(pem: bytes, selector: bytes = b"sel1") -> bytes:
    import dkim

    msg = (b"From: News <news@brand.example>\r\nTo: alex.martin@example.org\r\nSubject: Offer\r\n"
           b"Date: Tue, 08 Sep 2026 07:30:12 +0200\r\nMessage-ID: <signed.1@brand.example>\r\n"
           b"Content-Type: text/html\r\n\r\n<img src=\"https://t.brand.example/o.gif?u=Hq8KxVb2Lm7Nc4Pz\" "
           b"width=\"1\" height=\"1\">\r\n")
    return dkim.sign(msg, selector, b"brand.example", pem,
                     include_headers=[b"from", b"to", b"subject", b"date", b"message-id"]) + msg


def test_dkim_signatures_are_verified_with_dns(tmp_path, monkeypatch):
    from trackless.commands import report as cmd
    from trackless.report.dkim_check import DkimVerifier

    pem, pub = new_key()
    good = _signed_mail(pem)
    (tmp_path / "1-good.eml").write_bytes(good)
    (tmp_path / "2-altered.eml").write_bytes(good.replace(b"width=\"1\"", b"width=\"2\""))  # body changed after signing
    (tmp_path / "3-token-selector.eml").write_bytes(_signed_mail(pem, b"k7Hq2XbV9mL4pZ8wR3")
                                                    .replace(b"<signed.1@", b"<signed.3@"))
    asked = []

    def txt(name: bytes, timeout: int = 5):
        asked.append(name)
        return ("v=DKIM1; k=rsa; p=" + pub).encode() if name == b"sel1._domainkey.brand.example." else None

    monkeypatch.setattr(cmd, "_dns_lookup", lambda: lambda hosts, **kw: [])
    monkeypatch.setattr(cmd, "_dkim_verifier", lambda readers: DkimVerifier(txt, readers))
    code, out, err = run_report("--dns", "--format", "json", "--jobs", "1", str(tmp_path))
    assert code == 0, err
    verdicts = [m["evidence"]["dkim"][0]["verified"] for m in json.loads(out)["mails"]]
    assert verdicts[0] == "pass"
    assert verdicts[1].startswith("fail")
    assert verdicts[2].startswith("not checked")  # a per-recipient-looking selector is never queried
    assert asked == [b"sel1._domainkey.brand.example."]  # one query, cached for the second mail


def test_without_dns_nothing_is_verified(tmp_path, monkeypatch):
    from trackless.report import dkim_check

    def boom(*a, **k):
        raise AssertionError("a DNS query without --dns")

    monkeypatch.setattr(dkim_check, "_default_txt", boom)
    pem, _pub = new_key()
    (tmp_path / "a.eml").write_bytes(_signed_mail(pem))
    code, out, err = run_report("--format", "json", "--jobs", "1", str(tmp_path))
    assert json.loads(out)["mails"][0]["evidence"]["dkim"][0] == {"domain": "brand.example", "selector": "sel1",
                                                                  "verified": None}


# -- per-mail time budget ----------------------------------------------------------------------------

def test_a_mail_that_stalls_the_analysis_is_skipped_with_the_reason(tmp_path):
    """A mail whose analysis never ends is skipped after its budget; the run goes on (real worker processes)."""
    shutil.copy(os.path.join(EML, "02-coffee-roasters.eml"), tmp_path / "a.eml")
    (tmp_path / "b-stall.eml").write_bytes(b"From: x@evil.example\nSubject: STALL\n\nx\n")
    shutil.copy(os.path.join(EML, "03-telco-invoice.eml"), tmp_path / "c.eml")
    script = f"""
import sys, time
sys.path.insert(0, {HERE!r})
from trackless.report import analyse as A, run
real = A.analyse
def slow(data, origin, extra_to=(), **kw):
    if b"STALL" in data:
        while True:   # a hostile mail that makes the analysis spin
            pass
    return real(data, origin, extra_to, **kw)
run.analyse = slow
from trackless.cli import main
sys.exit(main(["report", "--jobs", sys.argv[1], "--mail-timeout", "2", "--format", "json", {str(tmp_path)!r}]))
"""
    for jobs in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", script, jobs], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        assert doc["summary"]["mails"] == 2
        assert [s["origin"].rsplit("/", 1)[-1] for s in doc["skipped"]] == ["b-stall.eml"]
        assert "per-mail budget of 2 s" in doc["skipped"][0]["message"]


def test_mail_timeout_must_be_positive():
    code, out, err = run_report("--mail-timeout", "0", "mailbox.mbox")
    assert code == 2 and "--mail-timeout" in err


# -- sources -----------------------------------------------------------------------------------------

def test_read_raw_gives_back_the_bytes_the_walk_gave(tmp_path):
    for item in iter_sources([os.path.join(FIXTURES, "mailbox.mbox"), EML]):
        assert read_raw(item.path, item.offset) == item.data


def test_the_budget_also_interrupts_a_worker_thread():
    """Dask runs tasks in worker threads, where no SIGALRM reaches: the budget is raised in the thread."""
    import threading
    import time

    from trackless.report.run import MailTimeout, _budget

    got = []

    def spin():
        t = time.monotonic()
        try:
            with _budget(0.3):
                while time.monotonic() - t < 30:
                    pass
        except MailTimeout:
            got.append(time.monotonic() - t)

    th = threading.Thread(target=spin)
    th.start()
    th.join(60)
    assert got and got[0] < 10


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_sections_rendered_by_workers_are_numbered_only_where_the_number_goes(tmp_path, fmt):
    """A mail cannot smuggle the placeholder for its number: a NUL from a mail is shown escaped."""
    for i in (1, 2):
        (tmp_path / f"{i}.eml").write_bytes(
            f"From: n@b.example\nTo: r@x.example\nSubject: a\x00#\x00b \"index\": 0\nMessage-ID: <{i}@b>\n\nhi {i}\n"
            .encode())
    code, out, err = run_report("--format", fmt, "--jobs", "1", str(tmp_path))
    assert code == 0, err
    assert "\x00" not in out
    if fmt == "json":
        assert [m["index"] for m in json.loads(out)["mails"]] == [1, 2]
        assert json.loads(out)["mails"][1]["subject"] == 'a\x00#\x00b "index": 0'
    else:
        assert "u0000#" in out and "a2b" not in out and "a1b" not in out
