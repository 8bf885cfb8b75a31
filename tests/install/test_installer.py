"""Installer: the manifest exactly as Thunderbird reads it, per OS; uninstall; --check."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from trackless import installer
from trackless.commands import install as install_cmd
from trackless.version import __version__
from trackless.installer import (
    EXTENSION_ID,
    LEGACY_EXTENSION_IDS,
    REGISTRY_KEY,
    Target,
    check,
    detect_sandboxed_thunderbird,
    find_launcher,
    ping_host,
)

VENV_LAUNCHER = Path(sys.executable).parent / "trackless-host"
DESCRIPTION = "Trackless mail-tracking blocker: local helper that sanitizes mail HTML"


def expected_manifest(path, ext=EXTENSION_ID) -> dict:
    allowed = [ext, *LEGACY_EXTENSION_IDS] if ext == EXTENSION_ID else [ext]
    return {"name": "trackless", "description": DESCRIPTION, "path": str(path), "type": "stdio", "allowed_extensions": allowed}


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=str(home), TRACKLESS_CONFIG_DIR=str(home / "cfg"), TRACKLESS_LOG_DIR=str(home / "log"))
    return subprocess.run([str(Path(sys.executable).parent / "trackless"), *args], capture_output=True, text=True, env=env, timeout=60)


# -- Linux, for real, in a temporary HOME -------------------------------------


def test_linux_install_check_uninstall_in_a_temporary_home(tmp_path):
    home = tmp_path / "home"
    (home / ".mozilla" / "firefox").mkdir(parents=True)  # an existing Mozilla folder must survive
    r = cli(home, "install")
    assert r.returncode == 0, r.stderr
    manifest = home / ".mozilla" / "native-messaging-hosts" / "trackless.json"
    assert json.loads(manifest.read_text("utf-8")) == expected_manifest(VENV_LAUNCHER)
    assert os.path.isabs(json.loads(manifest.read_text())["path"]) and os.access(VENV_LAUNCHER, os.X_OK)

    r = cli(home, "install", "--check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OK    the host answers ping (trackless" in r.stdout
    assert "FAIL" not in r.stdout

    again = cli(home, "install")  # idempotent
    assert again.returncode == 0
    assert json.loads(manifest.read_text("utf-8")) == expected_manifest(VENV_LAUNCHER)

    r = cli(home, "uninstall")
    assert r.returncode == 0
    assert not manifest.exists() and not manifest.parent.exists()
    assert (home / ".mozilla" / "firefox").is_dir()
    assert not (home / "cfg" / "install-receipt.json").exists()
    assert cli(home, "install", "--check").returncode == 1


def test_extension_id_option_and_check_against_it(tmp_path):
    home = tmp_path / "home"
    assert cli(home, "install", "--extension-id", "dev@trackless.example").returncode == 0
    manifest = home / ".mozilla" / "native-messaging-hosts" / "trackless.json"
    assert json.loads(manifest.read_text()) == expected_manifest(VENV_LAUNCHER, "dev@trackless.example")
    wrong = cli(home, "install", "--check")
    assert wrong.returncode == 1 and f"does not contain {EXTENSION_ID}" in wrong.stdout
    assert cli(home, "install", "--check", "--extension-id", "dev@trackless.example").returncode == 0


def test_uninstall_leaves_a_file_that_is_no_longer_ours(tmp_path):
    home = tmp_path / "home"
    assert cli(home, "install").returncode == 0
    manifest = home / ".mozilla" / "native-messaging-hosts" / "trackless.json"
    manifest.write_text('{"name": "something-else"}')
    assert cli(home, "uninstall").returncode == 0
    assert manifest.read_text() == '{"name": "something-else"}'


def make_profile(root: Path, rel: str, addon_id: str | None, version: str = "", *, enabled: bool | None = True,
                 absolute: bool = False, name: str = "default") -> Path:
    """A Thunderbird profile as Thunderbird leaves it: profiles.ini, extensions/<id>.xpi, extensions.json."""
    import zipfile

    folder = Path(rel) if absolute else root / rel
    folder.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    ini = root / "profiles.ini"
    n = ini.read_text().count("[Profile") if ini.exists() else 0
    with open(ini, "a") as fh:
        if n == 0:
            fh.write("[General]\nStartWithLastProfile=1\nVersion=2\n\n")
        fh.write(f"[Profile{n}]\nName={name}\nIsRelative={0 if absolute else 1}\nPath={rel}\n\n")
    if addon_id:
        (folder / "extensions").mkdir(exist_ok=True)
        with zipfile.ZipFile(folder / "extensions" / f"{addon_id}.xpi", "w") as z:
            z.writestr("manifest.json", json.dumps({"manifest_version": 3, "version": version}))
        if enabled is not None:
            entry = {"id": addon_id, "version": version, "active": enabled, "userDisabled": not enabled}
            (folder / "extensions.json").write_text(json.dumps({"schemaVersion": 36, "addons": [entry]}))
    return folder


def _linux_target(tmp_path) -> Target:
    return Target("linux", tmp_path / "home", receipt=tmp_path / "cfg" / "install-receipt.json")


def _levels(findings) -> list[tuple[str, str]]:
    return [(f.level, f.message) for f in findings]


def _no_tb(name):
    return None


@pytest.mark.parametrize(
    "make_host, expected",
    [
        (lambda d: d / "missing-host", "does not exist"),
        (lambda d: _script(d / "not-exec", "#!/bin/sh\n", mode=0o644), "is not executable"),
        (lambda d: _script(d / "chatty", "#!/bin/sh\necho hello world\n"), "does not answer ping"),
        (lambda d: _script(d / "dead", "#!/bin/sh\nexit 3\n"), "does not answer ping"),
        (lambda d: _script(d / "silent", "#!/bin/sh\nsleep 30\n"), "did not answer a ping within"),
    ],
)
def test_check_diagnoses_broken_hosts(tmp_path, make_host, expected):
    target = _linux_target(tmp_path)
    host = make_host(tmp_path)
    installer.install(target, host)
    findings = check(target, root=tmp_path / "root", which=_no_tb, ping=functools.partial(ping_host, timeout=2))
    fails = [m for lvl, m in _levels(findings) if lvl == "fail"]
    assert len(fails) == 1 and expected in fails[0], findings


def _script(path: Path, text: str, mode: int = 0o755) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_check_reports_a_malformed_manifest(tmp_path):
    target = _linux_target(tmp_path)
    path = installer.manifest_paths(target)[0]
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"name": "Trackless", "type": "stdin", "path": "relative/host", "allowed_extensions": []}))
    (finding,) = [f for f in check(target, root=tmp_path, which=_no_tb) if f.level == "fail"]
    for part in ("'name'", "'type'", "allowed_extensions", "absolute"):
        assert part in finding.message


# -- Snap / Flatpak detection --------------------------------------------------


def _fake_root(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "root"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


ELF = "\x7fELF fake binary"


@pytest.mark.parametrize(
    "files, snap, flatpak, native",
    [
        ({"snap/bin/thunderbird": ELF}, 1, 0, 0),
        ({"usr/bin/thunderbird": '#!/bin/sh\nexec /snap/bin/thunderbird "$@"\n'}, 1, 0, 0),
        ({"var/lib/flatpak/app/org.mozilla.Thunderbird/current": ""}, 0, 1, 0),
        ({"usr/bin/thunderbird": '#!/bin/sh\nexec /usr/lib/thunderbird/thunderbird "$@"\n'}, 0, 0, 1),
        ({"usr/bin/thunderbird": ELF, "snap/bin/thunderbird": ELF}, 1, 0, 1),
    ],
)
def test_sandboxed_thunderbird_detection(tmp_path, files, snap, flatpak, native):
    root = _fake_root(tmp_path, files)
    found = detect_sandboxed_thunderbird(tmp_path / "home", root, _no_tb)
    assert (len(found["snap"]), len(found["flatpak"]), len(found["native"])) == (snap, flatpak, native)


def test_check_fails_when_only_a_sandboxed_thunderbird_exists_and_warns_when_another_exists(tmp_path):
    target = _linux_target(tmp_path)
    installer.install(target, VENV_LAUNCHER)
    (home_flatpak := target.home / ".local/share/flatpak/app/org.mozilla.Thunderbird").mkdir(parents=True)
    only = check(target, root=_fake_root(tmp_path, {"snap/bin/thunderbird": ELF}), which=_no_tb)
    fails = [m for lvl, m in _levels(only) if lvl == "fail"]
    assert len(fails) == 2 and any("Snap" in m for m in fails) and any("Flatpak" in m and str(home_flatpak) in m for m in fails)
    both = check(target, root=_fake_root(tmp_path, {"usr/bin/thunderbird": ELF}), which=_no_tb)
    assert not [m for lvl, m in _levels(both) if lvl == "fail"]
    assert any(lvl == "warn" and "Snap" in m for lvl, m in _levels(both))


# -- macOS (unit) ------------------------------------------------------------


def test_macos_writes_both_user_locations_and_uninstall_removes_them(tmp_path):
    home = tmp_path / "home"
    (home / "Library").mkdir(parents=True)
    target = Target("darwin", home, receipt=tmp_path / "cfg" / "install-receipt.json")
    host = _script(tmp_path / "trackless-host", "#!/bin/sh\n")
    receipt = installer.install(target, host)
    a = home / "Library" / "Application Support" / "Mozilla" / "NativeMessagingHosts" / "trackless.json"
    b = home / "Library" / "Mozilla" / "NativeMessagingHosts" / "trackless.json"
    assert list(receipt.files) == [str(a), str(b)]
    for p in (a, b):
        assert json.loads(p.read_text()) == expected_manifest(host)
    make_profile(home / "Library" / "Thunderbird", "Profiles/abcd.default-release", EXTENSION_ID, __version__)
    ok = check(target, ping=lambda *a: ({"id": 1, "ok": True, "result": {"protocol": 1, "version": "x"}}, ""))
    assert [f.level for f in ok] == ["ok"] * 6, ok  # 2 manifests, 2 executables, 1 ping, 1 profile
    assert "Profiles/abcd.default-release" in ok[-1].message and f"add-on {__version__} installed, enabled" in ok[-1].message
    removed = installer.uninstall(target)
    assert str(a) in removed and str(b) in removed
    assert not (home / "Library" / "Application Support").exists() and not (home / "Library" / "Mozilla").exists()
    assert (home / "Library").is_dir()


# -- Windows (unit, fake registry) -------------------------------------------


class FakeWinreg:
    HKEY_CURRENT_USER, KEY_READ, KEY_WRITE, REG_SZ = "HKCU", 1, 2, 1

    def __init__(self):
        self.keys: dict[tuple[str, str], dict] = {}

    def CreateKeyEx(self, root, path, reserved=0, access=0):
        self.keys.setdefault((root, path), {})
        return (root, path)

    def OpenKey(self, root, path, reserved=0, access=0):
        if (root, path) not in self.keys:
            raise FileNotFoundError(path)
        return (root, path)

    def SetValueEx(self, key, name, reserved, kind, value):
        self.keys[key][name] = (value, kind)

    def QueryValueEx(self, key, name):
        try:
            return self.keys[key][name]
        except KeyError:
            raise FileNotFoundError(name) from None

    def CloseKey(self, key):
        pass

    def DeleteKey(self, root, path):
        del self.keys[(root, path)]


def _windows_target(tmp_path) -> Target:
    return Target("windows", tmp_path / "home", windows_dir=tmp_path / "AppData" / "Local" / "trackless", receipt=tmp_path / "cfg" / "r.json")


def test_windows_writes_the_manifest_and_the_hkcu_default_value(tmp_path, capsys):
    reg = FakeWinreg()
    target = _windows_target(tmp_path)
    exe = tmp_path / "venv" / "Scripts" / "trackless-host.exe"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"MZ")
    assert find_launcher("windows", scripts_dir=str(exe.parent), which=_no_tb) == exe
    args = Namespace(check=False, extension_id=EXTENSION_ID)
    assert install_cmd.run(args, target=target, winreg=reg, launcher=exe) == 0
    manifest = target.windows_dir / "trackless.json"
    assert json.loads(manifest.read_text()) == expected_manifest(exe)
    assert reg.keys == {("HKCU", r"Software\Mozilla\NativeMessagingHosts\trackless"): {"": (str(manifest), reg.REG_SZ)}}
    fake_ping = lambda *a: ({"id": 1, "ok": True, "result": {"protocol": 1, "version": "x"}}, "")  # noqa: E731
    make_profile(tmp_path / "home" / "AppData" / "Roaming" / "Thunderbird", "Profiles/w.default", EXTENSION_ID, __version__)
    findings = check(target, winreg=reg, ping=fake_ping)
    assert all(f.level == "ok" for f in findings) and "w.default" in findings[-1].message, findings
    reg.keys[("HKCU", REGISTRY_KEY)][""] = (r"C:\elsewhere\trackless.json", reg.REG_SZ)
    assert any(f.level == "fail" and "points to" in f.message for f in check(target, winreg=reg, ping=fake_ping))
    reg.keys[("HKCU", REGISTRY_KEY)][""] = (str(manifest), reg.REG_SZ)
    removed = installer.uninstall(target, winreg=reg)
    assert reg.keys == {} and not manifest.exists() and "HKCU\\" + REGISTRY_KEY in removed
    assert any(f.level == "fail" and "missing" in f.message for f in check(target, winreg=reg, ping=fake_ping))


def test_windows_without_an_exe_launcher_gets_a_bat_wrapper(tmp_path):
    reg = FakeWinreg()
    target = _windows_target(tmp_path)
    installer.install(target, None, winreg=reg, executable=r"C:\venv\Scripts\python.exe")
    bat = target.windows_dir / "trackless-host.bat"
    assert bat.read_bytes() == b'@echo off\r\n"C:\\venv\\Scripts\\python.exe" -m trackless.native.main %*\r\n'
    assert json.loads((target.windows_dir / "trackless.json").read_text())["path"] == str(bat)
    installer.uninstall(target, winreg=reg)
    assert not target.windows_dir.exists() and reg.keys == {}


def test_find_launcher_prefers_the_scripts_dir_then_path(tmp_path):
    scripts = tmp_path / "bin"
    scripts.mkdir()
    assert find_launcher("linux", scripts_dir=str(scripts), executable=str(scripts / "python"), which=_no_tb) is None
    assert find_launcher("linux", scripts_dir=str(scripts), executable=str(scripts / "python"), which=lambda n: "/opt/x/" + n) == Path(
        "/opt/x/trackless-host"
    )
    launcher = _script(scripts / "trackless-host", "#!/bin/sh\n")
    assert find_launcher("linux", scripts_dir=str(scripts), which=_no_tb) == launcher


def test_uninstall_without_a_receipt_removes_only_our_manifests(tmp_path):
    target = _linux_target(tmp_path)
    installer.install(target, VENV_LAUNCHER)
    target.receipt.unlink()  # e.g. the config dir was wiped
    manifest = installer.manifest_paths(target)[0]
    other = manifest.with_name("other_host.json")
    other.write_text('{"name": "other_host"}')
    assert installer.uninstall(target) == [str(manifest)]
    assert not manifest.exists() and other.exists()


# -- uninstall trusts no receipt entry alone (issue 11, item 8) ----------------


def test_uninstall_removes_only_what_install_writes_even_if_the_receipt_lists_more(tmp_path):
    target = _linux_target(tmp_path)
    installer.install(target, VENV_LAUNCHER)
    victims = tmp_path / "user-files"
    victims.mkdir()
    bat = _script(victims / "backup.bat", "@echo off\r\n")
    lookalike = victims / "trackless.json"  # our manifest's content, but not at a place install writes
    lookalike.write_text(json.dumps({"name": "trackless"}))
    empty = victims / "empty-dir"
    empty.mkdir()
    other_link = victims / "trackless"
    other_link.symlink_to(bat)
    raw = json.loads(target.receipt.read_text())
    raw["files"] += [str(bat), str(lookalike), "relative.bat"]
    raw["dirs"] += [str(empty), str(victims)]
    raw["links"] = [str(other_link)]
    raw["registry"] = [r"Software\Microsoft\Windows\CurrentVersion\Run"]
    target.receipt.write_text(json.dumps(raw))
    removed = installer.uninstall(target)
    manifest = installer.manifest_paths(target)[0]
    assert removed[:2] == [str(manifest), str(manifest.parent)] and not any(r.startswith(str(victims)) for r in removed)
    assert bat.exists() and lookalike.exists() and empty.is_dir() and other_link.is_symlink()


def test_uninstall_leaves_a_windows_bat_that_is_not_our_wrapper(tmp_path):
    reg = FakeWinreg()
    target = _windows_target(tmp_path)
    installer.install(target, None, winreg=reg, executable=r"C:\venv\Scripts\python.exe")
    bat = target.windows_dir / "trackless-host.bat"
    bat.write_bytes(b"@echo off\r\necho something the user wrote\r\n")
    installer.uninstall(target, winreg=reg)
    assert bat.exists() and reg.keys == {}


# -- the trackless command on PATH ---------------------------------------------


def _fake_venv(tmp_path) -> Path:
    bin_ = tmp_path / "venv" / "bin"
    bin_.mkdir(parents=True)
    _script(bin_ / "trackless", "#!/bin/sh\necho trackless \"$@\"\n")
    return _script(bin_ / "trackless-host", "#!/bin/sh\n")


def test_bin_dir_link_is_created_updated_in_place_and_removed(tmp_path):
    target = _linux_target(tmp_path)
    host = _fake_venv(tmp_path)
    bin_dir = target.home / ".local" / "bin"
    receipt = installer.install(target, host, bin_dir=bin_dir)
    link = bin_dir / "trackless"
    assert receipt.links == (str(link),) and os.readlink(link) == str(host.with_name("trackless"))
    assert subprocess.run([str(link), "x"], capture_output=True, text=True).stdout == "trackless x\n"
    newer = tmp_path / "venv2"
    shutil.copytree(tmp_path / "venv", newer, symlinks=True)
    installer.install(target, newer / "bin" / "trackless-host", bin_dir=bin_dir)  # upgrade: the link follows
    assert os.readlink(link) == str(newer / "bin" / "trackless")
    assert json.loads(target.receipt.read_text())["links"] == [str(link)]
    removed = installer.uninstall(target)
    assert str(link) in removed and not link.is_symlink()
    assert not (target.home / ".local").exists()  # created by install, empty again


def test_bin_dir_never_replaces_a_file_that_is_not_our_link(tmp_path):
    target = _linux_target(tmp_path)
    host = _fake_venv(tmp_path)
    bin_dir = tmp_path / "bin"
    mine = _script(bin_dir / "trackless", "#!/bin/sh\necho mine\n") if bin_dir.mkdir() is None else None
    with pytest.raises(FileExistsError):
        installer.install(target, host, bin_dir=bin_dir)
    assert mine.read_text() == "#!/bin/sh\necho mine\n"
    args = Namespace(check=False, extension_id=EXTENSION_ID, bin_dir=bin_dir, no_addon=False)
    assert install_cmd.run(args, target=target, launcher=host) == 1


# -- the add-on in Thunderbird profiles ----------------------------------------

OLD_ID = LEGACY_EXTENSION_IDS[0]


@pytest.mark.parametrize(
    "profiles, levels, words",
    [
        ([], ["warn"], ["no Thunderbird profile found", ".thunderbird/profiles.ini"]),
        ([("p.default", None, "", True)], ["warn", "fail"], ["is not installed", "in none of the 1 Thunderbird profile"]),
        ([("p.default", EXTENSION_ID, __version__, True)], ["ok"], ["add-on " + __version__ + " installed, enabled"]),
        ([("p.default", EXTENSION_ID, __version__, None)], ["ok"], ["add-on " + __version__ + " installed (helper"]),
        ([("p.default", EXTENSION_ID, __version__, False)], ["fail"], ["is disabled", "enable it"]),
        ([("p.default", EXTENSION_ID, "0.0.1", True)], ["fail"], ["version 0.0.1", "rebuild the add-on"]),
        ([("p.default", OLD_ID, __version__, True)], ["warn", "ok"], ["old id " + OLD_ID, "installed"]),
        ([("a.default", None, "", True), ("b.work", EXTENSION_ID, __version__, True)], ["warn", "ok"], ["a.default", "b.work"]),
    ],
)
def test_check_reads_the_addon_in_each_thunderbird_profile(tmp_path, profiles, levels, words):
    target = _linux_target(tmp_path)
    for rel, addon_id, version, enabled in profiles:
        make_profile(target.home / ".thunderbird", rel, addon_id, version, enabled=enabled)
    findings = installer.addon_findings(target)
    assert [f.level for f in findings] == levels, findings
    text = "\n".join(f.message for f in findings)
    for w in words:
        assert w in text
    assert all("fix:" in f.message for f in findings if f.level != "ok")


def test_check_profiles_absolute_snap_missing_and_broken_ini(tmp_path):
    target = _linux_target(tmp_path)
    elsewhere = tmp_path / "elsewhere" / "prof"
    make_profile(target.home / ".thunderbird", str(elsewhere), EXTENSION_ID, __version__, absolute=True)
    snap_root = target.home / "snap" / "thunderbird" / "common" / ".thunderbird"
    make_profile(snap_root, "s.default", None)
    (snap_root / "profiles.ini").write_text((snap_root / "profiles.ini").read_text() + "[Profile9]\nName=gone\nIsRelative=1\nPath=gone\n")
    findings = installer.addon_findings(target)
    by_level = {f.message: f.level for f in findings}
    assert any(lvl == "ok" and str(elsewhere) in m for m, lvl in by_level.items())
    assert any(lvl == "warn" and "of the Snap Thunderbird: the Trackless add-on is not installed" in m for m, lvl in by_level.items())
    assert any(lvl == "warn" and "folder is missing" in m for m, lvl in by_level.items())
    (target.home / ".thunderbird" / "profiles.ini").write_bytes(b"[Profile0\nPath=x\n")
    broken = installer.addon_findings(target)
    assert any(f.level == "warn" and "cannot be read" in f.message for f in broken)


def test_install_check_exit_status_follows_the_profile_checks(tmp_path):
    home = tmp_path / "home"
    assert cli(home, "install").returncode == 0
    make_profile(home / ".thunderbird", "p.default", None)
    r = cli(home, "install", "--check")
    assert r.returncode == 1 and "FAIL  the Trackless add-on is in none" in r.stdout
    assert cli(home, "install", "--check", "--no-addon").returncode == 0
    make_profile(home / ".thunderbird", "q.default", EXTENSION_ID, __version__)
    r = cli(home, "install", "--check")
    assert r.returncode == 0 and "Trackless is ready." in r.stdout, r.stdout


# -- macOS end to end through the commands, with a fake HOME -------------------


def test_macos_install_check_uninstall_through_the_commands_in_a_fake_home(tmp_path, capsys):
    from trackless.commands import uninstall as uninstall_cmd

    home = tmp_path / "Users" / "me"
    (home / "Library").mkdir(parents=True)
    target = Target("darwin", home, receipt=home / "Library" / "Application Support" / "trackless" / "install-receipt.json")
    host = _fake_venv(tmp_path)
    bin_dir = home / ".local" / "bin"
    args = Namespace(check=False, extension_id=EXTENSION_ID, bin_dir=bin_dir, no_addon=False)
    assert install_cmd.run(args, target=target, launcher=host) == 0
    out = capsys.readouterr().out
    for where in ("Library/Application Support/Mozilla/NativeMessagingHosts/trackless.json",
                  "Library/Mozilla/NativeMessagingHosts/trackless.json", ".local/bin/trackless"):
        assert str(home / where) in out
    # no profile yet: a warning, not a failure (the ping is real: the fake host gives no reply, so stub it)
    fake_ping = lambda *a: ({"id": 1, "ok": True, "result": {"protocol": 1, "version": __version__}}, "")  # noqa: E731
    findings = check(target, ping=fake_ping)
    assert [f.level for f in findings] == ["ok"] * 5 + ["warn"] and "Library/Thunderbird/profiles.ini" in findings[-1].message
    make_profile(home / "Library" / "Thunderbird", "Profiles/x.default", EXTENSION_ID, "0.0.9")
    assert any(f.level == "fail" and "version 0.0.9" in f.message for f in check(target, ping=fake_ping))
    assert uninstall_cmd.run(Namespace(), target=target) == 0
    assert not (home / ".local").exists() and not (home / "Library" / "Mozilla").exists()
    assert not (home / "Library" / "Application Support" / "Mozilla").exists() and not target.receipt.exists()
    assert (home / "Library" / "Thunderbird").is_dir()


def test_unreadable_add_on_files_give_a_warning_not_a_crash(tmp_path):
    import zipfile

    target = _linux_target(tmp_path)
    prof = make_profile(target.home / ".thunderbird", "p.default", EXTENSION_ID, __version__, enabled=None)
    xpi = prof / "extensions" / f"{EXTENSION_ID}.xpi"
    for content in (b"not a zip", None):
        if content is None:
            with zipfile.ZipFile(xpi, "w") as z:
                z.writestr("manifest.json", "{" + " " * (2 * 1024 * 1024) + "}")
        else:
            xpi.write_bytes(content)
        (finding,) = installer.addon_findings(target)
        assert finding.level == "warn" and "version cannot be read" in finding.message
