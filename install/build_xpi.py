#!/usr/bin/env python3
"""Build the Trackless add-on (.xpi) reproducibly from extension/.

- the version comes from host/trackless/version.py ``__version__`` (the one
  place it lives) and is written into the packaged manifest.json;
- files go in a fixed order (manifest.json first, then sorted paths), with a
  fixed timestamp (1980-01-01 00:00), fixed permissions and no compression
  (stored: deflate output depends on the zlib build, e.g. zlib-ng), so the
  same sources give the same bytes on any machine, whatever the files'
  times, the umask or the time zone.

Usage: python3 install/build_xpi.py [--out PATH] [--print-version]
Prints the path of the .xpi and its SHA-256.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extension"
VERSION_FILE = ROOT / "host" / "trackless" / "version.py"
GECKO_ID = "trackless@trackless.email"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
EXCLUDED_SUFFIXES = (".md",)


def read_version(path: Path = VERSION_FILE) -> str:
    """``__version__`` from version.py, read without importing the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets):
            value = ast.literal_eval(node.value)
            if not isinstance(value, str) or not value:
                break
            return value
    raise SystemExit(f"build_xpi: no __version__ string in {path}")


def source_files(root: Path = EXTENSION) -> list[Path]:
    files = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if not p.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if p.name.endswith(EXCLUDED_SUFFIXES) or "__pycache__" in rel.parts:
            continue
        files.append(rel)
    files.sort(key=lambda r: (r.as_posix() != "manifest.json", r.as_posix()))
    return files


def manifest_bytes(version: str, root: Path = EXTENSION) -> bytes:
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if manifest["browser_specific_settings"]["gecko"]["id"] != GECKO_ID:
        raise SystemExit("build_xpi: manifest gecko id is not " + GECKO_ID)
    manifest["version"] = version
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def build(out: Path, version: str | None = None, root: Path = EXTENSION) -> Path:
    version = version or read_version()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        for rel in source_files(root):
            name = rel.as_posix()
            data = manifest_bytes(version, root) if name == "manifest.json" else (root / rel).read_bytes()
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever the build machine
            z.writestr(info, data, compress_type=zipfile.ZIP_STORED)
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="output path (default: dist/trackless-<version>.xpi)")
    parser.add_argument("--print-version", action="store_true", help="print the version and exit")
    args = parser.parse_args(argv)
    version = read_version()
    if args.print_version:
        print(version)
        return 0
    out = args.out or ROOT / "dist" / f"trackless-{version}.xpi"
    build(out, version)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"{out}\nsha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
