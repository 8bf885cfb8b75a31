"""docs/report-schema.md lists exactly the fields of the JSON report, with their types."""

from __future__ import annotations

import json
import os
import re

from goldens import run_report

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "report-schema.md")
ROW = re.compile(r"^\| `([^`]+)` \| ([a-z|\\]+) \|")
TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", dict: "object", type(None): "null"}


def documented() -> dict[str, set[str]]:
    out = {}
    with open(DOC, encoding="utf-8") as fh:
        for line in fh:
            m = ROW.match(line)
            if m:
                out[m.group(1)] = set(m.group(2).replace("\\", "").split("|"))
    return out


def observed(doc) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}

    def walk(value, path):
        if path and not path.endswith("[]"):  # list items are described by their fields
            seen.setdefault(path, set()).add(TYPES[type(value)])
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    walk(item, path + "[]")

    walk(doc, "")
    return seen


def test_schema_doc_matches_output(tmp_path, monkeypatch):
    # a run that fills every optional part: skipped items, DNS rows, text links, other remote content
    from trackless.commands import report as cmd
    from trackless.report.meta import DnsChain

    monkeypatch.setattr(cmd, "_dns_lookup", lambda: lambda hosts, **kw: [
        DnsChain("epost.brand-shop.example", ("x.emsecure.net",), "Selligent", "alias"), DnsChain("a.example", (), None, "no CNAME")])
    merged: dict[str, set[str]] = {}
    monkeypatch.setattr(cmd, "_dkim_verifier", lambda readers: lambda f: f)
    phish = tmp_path / "phish.eml"  # a deceptive link: fills senders[].deceptive_links
    phish.write_bytes(b"From: a@account-check.example\nContent-Type: text/html\n\n"
                      b'<a href="https://account-check.example/">www.paypal.com</a>')
    for args in (["--dns", "mailbox.mbox", str(tmp_path / "missing.eml")], ["mailbox.mbox"], ["."], [str(phish)]):
        code, out, err = run_report("--format", "json", "--jobs", "1", *args)
        assert code == 0, err
        for k, v in observed(json.loads(out)).items():
            merged.setdefault(k, set()).update(v)
    doc = documented()
    assert sorted(set(merged) - set(doc)) == [], "fields missing from docs/report-schema.md"
    assert sorted(set(doc) - set(merged)) == [], "documented fields the output never has"
    for field, types in merged.items():
        assert types <= doc[field], (field, types, doc[field])
