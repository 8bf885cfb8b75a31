"""Walking mail sources: mbox splitting on literal bytes, Maildir, directories, errors."""

from __future__ import annotations

import io
import os

import pytest

from trackless.report.sources import RawMail, SourceError, iter_sources, split_mbox, total_bytes

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def split(data: bytes, **kw):
    return list(split_mbox(io.BytesIO(data), "box", **kw))


MAIL_A = b"From: a@x.example\nSubject: A\n\nbody a\n"
MAIL_B = b"From: b@x.example\nSubject: B\n\nbody b\n"


@pytest.mark.parametrize("data, expected", [
    # two mails, separator blank line not part of the mail
    (b"From a@x Mon Jan  1 00:00:00 2026\n" + MAIL_A + b"\nFrom b@x Mon Jan  1 00:00:00 2026\n" + MAIL_B + b"\n",
     [MAIL_A, MAIL_B]),
    # mboxrd unescaping: one '>' removed from >+From
    (b"From a@x Mon Jan  1 00:00:00 2026\nSubject: A\n\n>From here\n>>From there\n> From not\n",
     [b"Subject: A\n\nFrom here\n>From there\n> From not\n"]),
    # a 'From ' line not after an empty line is content, not a new mail
    (b"From a@x Mon Jan  1 00:00:00 2026\nSubject: A\n\nline\nFrom inside\n",
     [b"Subject: A\n\nline\nFrom inside\n"]),
    # CRLF line endings
    (b"From a@x Mon Jan  1 00:00:00 2026\r\nSubject: A\r\n\r\nx\r\n\r\nFrom b@x Mon Jan  1 00:00:00 2026\r\nSubject: B\r\n\r\ny\r\n",
     [b"Subject: A\r\n\r\nx\r\n", b"Subject: B\r\n\r\ny\r\n"]),
    # blank lines inside a body are kept; only the one before From_ is dropped
    (b"From a@x Mon Jan  1 00:00:00 2026\nSubject: A\n\np1\n\n\np2\n\nFrom b@x Mon Jan  1 00:00:00 2026\nSubject: B\n\nq\n",
     [b"Subject: A\n\np1\n\n\np2\n", b"Subject: B\n\nq\n"]),
    # leading blank lines before the first From_ are tolerated; no final newline
    (b"\n\nFrom a@x Mon Jan  1 00:00:00 2026\nSubject: A\n\nend", [b"Subject: A\n\nend"]),
])
def test_split_mbox_vectors(data, expected):
    got = split(data)
    assert [m.data for m in got] == expected
    assert [m.origin for m in got] == [f"box#{i}" for i in range(1, len(expected) + 1)]


def test_split_mbox_not_an_mbox():
    got = split(b"Subject: hi\n\nbody\n")
    assert got == [SourceError("box", "bad_input", "not an mbox: it does not start with a 'From ' line")]


def test_split_mbox_empty_message_and_too_large_do_not_stop_the_run():
    big = b"x" * 100 + b"\n"
    data = (b"From a@x Mon Jan  1 00:00:00 2026\n\nFrom b@x Mon Jan  1 00:00:00 2026\nSubject: B\n\n" + big * 20
            + b"\nFrom c@x Mon Jan  1 00:00:00 2026\n" + MAIL_A)
    got = split(data, max_bytes=1000)
    assert isinstance(got[0], SourceError) and got[0].origin == "box#1" and got[0].code == "bad_input"
    assert isinstance(got[1], SourceError) and got[1].origin == "box#2" and got[1].code == "too_large"
    assert got[2] == RawMail("box#3", MAIL_A)


def test_split_mbox_over_long_line_is_content():
    # a line longer than the read piece size: its continuation starting with "From " is not a separator
    piece = 1 << 20
    line = b"a" * (piece - 1) + b"\n"  # exactly fills one piece with the newline
    long_line = b"b" * piece + b">From x\n"  # continuation piece: no From_ split, no unescaping
    data = b"From a@x Mon Jan  1 00:00:00 2026\nSubject: A\n\n" + line + b"\n" + long_line
    got = split(data)
    assert len(got) == 1 and got[0].data.endswith(long_line)


class CountingStream(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.lines_read = 0

    def readline(self, *a):
        self.lines_read += 1
        return super().readline(*a)


def test_split_mbox_is_lazy():
    one = b"From a@x Mon Jan  1 00:00:00 2026\n" + MAIL_A + b"\n"
    stream = CountingStream(one * 1000)
    it = split_mbox(stream, "box")
    first = next(it)
    assert first.data == MAIL_A
    assert stream.lines_read < 20  # not the 6,000 lines of the whole file


def _origins(items):
    return [(type(i).__name__, os.path.relpath(i.origin.split("#")[0], FIXTURES) + ("#" + i.origin.split("#")[1] if "#" in i.origin else "")) for i in items]


def test_maildir_reads_new_then_cur_ignores_tmp_and_index_files(tmp_path):
    md = tmp_path / "Mail"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    (md / "cur" / "2.x:2,S").write_bytes(MAIL_B)
    (md / "cur" / "1.x:2,S").write_bytes(MAIL_A)
    (md / "new" / "3.x").write_bytes(MAIL_A)
    (md / "tmp" / "4.x").write_bytes(MAIL_A)
    (md / "dovecot-uidlist").write_bytes(b"3 V1 N4\n")
    (md / ".Sent" / "cur").mkdir(parents=True)
    (md / ".Sent" / "new").mkdir()
    (md / ".Sent" / "cur" / "5.x:2,S").write_bytes(MAIL_B)
    got = list(iter_sources([str(md)]))
    assert [os.path.relpath(m.origin, md) for m in got] == ["new/3.x", "cur/1.x:2,S", "cur/2.x:2,S", ".Sent/cur/5.x:2,S"]
    assert all(isinstance(m, RawMail) for m in got)


def test_directory_walk_sniffs_files_and_ignores_non_mail_silently(tmp_path):
    (tmp_path / "a.eml").write_bytes(MAIL_A)
    (tmp_path / "Inbox").write_bytes(b"From a@x Mon Jan  1 00:00:00 2026\n" + MAIL_A + b"\nFrom b@x Mon Jan  1 00:00:00 2026\n" + MAIL_B)
    (tmp_path / "Inbox.msf").write_bytes(b"// <!-- <mdb:mork:z v=\"1.4\"/> -->")
    (tmp_path / "notes.txt").write_bytes(b"shopping list\n")
    (tmp_path / "logins.json").write_bytes(b'{"nextId":2,"logins":[]}')
    (tmp_path / "folderTree.json").write_bytes(b'{"mailbox://x/Trash":{"open":"true"}}')
    (tmp_path / "data.txt").write_bytes(b'{"a":1}\n')  # JSON under another name: sniffed, not a header
    (tmp_path / "Trash").write_bytes(b"")  # Thunderbird's empty folder file
    (tmp_path / "empty.eml").write_bytes(b"")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "loop").symlink_to(tmp_path)  # a symlink loop is walked once
    got = list(iter_sources([str(tmp_path)]))
    summary = [(type(m).__name__, os.path.relpath(m.origin, tmp_path), getattr(m, "code", None)) for m in got]
    assert summary == [
        ("RawMail", "Inbox#1", None),
        ("RawMail", "Inbox#2", None),
        ("RawMail", "a.eml", None),
        ("SourceError", "empty.eml", "bad_input"),  # named as a mail: said to be empty
    ]
    # evidence of where each mail was found: the file and the byte offset of its "From " line
    assert got[0].path == str(tmp_path / "Inbox") and got[0].offset == 0
    assert got[1].offset == len(b"From a@x Mon Jan  1 00:00:00 2026\n" + MAIL_A + b"\n")
    assert got[2].path == str(tmp_path / "a.eml") and got[2].offset is None


def test_missing_and_special_paths(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    got = list(iter_sources([str(tmp_path / "missing.mbox"), str(tmp_path / "dangling"), "/dev/null"]))
    assert [(e.code, e.message) for e in got] == [
        ("bad_input", "no such file or directory"),
        ("bad_input", "no such file or directory"),
        ("bad_input", "not a regular file or directory"),
    ]


def test_explicit_file_is_read_even_without_headers(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x00\x01 binary")
    got = list(iter_sources([str(p)]))
    assert got == [RawMail(str(p), b"\x00\x01 binary")]  # analyse will reject it with a clear message


def test_oversized_single_file(tmp_path):
    p = tmp_path / "big.eml"
    p.write_bytes(MAIL_A + b"x" * 2000)
    got = list(iter_sources([str(p)], max_bytes=1000))
    assert got[0].code == "too_large"


def test_fixture_forms_hold_the_same_mails():
    eml = [m for m in iter_sources([os.path.join(FIXTURES, "eml")])]
    mbox = [m for m in iter_sources([os.path.join(FIXTURES, "mailbox.mbox")])]
    maildir = [m for m in iter_sources([os.path.join(FIXTURES, "Maildir")])]
    assert len(eml) == 8
    assert [m.data for m in mbox] == [m.data for m in eml] == [m.data for m in maildir]


def test_total_bytes(tmp_path):
    (tmp_path / "a").write_bytes(b"12345")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b").write_bytes(b"123")
    assert total_bytes([str(tmp_path), str(tmp_path / "missing")]) == 8


def test_committed_fixture_forms_are_built_from_the_eml_files():
    import build_fixtures

    with open(os.path.join(FIXTURES, "mailbox.mbox"), "rb") as fh:
        assert fh.read() == build_fixtures.mbox_bytes()
    for rel, data in build_fixtures.maildir_files().items():
        with open(os.path.join(FIXTURES, "Maildir", rel), "rb") as fh:
            assert fh.read() == data, rel
    # the mbox really exercises From-quoting: a body line of mail 5 starts with "From "
    assert b"\n>From the desk of Jordan Lee\n" in build_fixtures.mbox_bytes()
