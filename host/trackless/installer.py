"""Register the native-messaging host with Thunderbird, per OS, and diagnose it.

The manifest (Thunderbird reads the same places as Firefox)::

    {"name": "trackless", "description": "...", "path": "<absolute path of trackless-host>",
     "type": "stdio", "allowed_extensions": ["trackless@trackless.email", "trackless@trackless.example"]}

(the second id is the add-on's id before 0.1.0, kept so an add-on installed
under it keeps working until it is replaced).

Where it goes:

- Linux: ``~/.mozilla/native-messaging-hosts/trackless.json``
- macOS: ``~/Library/Application Support/Mozilla/NativeMessagingHosts/trackless.json``
  and ``~/Library/Mozilla/NativeMessagingHosts/trackless.json`` (some builds read the latter)
- Windows: ``<user data dir>\\trackless.json`` plus the registry key
  ``HKCU\\Software\\Mozilla\\NativeMessagingHosts\\trackless`` whose default
  value is the manifest's full path.

What ``install`` wrote (files, directories it created, registry key, the
``trackless`` link on PATH) is recorded in ``<config dir>/install-receipt.json``;
``uninstall`` removes exactly that, and only entries that are what install
writes (a receipt is a file on disk: a path in it is never trusted alone). Every effect (home, platform, registry module, process
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
EXTENSION_ID = "trackless@trackless.email"
#: Ids the add-on had before; still allowed in the native manifest so existing installs keep working.
LEGACY_EXTENSION_IDS = ("trackless@trackless.example",)
#: The host's name: matches ``^\w+(\.\w+)*$`` and the manifest's file name.
HOST_NAME = "trackless"
DESCRIPTION = "Trackless mail-tracking blocker: local helper that sanitizes mail HTML"
REGISTRY_KEY = r"Software\Mozilla\NativeMessagingHosts" + "\\" + HOST_NAME
RECEIPT_FILE = "install-receipt.json"
#: Where Thunderbird on Linux reads system-wide manifests (``make install``), relative to the root.
SYSTEM_MANIFEST_DIRS_LINUX = ("usr/lib/mozilla/native-messaging-hosts", "usr/lib64/mozilla/native-messaging-hosts")
LAUNCHER = "trackless-host"
COMMAND = "trackless"


@dataclass(frozen=True)
class Target:
    """Where to install: ``system`` is "linux", "darwin" or "windows"."""

    system: str
    home: Path
    windows_dir: Path | None = None  # Windows: folder of the manifest (and of a .bat wrapper)
    receipt: Path | None = None  # where the receipt is kept
    appdata: Path | None = None  # Windows: %APPDATA% (Thunderbird's profiles); default home/AppData/Roaming


def current_target(env=None) -> Target:
    from .paths import config_dir

    system = {"win32": "windows", "darwin": "darwin"}.get(sys.platform, "linux")
    windows_dir = appdata = None
    if system == "windows":  # pragma: no cover - Windows only
        import platformdirs

        windows_dir = Path(platformdirs.user_data_dir("trackless", appauthor=False))
        appdata = Path(os.environ["APPDATA"]) if os.environ.get("APPDATA") else None
    return Target(system=system, home=Path.home(), windows_dir=windows_dir, receipt=config_dir(env) / RECEIPT_FILE, appdata=appdata)


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
    links: tuple[str, ...] = ()  # the ``trackless`` command linked into a bin directory

    def to_dict(self) -> dict:
        return {"files": list(self.files), "dirs": list(self.dirs), "registry": list(self.registry), "links": list(self.links)}


def manifest(host_path: Path | str, extension_id: str = EXTENSION_ID) -> dict:
    allowed = [extension_id] + [i for i in LEGACY_EXTENSION_IDS if extension_id == EXTENSION_ID and i != extension_id]
    return {
        "name": HOST_NAME,
        "description": DESCRIPTION,
        "path": str(host_path),
        "type": "stdio",
        "allowed_extensions": allowed,
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
        fields = [tuple(str(x) for x in raw.get(k, ()) if isinstance(x, str)) for k in ("files", "dirs", "registry", "links")]
        return Receipt(*fields)
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
    bin_dir: Path | None = None,
) -> Receipt:
    """Write the manifest(s) (and the Windows registry key); return and record what was written.

    With ``bin_dir`` (Linux/macOS), also link ``bin_dir/trackless`` to the
    ``trackless`` command beside the launcher, so it is on PATH; an existing
    file there that is not such a link is left alone (``FileExistsError``).
    """
    old = _read_receipt(target.receipt)
    files, dirs, keys, links = list(old.files), list(old.dirs), list(old.registry), list(old.links)

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
    if bin_dir is not None:
        command = Path(host_path).absolute().with_name(COMMAND)
        if not command.is_file():
            raise FileNotFoundError(f"cannot find the {COMMAND} command beside {host_path}")
        link = Path(bin_dir).absolute() / COMMAND
        if (link.exists() or link.is_symlink()) and not _is_our_link(link):
            raise FileExistsError(f"{link} exists and is not a link to a trackless command; remove it or pass another --bin-dir")
        for d in _mkdirs(link.parent):
            note(dirs, d)
        tmp = link.with_name("." + COMMAND + ".tmp-link")
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(command)
        os.replace(tmp, link)
        note(links, str(link))
    receipt = Receipt(tuple(files), tuple(dirs), tuple(keys), tuple(links))
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


def _is_our_link(path: Path) -> bool:
    """A symlink named ``trackless`` to a ``trackless`` command that has a ``trackless-host`` beside it."""
    if not path.is_symlink() or path.name != COMMAND:
        return False
    dest = Path(os.path.realpath(path))
    return dest.name == COMMAND and (dest.parent / LAUNCHER).exists()


def _is_our_wrapper(path: Path, manifests: list[Path]) -> bool:
    """The Windows ``trackless-host.bat`` install writes beside the manifest, with the content it writes."""
    if path.name != LAUNCHER + ".bat" or path.parent not in {m.parent for m in manifests}:
        return False
    try:
        text = path.read_bytes()[:4096].decode("utf-8", errors="replace")
    except OSError:
        return False
    return text.startswith("@echo off\r\n") and text.rstrip().endswith("-m trackless.native.main %*")


def _created_dir_allowed(d: Path, written: list[Path]) -> bool:
    """A directory install may have created: an ancestor of something it writes, inside the home or its folders."""
    return any(d in w.parents for w in written)


def uninstall(target: Target, *, winreg=None) -> list[str]:
    """Remove what ``install`` recorded (or, without a receipt, our manifests at the known places).

    Returns what was removed. Each receipt entry is checked against what
    install writes before anything is removed: manifests only at the places
    ``manifest_paths`` names and only while they are still our manifest; the
    Windows wrapper only beside the manifest with the content install wrote;
    links only when they are a link to a trackless command; directories only
    when they are ancestors of those, were created by install and are empty;
    registry keys only ``REGISTRY_KEY``. Anything else in the receipt is left
    alone (a receipt is a file: it could have been edited).
    """
    receipt = _read_receipt(target.receipt)
    manifests = [p.absolute() for p in manifest_paths(target)]
    files = list(receipt.files) or [str(p) for p in manifests]
    keys = [k for k in receipt.registry if k == REGISTRY_KEY] or ([REGISTRY_KEY] if target.system == "windows" else [])
    removed = []
    written: list[Path] = list(manifests)
    for f in files:
        p = Path(f)
        if not p.is_absolute() or p.is_symlink() or not p.is_file():
            continue
        if (p in manifests and _is_our_manifest(p)) or _is_our_wrapper(p, manifests):
            p.unlink()
            removed.append(f)
    for f in receipt.links:
        p = Path(f)
        if p.is_absolute() and _is_our_link(p):
            p.unlink()
            removed.append(f)
            written.append(p)
    if keys:
        if winreg is None:  # pragma: no cover - Windows only
            import winreg
        for k in keys:
            value = _registry_value(winreg, k)
            if value is not None and Path(value).name == HOST_NAME + ".json":
                winreg.DeleteKey(winreg.HKEY_CURRENT_USER, k)
                removed.append("HKCU\\" + k)
    for d in sorted(receipt.dirs, key=len, reverse=True):
        if not os.path.isabs(d) or not _created_dir_allowed(Path(d), written) or Path(d).is_symlink():
            continue
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
    addon: bool = True,
) -> list[Finding]:
    """Diagnose the installation; a "fail" finding means Thunderbird cannot use the host.

    Every finding that is not "ok" says how to fix it. ``addon=False`` skips
    the Thunderbird profiles (install.sh checks before the add-on is installed).
    """
    from .version import PROTOCOL_VERSION

    out: list[Finding] = []
    expected_name = HOST_NAME + ".json"
    pinged = False
    paths = manifest_paths(target)
    if target.system == "linux" and not any(p.is_file() for p in paths):
        system = [root / d / (HOST_NAME + ".json") for d in SYSTEM_MANIFEST_DIRS_LINUX]
        if any(p.is_file() for p in system):  # a system-wide install (make install): no per-user manifest needed
            paths = [p for p in system if p.is_file()]
            out.append(Finding("ok", f"no per-user manifest; using the system-wide one{'s' if len(paths) > 1 else ''}"))
    for path in paths:
        if not path.is_file():
            out.append(Finding("fail", f"no manifest at {path} (run 'trackless install')"))
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            out.append(Finding("fail", f"{path} is not valid JSON: {exc} (fix: run 'trackless install')"))
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
            out.append(Finding("fail", f"{path}: " + "; ".join(problems) + " (fix: run 'trackless install')"))
            continue
        out.append(Finding("ok", f"manifest {path}"))
        if not os.path.isfile(host):
            out.append(Finding("fail", f"the host {host} named in {path} does not exist (run 'trackless install' again)"))
            continue
        if target.system != "windows" and not os.access(host, os.X_OK):
            out.append(Finding("fail", f"the host {host} is not executable (fix: chmod +x it, or run install/install.sh again)"))
            continue
        out.append(Finding("ok", f"host {host} is executable"))
        if pinged:
            continue
        pinged = True
        reply, problem = ping(host, str(path), extension_id)
        res = (reply or {}).get("result") or {}
        if reply is None or not reply.get("ok"):
            out.append(Finding("fail", f"the host does not answer ping: {problem or reply} (fix: run install/install.sh again; TRACKLESS_DEBUG=1 trackless-host shows errors)"))
        elif res.get("protocol") != PROTOCOL_VERSION:
            out.append(Finding("fail", f"the host speaks protocol {res.get('protocol')}, this add-on needs {PROTOCOL_VERSION} (fix: run install/install.sh again from the add-on's checkout)"))
        elif problem:
            out.append(Finding("fail", f"ping answered, but {problem} (fix: run install/install.sh again)"))
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
            out.append(Finding("fail", f"HKCU\\{REGISTRY_KEY} points to {value}, not {want} (fix: run 'trackless install')"))
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
    if addon:
        out.extend(addon_findings(target, extension_id))
    return out


_INSTALL_ADDON = ("in Thunderbird: Tools > Add-ons and Themes, the gear button, 'Install Add-on From File...', "
                  "and choose the .xpi built by install/build_xpi.py")


def _same_protocol(addon_version: str, helper_version: str) -> bool:
    """The add-on and the helper share one version number; the protocol changes only with major.minor."""
    return addon_version.split(".")[:2] == helper_version.split(".")[:2]


def addon_findings(target: Target, extension_id: str = EXTENSION_ID) -> list[Finding]:
    """One finding per Thunderbird profile: is the add-on there, enabled, and of a version that speaks this helper's protocol."""
    from .profiles import addon_state, find_profiles, profile_roots
    from .version import PROTOCOL_VERSION, __version__

    roots = profile_roots(target.system, target.home, target.appdata)
    profiles, problems = find_profiles(roots)
    out = [Finding("warn", f"{p} (fix: start Thunderbird once so it rewrites it)") for p in problems]
    if not profiles:
        where = " or ".join(str(r / "profiles.ini") for r, sandbox in roots if not sandbox)
        out.append(Finding("warn", f"no Thunderbird profile found ({where} is missing); fix: start Thunderbird once, then {_INSTALL_ADDON}"))
        return out
    ids = (extension_id,) + tuple(i for i in LEGACY_EXTENSION_IDS if i != extension_id)
    found_any = False
    for prof in profiles:
        label = f"profile {prof.name!r} ({prof.path})"
        if prof.sandbox:
            label += f" of the {prof.sandbox.capitalize()} Thunderbird"
        if not prof.path.is_dir():
            out.append(Finding("warn", f"{label} is listed in profiles.ini but its folder is missing (fix: remove it in Thunderbird's Profile Manager, thunderbird -P)"))
            continue
        state = addon_state(prof.path, ids)
        if state.addon_id is None:
            out.append(Finding("warn", f"{label}: the Trackless add-on is not installed (fix: {_INSTALL_ADDON})"))
            continue
        found_any = True
        version = state.version or "?"
        if state.addon_id != extension_id:
            out.append(Finding("warn", f"{label}: the add-on is installed under its old id {state.addon_id} (fix: install the new .xpi, then remove the old add-on)"))
        if state.enabled is False:
            out.append(Finding("fail", f"{label}: the add-on {version} is disabled (fix: enable it in Tools > Add-ons and Themes)"))
        elif state.version is None:
            out.append(Finding("warn", f"{label}: the add-on is installed but its version cannot be read (fix: {_INSTALL_ADDON})"))
        elif not _same_protocol(state.version, __version__):
            out.append(Finding("fail", f"{label}: the add-on is version {version}, the helper {__version__} (protocol {PROTOCOL_VERSION}); "
                                       f"fix: rebuild the add-on from this checkout (python3 install/build_xpi.py) and install it again"))
        else:
            out.append(Finding("ok", f"{label}: add-on {version} installed" + (", enabled" if state.enabled else "")
                               + f" (helper {__version__}, protocol {PROTOCOL_VERSION})"))
    if not found_any:
        out.append(Finding("fail", f"the Trackless add-on is in none of the {len(profiles)} Thunderbird profile(s) (fix: {_INSTALL_ADDON})"))
    return out
