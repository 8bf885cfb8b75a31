"""The host log file is the owner's only (0600), like the settings file, across rotations too."""

from __future__ import annotations

import io
import os
import stat

import pytest

from trackless.native.log import LOG_FILE, setup_logging

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def wide_umask():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_the_log_file_is_created_owner_only(tmp_path, wide_umask):
    log, path = setup_logging(tmp_path, stderr=io.StringIO())
    log.info("hello")
    assert path == tmp_path / LOG_FILE and _mode(path) == 0o600
    assert "hello" in path.read_text()


def test_an_older_world_readable_log_is_narrowed_and_rotations_stay_private(tmp_path, wide_umask):
    old = tmp_path / LOG_FILE
    old.write_text("from an older version\n")
    os.chmod(old, 0o644)
    log, path = setup_logging(tmp_path, stderr=io.StringIO())
    assert _mode(path) == 0o600
    handler = next(h for h in log.handlers if hasattr(h, "doRollover"))
    handler.doRollover()
    log.info("after the rotation")
    assert _mode(path) == 0o600 and _mode(tmp_path / (LOG_FILE + ".1")) == 0o600
