"""Thunderbird profiles on this machine and the Trackless add-on in each (for ``install --check``).

Where Thunderbird keeps ``profiles.ini``:

- Linux: ``~/.thunderbird``; the Snap build ``~/snap/thunderbird/common/.thunderbird``;
  the Flatpak build ``~/.var/app/org.mozilla.Thunderbird/.thunderbird``
- macOS: ``~/Library/Thunderbird``
- Windows: ``%APPDATA%\\Thunderbird``

In a profile, an add-on installed from a file is ``extensions/<id>.xpi``
(an unpacked add-on: ``extensions/<id>/``); ``extensions.json`` lists every
add-on with its version and whether it is enabled. Only files are read: the
home folder and the Windows APPDATA folder are parameters, so every system's
layout is testable on Linux.
"""

from __future__ import annotations

import configparser
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Profile", "AddonState", "profile_roots", "find_profiles", "addon_state"]

_MAX_MANIFEST = 1024 * 1024  # an add-on's manifest.json is a few KB
_MAX_JSON = 32 * 1024 * 1024  # extensions.json of a profile with very many add-ons stays far below


@dataclass(frozen=True)
class Profile:
    """One profile: its name in profiles.ini, its folder, and which build it belongs to ("", "snap", "flatpak")."""

    name: str
    path: Path
    sandbox: str = ""


@dataclass(frozen=True)
class AddonState:
    """The add-on in one profile: the id found (None: not installed), its version, whether it is enabled."""

    addon_id: str | None
    version: str | None = None
    enabled: bool | None = None  # None: not known (no extensions.json entry yet, e.g. Thunderbird not started since)


def profile_roots(system: str, home: Path, appdata: Path | None = None) -> list[tuple[Path, str]]:
    """(folder holding profiles.ini, sandbox kind) for each place Thunderbird keeps profiles on ``system``."""
    if system == "linux":
        return [
            (home / ".thunderbird", ""),
            (home / "snap" / "thunderbird" / "common" / ".thunderbird", "snap"),
            (home / ".var" / "app" / "org.mozilla.Thunderbird" / ".thunderbird", "flatpak"),
            (home / ".var" / "app" / "net.thunderbird.Thunderbird" / ".thunderbird", "flatpak"),
        ]
    if system == "darwin":
        return [(home / "Library" / "Thunderbird", "")]
    if system == "windows":
        base = appdata if appdata is not None else home / "AppData" / "Roaming"
        return [(base / "Thunderbird", "")]
    raise ValueError(f"unsupported system {system!r}")


def find_profiles(roots: list[tuple[Path, str]]) -> tuple[list[Profile], list[str]]:
    """Profiles listed in each root's profiles.ini, and problems (unreadable files) in words."""
    profiles: list[Profile] = []
    problems: list[str] = []
    for root, sandbox in roots:
        ini = root / "profiles.ini"
        if not ini.is_file():
            continue
        parser = configparser.RawConfigParser(strict=False, interpolation=None)
        try:
            with open(ini, encoding="utf-8", errors="replace") as fh:
                parser.read_file(fh)
        except (OSError, configparser.Error) as exc:
            problems.append(f"{ini} cannot be read: {exc}")
            continue
        for section in parser.sections():
            if not section.lower().startswith("profile") or not parser.has_option(section, "Path"):
                continue
            raw = parser.get(section, "Path").strip()
            relative = parser.get(section, "IsRelative", fallback="1").strip() != "0"
            path = (root / raw) if relative else Path(raw)
            profiles.append(Profile(parser.get(section, "Name", fallback=section), path, sandbox))
    return profiles, problems


def _xpi_version(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as z:
            if z.getinfo("manifest.json").file_size > _MAX_MANIFEST:
                return None
            data = json.loads(z.read("manifest.json").decode("utf-8"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def _dir_version(path: Path) -> str | None:
    try:
        if (path / "manifest.json").stat().st_size > _MAX_MANIFEST:
            return None
        data = json.loads((path / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def _extensions_json(profile: Path) -> dict[str, dict]:
    path = profile / "extensions.json"
    try:
        if not path.is_file() or path.stat().st_size > _MAX_JSON:
            return {}
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    addons = data.get("addons") if isinstance(data, dict) else None
    return {a["id"]: a for a in addons or () if isinstance(a, dict) and isinstance(a.get("id"), str)}


def addon_state(profile: Path, ids: tuple[str, ...]) -> AddonState:
    """The first of ``ids`` installed in ``profile`` (files or extensions.json), with version and enabled state."""
    listed = _extensions_json(profile)
    for addon_id in ids:
        xpi, unpacked = profile / "extensions" / (addon_id + ".xpi"), profile / "extensions" / addon_id
        entry = listed.get(addon_id)
        version = None
        if xpi.is_file():
            version = _xpi_version(xpi)
        elif unpacked.is_dir():
            version = _dir_version(unpacked)
        elif entry is None:
            continue
        enabled = None
        if entry is not None:
            version = version or (entry.get("version") if isinstance(entry.get("version"), str) else None)
            enabled = bool(entry.get("active", not entry.get("userDisabled", False)))
        return AddonState(addon_id, version, enabled)
    return AddonState(None)
