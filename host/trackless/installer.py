"""Register the native-messaging host with Thunderbird, per OS, and diagnose it.

The manifest (Thunderbird reads the same places as Firefox)::

    {"name": "trackless", "description": "...", "path": "<absolute path of trackless-host>",
     "type": "stdio", "allowed_extensions": ["trackless@trackless.example"]}

Where it goes:

- Linux: ``~/.mozilla/native-messaging-hosts/trackless.json``
- macOS: ``~/Library/Application Support/Mozilla/NativeMessagingHosts/trackless.json``
  and ``~/Library/Mozilla/NativeMessagingHosts/trackless.json`` (some builds read the latter)
- Windows: ``<user data dir>\\trackless.json`` plus the registry key
  ``HKCU\\Software\\Mozilla\\NativeMessagingHosts\\trackless`` whose default
  value is the manifest's full path.

What ``install`` wrote (files, directories it created, registry key) is
recorded in ``<config dir>/install-receipt.json``; ``uninstall`` removes
exactly that. Every effect (home, platform, registry module, process
spawning, file probes) is a parameter so each OS path is unit-testable on Linux.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EXTENSION_ID", "HOST_NAME", "DESCRIPTION", "REGISTRY_KEY", "Target", "Finding", "Receipt",
    "manifest", "manifest_paths", "find_launcher", "install", "uninstall", "check",
    "detect_sandboxed_thunderbird", "ping_host", "current_target",
]

#: The add-on's gecko id (``browser_specific_settings.gecko.id`` of the extension manifest).
EXTENSION_ID = "trackless@trackless.example"
#: The host's name: matches ``^\w+(\.\w+)*$`` and the manifest's file name.
HOST_NAME = "trackless"
DESCRIPTION = "Trackless mail-tracking blocker: local helper that sanitizes mail HTML"
REGISTRY_KEY = r"Software\Mozilla\NativeMessagingHosts" + "\\" + HOST_NAME
RECEIPT_FILE = "install-receipt.json"
LAUNCHER = "trackless-host"


@dataclass(frozen=True)
class Target:
    """Where to install: ``system`` is "linux", "darwin" or "windows"."""

    system: str
    home: Path
    windows_dir: Path | None = None  # Windows: folder of the manifest (and of a .bat wrapper)
    receipt: Path | None = None  # where the receipt is kept


def current_target(env=None) -> Target:
    from .paths import config_dir

    system = {"win32": "windows", "darwin": "darwin"}.get(sys.platform, "linux")
    windows_dir = None
    if system == "windows":  # pragma: no cover - Windows only
        import platformdirs

        windows_dir = Path(platformdirs.user_data_dir("trackless", appauthor=False))
    return Target(system=system, home=Path.home(), windows_dir=windows_dir, receipt=config_dir(env) / RECEIPT_FILE)


@dataclass(frozen=True)
class Finding:
    """One line of ``install --check``: level is "ok", "warn" or "fail"."""

    level: str
    message: str


@dataclass(frozen=True)
class Receipt:
    files: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()  # directories install created (removed on uninstall if empty)
    registry: tuple[str, ...] = ()  # HKCU keys written

    def to_dict(self) -> dict:
        return {"files": list(self.files), "dirs": list(self.dirs), "registry": list(self.registry)}


def manifest(host_path: Path | str, extension_id: str = EXTENSION_ID) -> dict:
    return {
        "name": HOST_NAME,
        "description": DESCRIPTION,
        "path": str(host_path),
        "type": "stdio",
        "allowed_extensions": [extension_id],
    }


def manifest_paths(target: Target) -> list[Path]:
    name = HOST_NAME + ".json"
    if target.system == "linux":
        return [target.home / ".mozilla" / "native-messaging-hosts" / name]
    if target.system == "darwin":
        return [
            target.home / "Library" / "Application Support" / "Mozilla" / "NativeMessagingHosts" / name,
            target.home / "Library" / "Mozilla" / "NativeMessagingHosts" / name,
        ]
    if target.system == "windows":
        if target.windows_dir is None:
            raise ValueError("windows_dir is required on Windows")
        return [target.windows_dir / name]
    raise ValueError(f"unsupported system {target.system!r}")


def find_launcher(
    system: str,
    *,
    executable: str = sys.executable,
    scripts_dir: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> Path | None:
    """The absolute path of the ``trackless-host`` launcher of this installation, or None."""
    names = [LAUNCHER + ".exe", LAUNCHER + ".bat", LAUNCHER + ".cmd"] if system == "windows" else [LAUNCHER]
    folders = []
    if scripts_dir is None:
        try:
            scripts_dir = sysconfig.get_path("scripts")
        except KeyError:  # pragma: no cover
            scripts_dir = None
    if scripts_dir:
        folders.append(Path(scripts_dir))
    folders.append(Path(executable).absolute().parent)
    for folder in folders:
        for name in names:
            cand = folder / name
            if cand.is_file() and (system == "windows" or os.access(cand, os.X_OK)):
                return cand.absolute()
    found = which(LAUNCHER)
    if found:
        return Path(found).absolute()
    return None


def _windows_wrapper(folder: Path, executable: str) -> str:
    # A .bat wrapper when no trackless-host.exe exists (pip normally makes one).
    return f'@echo off\r\n"{executable}" -m trackless.native.main %*\r\n'


def _read_receipt(path: Path | None) -> Receipt:
    if path is None or not path.is_file():
        return Receipt()
    try:
        raw = json.loads(path.read_text("utf-8"))
        return Receipt(tuple(raw.get("files", ())), tuple(raw.get("dirs", ())), tuple(raw.get("registry", ())))
    except (OSError, ValueError, AttributeError, TypeError):
        return Receipt()


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _mkdirs(folder: Path) -> list[str]:
    """Create ``folder`` and missing parents; return the ones created (outermost first)."""
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    folder.mkdir(parents=True, exist_ok=True)
    return [str(p) for p in reversed(missing)]


def install(
    target: Target,
    host_path: Path | None,
    *,
    extension_id: str = EXTENSION_ID,
    winreg=None,
    executable: str = sys.executable,
) -> Receipt:
    """Write the manifest(s) (and the Windows registry key); return and record what was written."""
    old = _read_receipt(target.receipt)
    files, dirs, keys = list(old.files), list(old.dirs), list(old.registry)

    def note(lst, item):
        if item not in lst:
            lst.append(item)

    paths = manifest_paths(target)
    if host_path is None and target.system == "windows":
        folder = paths[0].parent
        for d in _mkdirs(folder):
            note(dirs, d)
        host_path = folder / (LAUNCHER + ".bat")
        host_path.write_text(_windows_wrapper(folder, executable), encoding="utf-8", newline="")
        note(files, str(host_path))
    if host_path is None:
        raise FileNotFoundError(f"cannot find the {LAUNCHER} launcher; reinstall the trackless package")
    data = manifest(Path(host_path).absolute(), extension_id)
    for path in paths:
        for d in _mkdirs(path.parent):
            note(dirs, d)
        _write_json(path, data)
        note(files, str(path))
    if target.system == "windows":
        if winreg is None:  # pragma: no cover - Windows only
            import winreg
        key = winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, REGISTRY_KEY, 0, winreg.KEY_WRITE)
        try:
            winreg.SetValueEx(key, "", 0, winreg.REG_SZ, str(paths[0]))
        finally:
            winreg.CloseKey(key)
        note(keys, REGISTRY_KEY)
    receipt = Receipt(tuple(files), tuple(dirs), tuple(keys))
    if target.receipt is not None:
        target.receipt.parent.mkdir(parents=True, exist_ok=True)
        _write_json(target.receipt, receipt.to_dict())
    return receipt


def _is_our_manifest(path: Path) -> bool:
    try:
        return json.loads(path.read_text("utf-8")).get("name") == HOST_NAME
    except (OSError, ValueError, AttributeError):
        return False


def _registry_value(winreg, key_path: str) -> str | None:
    try:
        key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, key_path, 0, winreg.KEY_READ)
    except OSError:
        return None
    try:
        return winreg.QueryValueEx(key, "")[0]
    except OSError:
        return None
    finally:
        winreg.CloseKey(key)


def uninstall(target: Target, *, winreg=None) -> list[str]:
    """Remove what ``install`` recorded (or, without a receipt, our manifests at the known places).

    Returns what was removed. Files that are no longer our manifest are left alone;
    directories are removed only if install created them and they are empty.
    """
    receipt = _read_receipt(target.receipt)
    files = list(receipt.files) or [str(p) for p in manifest_paths(target)]
    keys = list(receipt.registry) or ([REGISTRY_KEY] if target.system == "windows" else [])
    removed = []
    for f in files:
        p = Path(f)
        if p.is_file() and (p.suffix == ".bat" or _is_our_manifest(p)):
            p.unlink()
            removed.append(f)
    if keys:
        if winreg is None:  # pragma: no cover - Windows only
            import winreg
        for k in keys:
            value = _registry_value(winreg, k)
            if value is not None and Path(value).name == HOST_NAME + ".json":
                winreg.DeleteKey(winreg.HKEY_CURRENT_USER, k)
                removed.append("HKCU\\" + k)
    for d in sorted(receipt.dirs, key=len, reverse=True):
        try:
            os.rmdir(d)
            removed.append(d)
        except OSError:
            pass  # not empty (or gone): leave it
    if target.receipt is not None and target.receipt.is_file():
        target.receipt.unlink()
    return removed


# -- diagnosis ----------------------------------------------------------------

SNAP_TB = "Thunderbird from Snap cannot start native helpers (its sandbox does not run programs from your home folder), so Trackless cannot work with it. Install Thunderbird from your distribution's package (.deb/.rpm) or from thunderbird.net instead."
FLATPAK_TB = "Thunderbird from Flatpak cannot start native helpers outside its sandbox, so Trackless cannot work with it. Install Thunderbird from your distribution's package (.deb/.rpm) or from thunderbird.net instead."


def detect_sandboxed_thunderbird(home: Path, root: Path = Path("/"), which: Callable[[str], str | None] = shutil.which) -> dict:
    """Which Thunderbirds are installed: {"snap": [...], "flatpak": [...], "native": [...]} (paths found)."""
    found: dict[str, list[str]] = {"snap": [], "flatpak": [], "native": []}
    for p in (root / "snap" / "bin" / "thunderbird", root / "snap" / "thunderbird"):
        if p.exists():
            found["snap"].append(str(p))
    for app in ("org.mozilla.Thunderbird", "net.thunderbird.Thunderbird"):
        for base in (root / "var" / "lib" / "flatpak" / "app", home / ".local" / "share" / "flatpak" / "app"):
            if (base / app).exists():
                found["flatpak"].append(str(base / app))
    candidates = [root / "usr" / "bin" / "thunderbird", root / "usr" / "local" / "bin" / "thunderbird", root / "opt" / "thunderbird" / "thunderbird"]
    w = which("thunderbird")
    if w and root == Path("/"):
        candidates.append(Path(w))
    for p in candidates:
        if not p.is_file() or str(p) in found["native"]:
            continue
        real = os.path.realpath(p)
        if "/snap/" in real:
            found["snap"].append(str(p))
            continue
        try:
            with open(p, "rb") as fh:
                head = fh.read(8192)
        except OSError:
            head = b""
        if head.startswith(b"#!") and b"/snap/" in head:  # Ubuntu's transitional wrapper runs the snap
            found["snap"].append(str(p))
        elif head.startswith(b"#!") and b"flatpak run" in head:
            found["flatpak"].append(str(p))
        else:
            found["native"].append(str(p))
    for k in found:
        found[k] = list(dict.fromkeys(found[k]))
    return found


def ping_host(host_path: str, manifest_path: str, extension_id: str, timeout: float = 10.0) -> tuple[dict | None, str]:
    """Start the host exactly as Thunderbird does and send one ping; returns (reply, problem)."""
    import struct

    body = json.dumps({"id": 1, "action": "ping"}).encode("utf-8")
    try:
        proc = subprocess.Popen(
            [host_path, manifest_path, extension_id],
            cwd=str(Path(host_path).parent),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        return None, f"cannot start {host_path}: {exc.strerror or exc}"
    box: dict = {}

    def talk():
        try:
            proc.stdin.write(struct.pack("=I", len(body)) + body)
            proc.stdin.flush()
            head = proc.stdout.read(4)
            if len(head) == 4:
                box["reply"] = proc.stdout.read(struct.unpack("=I", head)[0])
            proc.stdin.close()
            box["rest"] = proc.stdout.read()
        except OSError as exc:
            box["error"] = str(exc)

    t = threading.Thread(target=talk, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        proc.kill()
        proc.wait()
        return None, f"the host did not answer a ping within {timeout:g} s"
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None, "the host did not exit at end of input"
    err = proc.stderr.read().decode("utf-8", "replace").strip()
    if "reply" not in box:
        return None, f"the host gave no reply (exit status {code}){': ' + err[-500:] if err else ''}"
    try:
        reply = json.loads(box["reply"].decode("utf-8"))
    except ValueError:
        return None, "the host's reply is not JSON"
    if box.get("rest"):
        return reply, "the host wrote extra bytes after its reply"
    if code != 0:
        return reply, f"the host exited with status {code} at end of input"
    return reply, ""


def check(
    target: Target,
    *,
    extension_id: str = EXTENSION_ID,
    winreg=None,
    root: Path = Path("/"),
    which: Callable[[str], str | None] = shutil.which,
    ping: Callable = ping_host,
) -> list[Finding]:
    """Diagnose the installation; a "fail" finding means Thunderbird cannot use the host."""
    from .version import PROTOCOL_VERSION

    out: list[Finding] = []
    expected_name = HOST_NAME + ".json"
    pinged = False
    for path in manifest_paths(target):
        if not path.is_file():
            out.append(Finding("fail", f"no manifest at {path} (run 'trackless install')"))
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            out.append(Finding("fail", f"{path} is not valid JSON: {exc}"))
            continue
        problems = []
        if not isinstance(data, dict):
            data, problems = {}, ["not a JSON object"]
        if data.get("name") != HOST_NAME or path.name != expected_name:
            problems.append(f"'name' must be {HOST_NAME!r} and match the file name")
        if data.get("type") != "stdio":
            problems.append("'type' must be 'stdio'")
        if extension_id not in (data.get("allowed_extensions") or []):
            problems.append(f"'allowed_extensions' does not contain {extension_id}")
        host = data.get("path")
        if not isinstance(host, str) or not (os.path.isabs(host) or target.system == "windows"):
            problems.append("'path' must be an absolute path")
        if problems:
            out.append(Finding("fail", f"{path}: " + "; ".join(problems)))
            continue
        out.append(Finding("ok", f"manifest {path}"))
        if not os.path.isfile(host):
            out.append(Finding("fail", f"the host {host} named in {path} does not exist (run 'trackless install' again)"))
            continue
        if target.system != "windows" and not os.access(host, os.X_OK):
            out.append(Finding("fail", f"the host {host} is not executable"))
            continue
        out.append(Finding("ok", f"host {host} is executable"))
        if pinged:
            continue
        pinged = True
        reply, problem = ping(host, str(path), extension_id)
        res = (reply or {}).get("result") or {}
        if reply is None or not reply.get("ok"):
            out.append(Finding("fail", f"the host does not answer ping: {problem or reply}"))
        elif res.get("protocol") != PROTOCOL_VERSION:
            out.append(Finding("fail", f"the host speaks protocol {res.get('protocol')}, this add-on needs {PROTOCOL_VERSION}"))
        elif problem:
            out.append(Finding("fail", f"ping answered, but {problem}"))
        else:
            out.append(Finding("ok", f"the host answers ping (trackless {res.get('version')}, protocol {res.get('protocol')})"))
    if target.system == "windows":
        if winreg is None:  # pragma: no cover - Windows only
            import winreg
        value = _registry_value(winreg, REGISTRY_KEY)
        want = str(manifest_paths(target)[0])
        if value is None:
            out.append(Finding("fail", f"registry key HKCU\\{REGISTRY_KEY} is missing (run 'trackless install')"))
        elif os.path.normcase(value) != os.path.normcase(want):
            out.append(Finding("fail", f"HKCU\\{REGISTRY_KEY} points to {value}, not {want}"))
        else:
            out.append(Finding("ok", f"registry HKCU\\{REGISTRY_KEY} -> {value}"))
    if target.system == "linux":
        tb = detect_sandboxed_thunderbird(target.home, root, which)
        sandboxed = [(SNAP_TB, p) for p in tb["snap"]] + [(FLATPAK_TB, p) for p in tb["flatpak"]]
        level = "warn" if tb["native"] else "fail"
        for text, p in sandboxed:
            out.append(Finding(level, f"{p}: {text}"))
        if sandboxed and tb["native"]:
            out.append(Finding("ok", f"a non-sandboxed Thunderbird is installed too: {', '.join(tb['native'])} (use that one)"))
        if not sandboxed and tb["native"]:
            out.append(Finding("ok", f"Thunderbird found: {', '.join(tb['native'])}"))
        if not sandboxed and not tb["native"]:
            out.append(Finding("warn", "no Thunderbird found in the usual places (fine if it is installed elsewhere)"))
    return out
