"""One company, one name: tracker, wrapper and CNAME rules name vendors alike,
so reports and the popup do not split one company in two."""

import re

from trackless.core import trackers
from trackless.links import load_rules
from trackless.ruleload import rule_files


def _key(name: str) -> str:
    return re.sub(r"\s*\(.*?\)\s*", "", name).strip().lower()


def test_vendor_names_are_consistent_across_rule_sets():
    names = {r.vendor for r in trackers.load()[0]} | {r.vendor for r in trackers.load()[1] if r.vendor}
    names |= {r.vendor for r in load_rules().wrappers}
    names |= {r["vendor"] for _, data in rule_files() for r in data.get("cname", []) if "vendor" in r}
    by_key: dict[str, set[str]] = {}
    for n in names:
        by_key.setdefault(_key(n), set()).add(n)
    clashes = {k: v for k, v in by_key.items() if len(v) > 1}
    assert clashes == {}
