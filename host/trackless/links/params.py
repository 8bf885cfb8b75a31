"""Tracking-parameter cleaning: remove known tracking parameters, touch nothing else.

Only the query is edited, by string surgery: every kept parameter keeps its
place, its exact encoding and its separators; the fragment and everything
before the ``?`` are untouched. A segment that contains ``;`` is ambiguous
(``a=1;utm_source=x``: one parameter or two, depending on the server) and is
always kept whole. When every parameter goes, the ``?`` goes too.

Which names are tracking comes from ``rules/params.toml``: global families
(exact names and prefixes, matched case-insensitively), per-domain names
(matched exactly, for the host and its parent domains) and per-domain
exceptions (names or ``prefix*`` patterns a site needs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from .urls import Parts, split

__all__ = ["ParamRules", "clean", "host_suffixes"]


def host_suffixes(host: str):
    """``a.b.example.com`` -> itself, ``b.example.com``, ``example.com``, ``com``."""
    host = host.rstrip(".")
    yield host
    i = host.find(".")
    while i >= 0:
        host = host[i + 1 :]
        yield host
        i = host.find(".")


@dataclass(frozen=True)
class ParamRules:
    """Compiled tracking-parameter rules (see ``rules.compile_params``)."""

    exact: dict = field(default_factory=dict)        # lower name -> (family, rule id)
    prefixes: tuple = ()                             # (lower prefix, family, rule id, frozenset lower exceptions)
    domain_names: dict = field(default_factory=dict)  # domain -> {name: (family, rule id)}
    domain_keep: dict = field(default_factory=dict)   # domain -> ((exact lower names), (lower prefixes), rule id)

    def family_of(self, name: str, local: dict | None) -> tuple[str, str] | None:
        if local and name in local:
            return local[name]
        low = name.lower()
        hit = self.exact.get(low)
        if hit is not None:
            return hit
        for prefix, family, rule_id, not_tracking in self.prefixes:
            if low.startswith(prefix) and low not in not_tracking:
                return family, rule_id
        return None

    def local_rules(self, host: str) -> tuple[dict, list]:
        names: dict = {}
        keeps: list = []
        if not self.domain_names and not self.domain_keep:
            return names, keeps
        for suffix in host_suffixes(host):
            d = self.domain_names.get(suffix)
            if d:
                for k, v in d.items():
                    names.setdefault(k, v)
            k = self.domain_keep.get(suffix)
            if k:
                keeps.append(k)
        return names, keeps


def _kept_by_exception(low: str, keeps: list) -> bool:
    for exact, prefixes, _rule in keeps:
        if low in exact or any(low.startswith(p) for p in prefixes):
            return True
    return False


def clean(url: str, rules: ParamRules, parts: Parts | None = None):
    """(cleaned url, removed names in order, families and rule ids in order of first use)."""
    if parts is None:
        parts = split(url)
    if parts is None or not parts.query:
        return url, (), (), ()
    local, keeps = rules.local_rules(parts.host)
    kept: list[str] = []
    removed: list[str] = []
    families: list[str] = []
    rule_ids: list[str] = []
    for seg in parts.query.split("&"):
        raw_name = seg.partition("=")[0]
        if not raw_name or ";" in seg:
            kept.append(seg)
            continue
        name = unquote(raw_name) if "%" in raw_name else raw_name
        hit = rules.family_of(name, local)
        if hit is None or (keeps and _kept_by_exception(name.lower(), keeps)):
            kept.append(seg)
            continue
        removed.append(name)
        if hit[0] not in families:
            families.append(hit[0])
        if hit[1] not in rule_ids:
            rule_ids.append(hit[1])
    if not removed:
        return url, (), (), ()
    q_start = url.index("?")
    q_end = q_start + 1 + len(parts.query)
    new_query = "&".join(kept)
    if not new_query.strip("&"):
        new_query = ""
    head = url[:q_start] + ("?" + new_query if new_query else "")
    return head + url[q_end:], tuple(removed), tuple(families), tuple(rule_ids)
