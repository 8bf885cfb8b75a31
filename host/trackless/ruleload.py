"""Loading rule data files (TOML) shipped in ``trackless/rules``.

Every rule file is validated at load; a bad file raises ``RuleError`` naming
the file and the rule. Loaders cache their result once per process.
"""

from __future__ import annotations

import tomllib
from importlib import resources

from .errors import RuleError

__all__ = ["RuleError", "rule_files"]


def rule_files(subdir: str | None = None) -> list[tuple[str, dict]]:
    """Parse every ``*.toml`` in ``rules/`` (or ``rules/<subdir>/``), sorted by name."""
    base = resources.files("trackless").joinpath("rules")
    if subdir:
        base = base.joinpath(subdir)
    out = []
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        label = f"rules/{subdir + '/' if subdir else ''}{entry.name}"
        try:
            out.append((label, tomllib.loads(entry.read_text("utf-8"))))
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(f"{label}: {exc}") from exc
    return out
