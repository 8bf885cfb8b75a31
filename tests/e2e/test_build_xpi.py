"""install/build_xpi.py: reproducible bytes, version from version.py, fixed order and times."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("build_xpi", ROOT / "install" / "build_xpi.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build_xpi = _load()


def test_two_builds_are_byte_identical(tmp_path):
    a = build_xpi.build(tmp_path / "a.xpi")
    b = build_xpi.build(tmp_path / "b.xpi")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_same_bytes_whatever_the_file_times_umask_and_time_zone(tmp_path, monkeypatch):
    import os
    import shutil
    import time

    ext = tmp_path / "ext"
    shutil.copytree(ROOT / "extension", ext)
    first = build_xpi.build(tmp_path / "1.xpi", "1.2.3", root=ext).read_bytes()
    for p in ext.rglob("*"):
        os.utime(p, (1_900_000_000, 1_900_000_000))
        p.chmod(0o700 if p.is_dir() else 0o600)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    old = os.umask(0o077)
    try:
        second = build_xpi.build(tmp_path / "2.xpi", "1.2.3", root=ext).read_bytes()
    finally:
        os.umask(old)
        monkeypatch.delenv("TZ")
        time.tzset()
    assert first == second
    with zipfile.ZipFile(tmp_path / "2.xpi") as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}  # no zlib-build dependence


def test_contents_order_times_and_version(tmp_path):
    from trackless.version import __version__

    xpi = build_xpi.build(tmp_path / "t.xpi")
    with zipfile.ZipFile(xpi) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        manifest = json.loads(z.read("manifest.json"))
    assert names[0] == "manifest.json"
    assert names[1:] == sorted(names[1:])
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    assert all(i.external_attr == 0o644 << 16 for i in infos)
    assert manifest["version"] == __version__
    assert manifest["browser_specific_settings"]["gecko"]["id"] == "trackless@trackless.email"
    assert manifest["browser_specific_settings"]["gecko"]["data_collection_permissions"] == {"required": ["none"]}
    expected = sorted(
        p.relative_to(ROOT / "extension").as_posix()
        for p in (ROOT / "extension").rglob("*")
        if p.is_file() and not p.name.endswith(".md") and not any(part.startswith(".") for part in p.relative_to(ROOT / "extension").parts)
    )
    assert sorted(names) == expected
    for needed in ("background.js", "display/display_core.js", "display/display.js", "display/hide.css", "popup/popup.html", "options/options.html"):
        assert needed in names


def test_version_is_read_from_version_py_without_importing(tmp_path):
    v = tmp_path / "version.py"
    v.write_text('"""doc"""\n\n__version__ = "9.8.7"\nPROTOCOL_VERSION = 1\n')
    assert build_xpi.read_version(v) == "9.8.7"
    v.write_text("VERSION = 1\n")
    with pytest.raises(SystemExit):
        build_xpi.read_version(v)


def test_a_different_gecko_id_is_refused(tmp_path):
    ext = tmp_path / "ext"
    ext.mkdir()
    (ext / "manifest.json").write_text(json.dumps({"version": "0", "browser_specific_settings": {"gecko": {"id": "other@x"}}}))
    with pytest.raises(SystemExit):
        build_xpi.build(tmp_path / "x.xpi", "1.0", root=ext)
