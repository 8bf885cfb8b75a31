"""The settings store: round trip, normalisation, corruption, concurrency, read-only dirs."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trackless.errors import StoreCorrupt, StoreError
from trackless.store import OPTIONS, AllowEntry, Store

DAY = dt.date(2026, 11, 26)


def store_at(tmp_path: Path) -> Store:
    return Store(tmp_path / "cfg" / "settings.json", today=lambda: DAY)


def test_missing_file_reads_as_defaults_and_is_not_created(tmp_path):
    s = store_at(tmp_path)
    settings = s.load()
    assert dict(settings.allowlist) == {}
    assert dict(settings.options) == {k: o.default for k, o in OPTIONS.items()}
    assert settings.options["dns_uncloaking"] is False and settings.options["resolve_allow_private"] is False
    assert not (tmp_path / "cfg").exists()


def test_round_trip_writes_exactly_this_file(tmp_path):
    s = store_at(tmp_path)
    assert s.add("News.Brand.CO.UK") == ("brand.co.uk", AllowEntry(True, False, "2026-11-26"))
    assert s.add("https://shop.bücher.example/p?q=1", images=False, keep_links=True)[0] == "xn--bcher-kva.example"
    s.set_options({"request_timeout_ms": 2500, "dns_uncloaking": True})
    assert json.loads(s.path.read_text("utf-8")) == {
        "format": 1,
        "allowlist": {
            "brand.co.uk": {"images": True, "keep_links": False, "added": "2026-11-26"},
            "xn--bcher-kva.example": {"images": False, "keep_links": True, "added": "2026-11-26"},
        },
        "options": {"request_timeout_ms": 2500, "dns_uncloaking": True},
    }
    again = Store(s.path).load()
    assert again.image_domains == ("brand.co.uk",)
    assert again.keep_link_domains == ("xn--bcher-kva.example",)
    assert again.options["request_timeout_ms"] == 2500
    assert s.remove("BRAND.co.uk") == ("brand.co.uk", True)
    assert s.remove("brand.co.uk") == ("brand.co.uk", False)
    assert list(Store(s.path).load().allowlist) == ["xn--bcher-kva.example"]
    assert sorted(p.name for p in s.path.parent.iterdir()) == ["settings.json", "settings.json.lock"]  # no temp files left


def test_re_adding_keeps_the_first_date_and_updates_flags(tmp_path):
    s = store_at(tmp_path)
    s.add("brand.example")
    later = Store(s.path, today=lambda: dt.date(2027, 1, 2))
    assert later.add("brand.example", keep_links=True)[1] == AllowEntry(True, True, "2026-11-26")


@pytest.mark.parametrize("bad", ["", "co.uk", "not a domain", "-x.example", "x..example", "http://", "a" * 64 + ".example"])
def test_invalid_domains_are_refused_and_nothing_is_written(tmp_path, bad):
    s = store_at(tmp_path)
    with pytest.raises(ValueError):
        s.add(bad)
    assert not s.path.exists()


@pytest.mark.parametrize(
    "changes",
    [{"dns_uncloaking": 1}, {"request_timeout_ms": True}, {"request_timeout_ms": 99}, {"request_timeout_ms": 60_001}, {"nope": 1},
     {"request_timeout_ms": 1000, "max_redirects": -1}],
)
def test_invalid_options_are_refused_all_or_nothing(tmp_path, changes):
    s = store_at(tmp_path)
    s.set_options({"max_redirects": 3})
    before = s.path.read_bytes()
    with pytest.raises(ValueError):
        s.set_options(changes)
    assert s.path.read_bytes() == before


def test_unknown_keys_from_a_newer_version_are_kept(tmp_path):
    s = store_at(tmp_path)
    s.path.parent.mkdir(parents=True)
    s.path.write_text(json.dumps({"format": 1, "future": {"x": 1}, "options": {"future_opt": "v"}, "allowlist": {}}))
    s.add("brand.example")
    raw = json.loads(s.path.read_text())
    assert raw["future"] == {"x": 1} and raw["options"] == {"future_opt": "v"} and "brand.example" in raw["allowlist"]


CORRUPT = [
    b"{not json",
    b"",
    b"\xff\xfe\x00",
    b"[]",
    b'{"allowlist": []}',
    b'{"allowlist": {"brand.example": {"images": "yes"}}}',
    b'{"allowlist": {"Brand.Example": {}}}',
    b'{"options": {"dns_uncloaking": "no"}}',
    b'{"options": {"request_timeout_ms": 5}}',
    b'{"format": 99}',
    b'{"format": "1"}',
    # nested: the parser's own RecursionError, and a depth it parses but a rewrite could not dump
    b'{"options": {}, "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"options": {}, "extra": ' + b"[" * 990 + b"]" * 990 + b"}",
    b'{"allowlist": {}, "x": ' + b'{"a":' * 65 + b"1" + b"}" * 65 + b"}",
]


@pytest.mark.parametrize("content", CORRUPT)
def test_a_corrupt_file_is_never_overwritten_and_writes_are_refused(tmp_path, content):
    s = store_at(tmp_path)
    s.path.parent.mkdir(parents=True)
    s.path.write_bytes(content)
    with pytest.raises(StoreCorrupt) as info:
        s.load()
    msg = str(info.value)
    assert str(s.path) in msg and "move it aside" in msg and info.value.code == "store_corrupt"
    for write in (lambda: s.add("brand.example"), lambda: s.remove("brand.example"), lambda: s.set_options({"max_redirects": 1})):
        with pytest.raises(StoreCorrupt):
            write()
    assert s.path.read_bytes() == content
    assert sorted(p.name for p in s.path.parent.iterdir()) == ["settings.json", "settings.json.lock"]


def test_a_failed_rename_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    s = store_at(tmp_path)
    s.add("brand.example")
    before = s.path.read_bytes()

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreError, match="No space left"):
        s.add("other.example")
    monkeypatch.undo()
    assert s.path.read_bytes() == before
    assert sorted(p.name for p in s.path.parent.iterdir()) == ["settings.json", "settings.json.lock"]


WRITER = textwrap.dedent(
    """
    import sys
    from trackless.store import Store
    s = Store(sys.argv[1])
    tag = sys.argv[2]
    for i in range(40):
        s.add(f"d{i}-{tag}.example", keep_links=bool(i % 2))
        s.set_options({"max_redirects": i % 30})
    """
)


def test_two_processes_writing_at_once_lose_no_update(tmp_path):
    path = tmp_path / "cfg" / "settings.json"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag]) for tag in ("a", "b")]
    assert [p.wait(120) for p in procs] == [0, 0]
    allow = Store(path).load().allowlist
    assert len(allow) == 80
    assert set(allow) == {f"d{i}-{t}.example" for i in range(40) for t in "ab"}
    assert allow["d3-a.example"].keep_links is True and allow["d4-b.example"].keep_links is False


READONLY_PROBE = textwrap.dedent(
    """
    import json, sys
    from trackless.errors import StoreError
    from trackless.store import Store
    out = {}
    for name in ("fresh", "existing"):
        s = Store(sys.argv[1] + "/" + name + "/settings.json")
        out[name + "_load"] = sorted(s.load().allowlist)
        try:
            s.add("new.example")
            out[name] = "written"
        except StoreError as exc:
            out[name] = [exc.code, str(exc)]
    print(json.dumps(out))
    """
)


def test_a_read_only_directory_gives_a_clear_store_error(tmp_path):
    base = tmp_path / "ro"
    (base / "fresh").mkdir(parents=True)
    Store(base / "existing" / "settings.json").add("old.example")
    before = (base / "existing" / "settings.json").read_bytes()
    if os.geteuid() != 0:
        for d in (base / "fresh", base / "existing"):
            d.chmod(0o555)
        cmd = [sys.executable, "-c", READONLY_PROBE, str(base)]
    else:  # root ignores permission bits: use a read-only bind mount in a private mount namespace
        if not shutil.which("unshare"):
            pytest.skip("running as root without unshare: cannot make a read-only directory")
        script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && exec "$2" -c "$3" "$1"'
        cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", str(base), sys.executable, READONLY_PROBE]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    finally:
        for d in (base / "fresh", base / "existing"):
            d.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["fresh_load"] == [] and out["existing_load"] == ["old.example"]
    for name in ("fresh", "existing"):
        code, msg = out[name]
        assert code == "store" and "cannot write the settings" in msg and str(base / name) in msg
    assert (base / "existing" / "settings.json").read_bytes() == before


def test_a_symlinked_settings_file_stays_a_symlink(tmp_path):
    real = tmp_path / "dotfiles" / "trackless.json"
    real.parent.mkdir()
    real.write_text('{"allowlist": {}}')
    link = tmp_path / "cfg" / "settings.json"
    link.parent.mkdir()
    link.symlink_to(real)
    Store(link, today=lambda: DAY).add("brand.example")
    assert link.is_symlink()
    assert list(json.loads(real.read_text())["allowlist"]) == ["brand.example"]


def _assert_refused_naming_the_file(s: Store, why: str) -> None:
    with pytest.raises(StoreCorrupt, match=why) as info:
        s.load()
    assert str(s.path) in str(info.value) and info.value.code == "store_corrupt"
    with pytest.raises(StoreCorrupt):
        s.add("brand.example")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path):
    # The old read blocked forever on a FIFO nobody writes to; run it in a child so a hang fails cleanly.
    s = store_at(tmp_path)
    s.path.parent.mkdir(parents=True)
    os.mkfifo(s.path)
    code = textwrap.dedent(f"""
        from trackless.store import Store
        from trackless.errors import StoreCorrupt
        try:
            Store({str(s.path)!r}).load()
        except StoreCorrupt as exc:
            print(exc.code, exc)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert out.stdout.startswith("store_corrupt ") and "not a regular file (a FIFO)" in out.stdout
    _assert_refused_naming_the_file(s, "a FIFO")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_symlink_to_a_device_is_refused_without_reading_it(tmp_path):
    s = store_at(tmp_path)
    s.path.parent.mkdir(parents=True)
    s.path.symlink_to("/dev/zero")
    _assert_refused_naming_the_file(s, "character device")


def test_a_file_over_the_size_cap_is_refused_and_left_alone(tmp_path):
    from trackless.store import MAX_FILE_BYTES

    s = store_at(tmp_path)
    s.path.parent.mkdir(parents=True)
    body = b'{"allowlist": {}, "pad": "' + b"x" * MAX_FILE_BYTES + b'"}'
    s.path.write_bytes(body)
    _assert_refused_naming_the_file(s, f"larger than {MAX_FILE_BYTES} bytes")
    assert s.path.read_bytes() == body
    # a file just under the cap is still read
    s.path.write_bytes(b'{"allowlist": {}, "pad": "' + b"x" * (MAX_FILE_BYTES - 100) + b'"}')
    assert s.load().allowlist_dict() == {}
