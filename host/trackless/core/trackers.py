"""Tracker rules (data files) and matching a URL against them. Pure.

``rules/trackers.toml`` lists vendor hosts; ``rules/pixel_paths.toml`` lists
open-tracking path signatures. Both are validated at load (once per process).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from ..errors import RuleError
from ..ruleload import rule_files

__all__ = ["HostRule", "PathRule", "Match", "load", "match_host", "match_path"]


@dataclass(frozen=True)
class HostRule:
    id: str
    vendor: str
    hosts: tuple[str, ...]
    paths: tuple[re.Pattern, ...]
    source: str
    examples: tuple[dict, ...]


@dataclass(frozen=True)
class PathRule:
    id: str
    vendor: str | None
    pattern: re.Pattern
    source: str
    examples: tuple[dict, ...]


@dataclass(frozen=True)
class Match:
    """A rule that matched: its id, vendor, and whether it matched the host (else the path)."""

    rule: str
    vendor: str | None
    by_host: bool


def _req(label: str, rule: dict, key: str, typ):
    value = rule.get(key)
    if not isinstance(value, typ):
        raise RuleError(f"{label}: rule {rule.get('id', '?')!r}: '{key}' must be {typ.__name__}")
    return value


def _compile(label: str, rid: str, pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RuleError(f"{label}: rule {rid!r}: bad regex {pattern!r}: {exc}") from exc


def _examples(label: str, rid: str, raw) -> tuple[dict, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{label}: rule {rid!r}: needs at least one example")
    for ex in raw:
        if not isinstance(ex, dict) or not isinstance(ex.get("url"), str) or not isinstance(ex.get("tracker"), bool):
            raise RuleError(f"{label}: rule {rid!r}: each example needs url (str) and tracker (bool)")
    return tuple(raw)


@functools.lru_cache(maxsize=1)
def load() -> tuple[tuple[HostRule, ...], tuple[PathRule, ...]]:
    hosts: list[HostRule] = []
    paths: list[PathRule] = []
    seen: set[str] = set()
    for label, data in rule_files():
        for raw in data.get("tracker", []):
            rid = _req(label, raw, "id", str)
            if rid in seen:
                raise RuleError(f"{label}: duplicate rule id {rid!r}")
            seen.add(rid)
            host_list = _req(label, raw, "hosts", list)
            if not host_list or not all(isinstance(h, str) and h == h.lower() and h for h in host_list):
                raise RuleError(f"{label}: rule {rid!r}: 'hosts' must be non-empty lower-case strings")
            hosts.append(HostRule(
                rid, _req(label, raw, "vendor", str), tuple(host_list),
                tuple(_compile(label, rid, p) for p in raw.get("paths", [])),
                _req(label, raw, "source", str), _examples(label, rid, raw.get("examples")),
            ))
        for raw in data.get("path", []):
            rid = _req(label, raw, "id", str)
            if rid in seen:
                raise RuleError(f"{label}: duplicate rule id {rid!r}")
            seen.add(rid)
            paths.append(PathRule(
                rid, _req(label, raw, "vendor", str) or None,
                _compile(label, rid, _req(label, raw, "pattern", str)),
                _req(label, raw, "source", str), _examples(label, rid, raw.get("examples")),
            ))
    return tuple(hosts), tuple(paths)


@functools.lru_cache(maxsize=1)
def _host_index() -> dict[str, HostRule]:
    return {h: rule for rule in load()[0] for h in rule.hosts}


def match_host(host: str, path: str) -> Match | None:
    """The vendor rule for ``host`` (exact or a parent domain) whose paths fit."""
    index = _host_index()
    labels = host.lower().rstrip(".").split(".")
    for i in range(len(labels) - 1):
        rule = index.get(".".join(labels[i:]))
        if rule is not None:
            if not rule.paths or any(p.search(path) for p in rule.paths):
                return Match(rule.id, rule.vendor, True)
            return None
    return None


@functools.lru_cache(maxsize=1)
def _path_screen() -> re.Pattern:
    """All path signatures in one regex: most paths match none, and one search says so."""
    return re.compile("|".join(f"(?:{r.pattern.pattern})" for r in load()[1]), re.IGNORECASE)


def match_path(path: str) -> Match | None:
    if not _path_screen().search(path):
        return None
    for rule in load()[1]:
        if rule.pattern.search(path):
            return Match(rule.id, rule.vendor, False)
    return None


def match_url(url: str, parts: SplitResult | None = None) -> Match | None:
    """Host rules first, then path signatures (``parts``: ``urlsplit(url)`` if the caller has it)."""
    try:
        parts = parts or urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    return match_host(host, parts.path) or match_path(parts.path)
