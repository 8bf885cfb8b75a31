"""The command line as a user meets it: --help (exit codes, file locations), exit codes, completion scripts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def run(*args: str, env: dict | None = None, stdin=subprocess.DEVNULL, exe: str = "trackless") -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / exe), *args], capture_output=True, text=True, env=env, stdin=stdin, timeout=120)


def test_top_level_help_names_exit_codes_and_where_files_live(tmp_path):
    env = dict(os.environ, TRACKLESS_CONFIG_DIR=str(tmp_path / "cfg"), TRACKLESS_CACHE_DIR=str(tmp_path / "cache"),
               TRACKLESS_LOG_DIR=str(tmp_path / "log"))
    r = run("--help", env=env)
    assert r.returncode == 0
    for code in ("  0 ", "  1 ", "  2 ", "  3 ", "  70 ", "  130 "):
        assert code in r.stdout
    assert f"{tmp_path / 'cfg' / 'settings.json'}" in r.stdout and "$TRACKLESS_CONFIG_DIR" in r.stdout
    assert f"{tmp_path / 'cache'}" in r.stdout and f"{tmp_path / 'log' / 'host.log'}" in r.stdout
    assert "completion" in r.stdout
    sub = run("sanitize", "--help", env=env)
    assert sub.returncode == 0 and "exit codes (every sub-command)" in sub.stdout


def test_host_help_prints_usage_even_without_a_terminal():
    r = run("--help", exe="trackless-host")
    assert r.returncode == 0 and r.stdout.startswith("usage: trackless-host") and "trackless install --check" in r.stdout


@pytest.mark.parametrize("args", [
    ("sanitize", "{missing}"),
    ("sanitize", "--json", "{missing}"),
    ("report", "{missing}"),
    ("report", "--format", "json", "{missing}"),
])
def test_a_missing_file_exits_2_in_every_sub_command(tmp_path, args):
    missing = str(tmp_path / "no-such-file.eml")
    r = run(*(a.format(missing=missing) for a in args))
    assert r.returncode == 2, (args, r.stderr)
    assert "no-such-file.eml" in r.stderr


def test_usage_errors_exit_2():
    assert run().returncode == 2
    assert run("no-such-command").returncode == 2
    assert run("completion", "tcsh").returncode == 2


def _completion(shell: str, tmp_path: Path) -> Path:
    r = run("completion", shell)
    assert r.returncode == 0 and r.stdout
    path = tmp_path / f"trackless.{shell}"
    path.write_text(r.stdout)
    return path


def _need(shell: str):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (tests/run.sh installs it)")


def test_bash_completion_completes_commands_and_options(tmp_path):
    script = _completion("bash", tmp_path)
    probe = (f"source {script}; COMP_WORDS=(trackless san); COMP_CWORD=1; COMP_LINE='trackless san'; COMP_POINT=13; "
             "_shtab_trackless; echo \"${COMPREPLY[@]}\"; "
             "COMP_WORDS=(trackless install --ch); COMP_CWORD=2; COMP_LINE='trackless install --ch'; COMP_POINT=22; "
             "_shtab_trackless; echo \"${COMPREPLY[@]}\"; "
             "COMP_WORDS=(trackless report --format ''); COMP_CWORD=3; COMP_LINE='trackless report --format '; COMP_POINT=26; "
             "_shtab_trackless; echo \"${COMPREPLY[@]}\"")
    r = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and lines[0].split() == ["sanitize"], r.stdout + r.stderr
    assert lines[1].split() == ["--check"]
    assert sorted(lines[2].split()) == ["html", "json", "md"]


def test_zsh_completion_is_valid_zsh(tmp_path):
    _need("zsh")
    script = _completion("zsh", tmp_path)
    r = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "#compdef trackless" in script.read_text() and "--check[diagnose" in script.read_text()


def test_fish_completion_completes_commands_and_options(tmp_path):
    _need("fish")
    script = _completion("fish", tmp_path)
    def complete(line: str) -> list[str]:
        r = subprocess.run(["fish", "--no-config", "-c", f"source {script}; complete -C {line!r}"],
                           capture_output=True, text=True, timeout=30, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        return [w.split("\t")[0] for w in r.stdout.splitlines()]

    assert complete("trackless san") == ["sanitize"]
    assert complete("trackless install --ch") == ["--check"]
    assert {"md", "html", "json"} <= set(complete("trackless report --format "))
