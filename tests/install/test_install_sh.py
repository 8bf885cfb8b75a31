"""install/install.sh end to end in a temporary HOME: a host that answers ping through the manifest.

It creates a fresh venv and lets pip install the dependencies (from PyPI or
pip's cache), so it runs only when TRACKLESS_TEST_INSTALL_SH=1 (about 15 s warm).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from trackless.installer import EXTENSION_ID, LEGACY_EXTENSION_IDS, ping_host

REPO = Path(__file__).resolve().parents[2]

needs_pip = pytest.mark.skipif(
    os.environ.get("TRACKLESS_TEST_INSTALL_SH") != "1", reason="set TRACKLESS_TEST_INSTALL_SH=1 (needs pip to fetch packages)"
)


@needs_pip
def test_install_sh_registers_a_host_that_answers_through_the_manifest(tmp_path):
    home, venv = tmp_path / "home", tmp_path / "venv"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKLESS_", "VIRTUAL_ENV"))}
    env.setdefault("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))  # not in the temporary HOME
    env.update(HOME=str(home), TRACKLESS_VENV=str(venv), TRACKLESS_CONFIG_DIR=str(tmp_path / "cfg"), TRACKLESS_LOG_DIR=str(tmp_path / "log"))
    first = subprocess.run(["sh", str(REPO / "install" / "install.sh")], env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    manifest = home / ".mozilla" / "native-messaging-hosts" / "trackless.json"
    data = json.loads(manifest.read_text())
    assert data == {
        "name": "trackless",
        "description": data["description"],
        "path": str(venv / "bin" / "trackless-host"),
        "type": "stdio",
        "allowed_extensions": [EXTENSION_ID, *LEGACY_EXTENSION_IDS],
    }
    reply, problem = ping_host(data["path"], str(manifest), EXTENSION_ID)
    assert problem == "" and reply["ok"] is True and reply["result"]["name"] == "trackless"
    assert "Install Add-on From File" in first.stdout and "Trackless is ready." in first.stdout

    link = home / ".local" / "bin" / "trackless"
    assert os.readlink(link) == str(venv / "bin" / "trackless")
    assert f"{home}/.local/bin is not on your PATH" in first.stdout
    login = subprocess.run(["sh", "-c", "trackless --version"], env=dict(env, PATH=f"{link.parent}:/usr/bin:/bin"),
                           capture_output=True, text=True, timeout=60)
    assert login.returncode == 0 and login.stdout.startswith("trackless "), login.stderr

    again = subprocess.run(["sh", str(REPO / "install" / "install.sh")], env=dict(env, PATH=f"{link.parent}:{env['PATH']}"),
                           capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "using the environment" in again.stdout and "not on your PATH" not in again.stdout
    assert json.loads(manifest.read_text()) == data and os.readlink(link) == str(venv / "bin" / "trackless")

    gone = subprocess.run(["sh", str(REPO / "install" / "install.sh"), "--uninstall"], env=env, capture_output=True, text=True, timeout=300)
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert not venv.exists() and not link.is_symlink()
    # what install.sh made in HOME (manifest folders, ~/.local/bin) is gone; other tools' caches are not ours
    assert not (home / ".mozilla").exists() and not (home / ".local").exists(), sorted(map(str, home.rglob("*")))


def test_install_sh_help_prints_the_usage_only():
    r = subprocess.run(["sh", str(REPO / "install" / "install.sh"), "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("Trackless one-command set-up")
    assert "set -eu" not in r.stdout and "#" not in r.stdout and "Exit status: 0 ready" in r.stdout
    bad = subprocess.run(["sh", str(REPO / "install" / "install.sh"), "--bogus"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "unknown option --bogus" in bad.stderr
