"""`trackless report` end to end on the fixture mailbox: goldens, three source forms, errors, redaction."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from urllib.parse import quote

import pytest

from goldens import FIXTURES, FORMATS, golden_path, produce, run_report
from trackless.core.identity import Identity

READER = "alex.martin@example.org"
# per-recipient tokens written into the fixture mails (see fixtures/eml/)
FIXTURE_TOKENS = [
    "27-4982",  # at_recipient_id
    "7c4a2f9e1d",  # Mailchimp e= / mc_eid
    "open_Tz4Kc8Nm1Bv6Hq2J", "open_Pr5Gd9Wk3Ls7Jf1M", "clk_Qm8Rt2Vw5Xy9Za3B", "clk_Bw7Nq3Lr9Ts5Vx1Y",
    "unsub_Lx9Qm2PzR7vK4tW1", "bg_Hm2Xc6Vb0Nq8",  # Selligent ids
    "u001.Hq8KxVb2Lm7Nc4Pz9Rw3Ty6", "u001.Wd3Fg8Hj2Kl5Zx7Cv1Bn4Mq9",  # SendGrid upn
    "Yq3kV9s2Lx8Pw4Nz6Rt1",  # SES message token
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt):
    with open(golden_path(fmt), encoding="utf-8") as fh:
        expected = fh.read()
    assert produce(fmt) == expected


def test_parallel_run_gives_the_same_report():
    assert produce("json", jobs="2") == produce("json", jobs="1")


def _findings(source: str) -> list[dict]:
    doc = json.loads(produce("json", source=source))
    for m in doc["mails"]:
        m.pop("origin")
        m["evidence"].pop("source")
        m["evidence"].pop("offset")
        m["evidence"].pop("position")
    return doc["mails"], {k: v for k, v in doc.items() if k not in ("mails", "sources")}


def test_three_source_forms_give_the_same_findings():
    mbox_mails, mbox_rest = _findings("mailbox.mbox")
    for source in ("Maildir", "eml", "."):
        mails, rest = _findings(source)
        if source == ".":  # the whole fixture directory holds all three forms: each mail counted once
            assert mails == mbox_mails
            assert rest["summary"]["duplicates"] == 2 * len(mbox_mails)
            assert len(rest["duplicates"]) == 2 * len(mbox_mails)
            continue
        assert mails == mbox_mails, source
        assert rest == mbox_rest, source
    assert len(mbox_mails) == 8


def test_origins_name_each_form():
    doc = json.loads(produce("json", source="Maildir"))
    assert doc["mails"][0]["origin"] == "Maildir/cur/1790000001.M1P4242.fixture:2,S"
    doc = json.loads(produce("json", source="mailbox.mbox"))
    assert [m["origin"] for m in doc["mails"]][-1] == "mailbox.mbox#8"


def _needles(addr: str) -> list[str]:
    raw = addr.encode()
    return [addr, quote(addr, safe=""), base64.b64encode(raw).decode().rstrip("="),
            base64.urlsafe_b64encode(raw).decode().rstrip("="),
            hashlib.md5(raw).hexdigest(), hashlib.sha1(raw).hexdigest(), hashlib.sha256(raw).hexdigest()]


def test_unredacted_report_does_contain_the_evidence():
    # the redaction test below would pass vacuously if the fixture did not carry these
    out = produce("json")
    assert READER in out
    for needle in (hashlib.md5(READER.encode()).hexdigest(), hashlib.sha256(READER.encode()).hexdigest(),
                   base64.b64encode(READER.encode()).decode().rstrip("=")):
        assert needle in out
    for token in FIXTURE_TOKENS:
        assert token in out, token


@pytest.mark.parametrize("fmt", FORMATS)
def test_redaction_leaves_no_address_or_token(fmt):
    code, out, err = run_report("--format", fmt, "--jobs", "1", "--redact", "--to", "Other.Me@Private.example",
                                "mailbox.mbox")
    assert code == 0, err
    low = out.lower()
    for addr in (READER, "other.me@private.example", "team@agency.example"):
        for needle in _needles(addr):
            assert needle.lower() not in low, (addr, needle)
        assert Identity.of([addr]).found_in(out) is None
    for token in FIXTURE_TOKENS:
        assert token not in out, token
    # reader-1 is the --to address (numbered first), the fixture recipient is reader-2
    assert "[reader-1]" in out and "[reader-2]" in out and "[reader-2:sha256]" in out and "[token-1]" in out
    # the evidence itself stays: hosts, vendors, parameter names
    assert "www.facebook.com" in out and "Selligent" in out and "at_recipient_id" in out


def test_redacted_json_keeps_structure_and_stable_placeholders():
    code, out, _ = run_report("--format", "json", "--jobs", "2", "--redact", "mailbox.mbox")
    doc = json.loads(out)
    assert doc["redacted"] is True
    ids = [p["value"] for m in doc["mails"] for l in m["tracked_links"] for p in l["tracking_params"]
           if p["name"] == "at_recipient_id"]
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0].startswith("[token-")


def test_skipped_files_are_reported_and_the_run_completes(tmp_path):
    bad_dir = tmp_path / "mixed"
    bad_dir.mkdir()
    shutil.copy(os.path.join(FIXTURES, "eml", "03-telco-invoice.eml"), bad_dir / "ok.eml")
    (bad_dir / "broken.eml").write_bytes(b"\x00\x01\x02 garbage without headers\n")
    (bad_dir / "notes.txt").write_text("not a mail")
    code, out, err = run_report("--jobs", "1", str(bad_dir), str(tmp_path / "missing.mbox"))
    assert code == 0
    assert "notes.txt" not in err and "notes.txt" not in out  # not mail, found while walking: ignored silently
    assert f"skipped {tmp_path / 'missing.mbox'}: no such file or directory [bad_input]" in err
    assert "broken.eml" in err
    assert "| Files or mails skipped | 2 |" in out
    skipped = out[out.index("## Skipped"):]
    assert "missing.mbox" in skipped and "broken.eml" in skipped
    assert "1 mail, 1 tracked (1 with trackers, 1 with tracking links), 2 skipped" in err


def test_a_thunderbird_profile_folder_reads_only_mail(tmp_path):
    """logins.json / folderTree.json are not mail, empty folder files (Trash) and .msf indexes are silent."""
    prof = tmp_path / "profile"
    (prof / "Mail" / "Local Folders").mkdir(parents=True)
    (prof / "logins.json").write_text('{"nextId":2,"logins":[{"id":1,"hostname":"imap://x"}]}')
    (prof / "folderTree.json").write_text('{"mailbox://nobody@Local%20Folders/Trash":{"open":"true"}}')
    (prof / "prefs.js").write_text('user_pref("mail.x", 1);\n')
    local = prof / "Mail" / "Local Folders"
    (local / "Trash").write_bytes(b"")
    (local / "Unsent Messages").write_bytes(b"")
    (local / "Trash.msf").write_text("// <!-- <mdb:mork:z v=\"1.4\"/> -->")
    shutil.copy(os.path.join(FIXTURES, "mailbox.mbox"), local / "Inbox")
    code, out, err = run_report("--jobs", "1", "--format", "json", str(prof))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["summary"]["mails"] == 8 and doc["skipped"] == []
    assert "skipped" not in err.replace("0 skipped", "")


def test_nothing_readable_exits_2_like_a_missing_file_everywhere_and_writes_nothing(tmp_path):
    target = tmp_path / "report.md"
    (tmp_path / "junk.txt").write_text("hello")
    code, out, err = run_report("--out", str(target), str(tmp_path / "nope"), str(tmp_path / "junk.txt"))
    assert code == 2
    assert out == "" and not target.exists()
    assert "no mail could be read (2 skipped); no report written" in err
    assert os.listdir(tmp_path) == ["junk.txt"]  # no temporary file left behind


def test_out_file_is_written_whole(tmp_path):
    target = tmp_path / "r.html"
    code, out, err = run_report("--format", "html", "--out", str(target), "--jobs", "1", "mailbox.mbox")
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert sorted(os.listdir(tmp_path)) == ["r.html"]
    assert f"html report written to {target}" in err


def test_to_address_makes_a_hash_identify_the_reader(tmp_path):
    h = hashlib.sha256(b"private@me.example").hexdigest()
    (tmp_path / "m.eml").write_bytes(
        b"From: n@shop.example\nTo: alias@forward.example\nSubject: x\nDate: Mon, 02 Nov 2026 10:00:00 +0000\n"
        b"Content-Type: text/html\n\n<img src=\"https://px.ads.example/p.gif?h=" + h.encode() + b"\" width=1 height=1>\n")
    _, out1, _ = run_report("--format", "json", "--jobs", "1", str(tmp_path / "m.eml"))
    _, out2, _ = run_report("--format", "json", "--jobs", "1", "--to", "private@me.example", str(tmp_path / "m.eml"))
    t1 = json.loads(out1)["mails"][0]["trackers"][0]
    t2 = json.loads(out2)["mails"][0]["trackers"][0]
    assert (t1["identifies_you"], t2["identifies_you"], t2["identifies_how"]) == (False, True, "sha256")
    assert json.loads(out2)["readers"] == ["private@me.example"]


def test_usage_errors():
    assert run_report("--to", "not-an-address", "mailbox.mbox")[0] == 2
    assert run_report("--jobs", "0", "mailbox.mbox")[0] == 2


def test_dns_unavailable_is_a_clear_error(monkeypatch):
    from trackless.commands import report as cmd

    monkeypatch.setattr(cmd, "_dns_lookup", lambda: None)
    code, out, err = run_report("--dns", "mailbox.mbox")
    assert code == 2 and out == ""
    assert "--dns is unavailable: CNAME uncloaking (trackless.net.cname) is not part of this version" in err


def test_dns_chains_are_shown_when_available(monkeypatch):
    from trackless.commands import report as cmd
    from trackless.report.meta import DnsChain

    asked = []

    def fake(hosts, *, first_party, readers):
        asked.extend(hosts)
        assert "epost.brand-shop.example" in first_party and "www.facebook.com" not in first_party
        assert readers == ["alex.martin@example.org", "team@agency.example"]  # To and Cc of the fixture mails
        return [DnsChain("epost.brand-shop.example", ("brand-shop.emsecure.net",), "Selligent (Marigold)",
                         "first-party name, alias of an ESP")]

    monkeypatch.setattr(cmd, "_dns_lookup", lambda: fake)
    code, out, err = run_report("--dns", "--jobs", "1", "mailbox.mbox")
    assert code == 0, err
    assert "epost.brand-shop.example" in asked and "www.facebook.com" in asked and asked == sorted(set(asked))
    section = out[out.index("## DNS (CNAME chains)"):out.index("## Mails")]
    assert "| `epost.brand-shop.example` | `brand-shop.emsecure.net` | Selligent (Marigold) |" in section
    assert "only DNS CNAME records were looked up" in out


def test_a_dying_worker_stops_the_run_with_a_clear_error(tmp_path, monkeypatch):
    from trackless.report import run as runmod

    monkeypatch.setattr(runmod, "analyse_batch", _die)
    target = tmp_path / "r.md"
    code, out, err = run_report("--jobs", "2", "--out", str(target), "mailbox.mbox")
    assert code == 2
    assert "a worker process died while analysing mails" in err and "--jobs 1" in err
    assert not target.exists() and os.listdir(tmp_path) == []


def _die(batch, extra_to, budget=None, fmt=None):
    os._exit(3)  # a worker crash (e.g. killed for memory)


@pytest.mark.parametrize("name, marker", [("r.html", "<!DOCTYPE html>"), ("r.json", '"schema": "trackless-report/1"'),
                                          ("r.md", "# Trackless evidence report"), ("r.txt", "# Trackless evidence report")])
def test_format_follows_out_extension(tmp_path, name, marker):
    code, _, err = run_report("--jobs", "1", "--out", str(tmp_path / name), "eml/04-bank-notice.eml")
    assert code == 0, err
    assert marker in (tmp_path / name).read_text(encoding="utf-8")


def test_out_into_a_special_file_writes_into_it_and_keeps_it(tmp_path):
    """``--out`` naming a FIFO (or /dev/null) is written into, never replaced by a renamed temp file."""
    import stat
    import threading

    fifo = tmp_path / "report.md"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    code, out, err = run_report("--jobs", "1", "--out", str(fifo), os.path.join(FIXTURES, "mailbox.mbox"))
    reader.join(30)
    assert code == 0, err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced"
    assert b"# Trackless evidence report" in got[0]
    assert sorted(os.listdir(tmp_path)) == ["report.md"]
