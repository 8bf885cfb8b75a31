"""Rule files are validated at load: clear RuleError naming file and rule."""

from __future__ import annotations

import copy
import time

import pytest

from trackless.errors import RuleError
from trackless.links import load_rules
from trackless.links.rules import compile_rules

GOOD_RULE = {
    "id": "test.wrapper",
    "vendor": "Test",
    "kind": "decodable",
    "source": "unit test",
    "hosts": ["w.example"],
    "path": "^/r$",
    "decode": [{"step": "query", "name": "u"}, {"step": "percent_decode"}],
    "examples": [{"url": "https://w.example/r?u=https%3A%2F%2Fa.example%2F", "status": "unwrapped",
                  "final": "https://a.example/"}],
}
GOOD_PARAMS = {
    "family": [{"id": "p.utm", "family": "utm", "prefixes": ["utm_"], "source": "unit test",
                "examples": [{"url": "https://a.example/?utm_source=x", "status": "cleaned", "final": "https://a.example/"}]}],
}


def compile_with(rule_changes=None, drop=(), params=None, extra_files=()):
    rule = copy.deepcopy(GOOD_RULE)
    rule.update(rule_changes or {})
    for k in drop:
        rule.pop(k)
    files = [("rules/wrappers/test.toml", {"rule": [rule]}), *extra_files]
    return compile_rules(files, ("rules/params.toml", params if params is not None else copy.deepcopy(GOOD_PARAMS)))


def test_good_rules_compile_and_work():
    from trackless.links.engine import unwrap_with

    rules = compile_with()
    link = unwrap_with(rules, "https://w.example/r?u=https%3A%2F%2Fa.example%2F%3Futm_source%3Dx")
    assert (link.status, link.final, link.removed) == ("unwrapped", "https://a.example/", ("utm_source",))


BAD_RULES = [
    ({"kind": "magic"}, (), "'kind' must be one of"),
    ({"colour": "red"}, (), "unknown rule key(s): colour"),
    ({"path": "^/(unclosed"}, (), "'path' does not compile"),
    ({"host_regex": "[", "hosts": []}, (), "'host_regex' does not compile"),
    ({"hosts": ["W.Example"]}, (), "must be lower-case"),
    ({"hosts": ["https://w.example"]}, (), "is not valid"),
    ({"hosts": []}, (), "needs a host condition"),
    ({"hosts": [], "any_host": True}, ("path",), "needs a 'path' or 'query' signature"),
    ({"any_host": True}, (), "any_host excludes"),
    ({"decode": [{"step": "teleport"}]}, (), "unknown step 'teleport'"),
    ({"decode": [{"step": "query", "nmae": "u"}]}, (), "unknown argument 'nmae'"),
    ({"decode": [{"step": "query"}]}, (), "exactly one of 'name' or 'names'"),
    ({"decode": [{"step": "regex"}]}, (), "missing argument 'pattern'"),
    ({"decode": [{"step": "regex", "pattern": "("}]}, (), "pattern' does not compile"),
    ({"decode": [{"step": "path_segment", "index": "1"}]}, (), "'index' has the wrong type"),
    ({"decode": [{"step": "base64", "alphabet": "klingon"}]}, (), "'alphabet' must be one of"),
    ({"decode": [{"step": "proofpoint", "version": 4}]}, (), "'version' must be one of"),
    ({"decode": []}, (), "non-empty 'decode' list"),
    ({}, ("decode",), "non-empty 'decode' list"),
    ({"kind": "opaque"}, (), "an opaque rule has no 'decode'"),
    ({"on_fail": "explode"}, (), "'on_fail' must be"),
    ({"priority": 500}, (), "'priority' must be an integer"),
    ({"examples": []}, (), "needs at least one"),
    ({}, ("examples",), "missing rule key(s): examples"),
    ({}, ("source",), "missing rule key(s): source"),
    ({"vendor": ""}, (), "'vendor' must be a non-empty string"),
    ({"examples": [{"url": "https://w.example/r", "status": "weird"}]}, (), "status must be one of"),
    ({"examples": [{"url": "https://w.example/r", "status": "unwrapped"}]}, (), "needs a final URL"),
    ({"examples": [{"url": "https://w.example/r", "status": "opaque", "final": "https://a.example/"}]}, (), "an opaque example has no final"),
    ({"query": {"qs": "("}}, (), "'query.qs' does not compile"),
]


@pytest.mark.parametrize("changes,drop,message", BAD_RULES, ids=[m for _c, _d, m in BAD_RULES])
def test_bad_wrapper_rule_is_refused_with_file_and_rule(changes, drop, message):
    with pytest.raises(RuleError) as err:
        compile_with(changes, drop)
    text = str(err.value)
    assert "rules/wrappers/test.toml" in text
    assert "'test.wrapper'" in text
    assert message in text
    assert err.value.code == "rules"


def test_bad_id_and_duplicates():
    with pytest.raises(RuleError, match=r"rules/wrappers/test.toml: rule 1: 'id' must be"):
        compile_with({"id": "Has Spaces"})
    dup = ("rules/wrappers/other.toml", {"rule": [copy.deepcopy(GOOD_RULE)]})
    with pytest.raises(RuleError, match=r"rules/wrappers/other.toml: rule 'test.wrapper': duplicate rule id"):
        compile_with(extra_files=[dup])
    with pytest.raises(RuleError, match=r"rules/wrappers/empty.toml: 'rule' must be a non-empty array"):
        compile_with(extra_files=[("rules/wrappers/empty.toml", {"rule": []})])
    with pytest.raises(RuleError, match=r"unknown top-level key"):
        compile_with(extra_files=[("rules/wrappers/x.toml", {"rules": []})])


@pytest.mark.parametrize("params,message", [
    ({"family": [{"id": "p.a", "family": "A", "source": "s", "examples": [{"url": "https://a.example/", "status": "unchanged"}]}]},
     "'p.a': needs 'names' or 'prefixes'"),
    ({"family": [{"id": "p.a", "family": "A", "names": ["x", "X"], "source": "s",
                  "examples": [{"url": "https://a.example/", "status": "unchanged"}]}]},
     "parameter 'X' already listed by rule 'p.a'"),
    ({"family": [{"id": "p.a", "family": "A", "names": ["a=b"], "source": "s",
                  "examples": [{"url": "https://a.example/", "status": "unchanged"}]}]},
     "'names' entry 'a=b' is not valid"),
    ({"family": GOOD_PARAMS["family"], "domain": [{"id": "p.d", "family": "D", "domains": ["Example.com"], "names": ["s"],
                                                    "source": "s", "examples": [{"url": "https://a.example/", "status": "unchanged"}]}]},
     "'p.d': 'domains' entry 'Example.com' must be lower-case"),
    ({"family": GOOD_PARAMS["family"], "exception": [{"id": "p.e", "domains": ["a.example"], "keep": [], "reason": "r",
                                                       "source": "s", "examples": [{"url": "https://a.example/", "status": "unchanged"}]}]},
     "'p.e': needs non-empty 'domains' and 'keep'"),
    ({"family": [{"id": "test.wrapper", "family": "A", "names": ["x"], "source": "s",
                  "examples": [{"url": "https://a.example/", "status": "unchanged"}]}]},
     "'test.wrapper': duplicate rule id"),
    ({"family": GOOD_PARAMS["family"], "extra": 1}, "unknown top-level key(s): extra"),
])
def test_bad_params_file(params, message):
    with pytest.raises(RuleError) as err:
        compile_with(params=params)
    assert "rules/params.toml" in str(err.value)
    assert message in str(err.value)


def test_shipped_rules_load_once_and_fast():
    load_rules.cache_clear()
    t0 = time.perf_counter()
    first = load_rules()
    cold = time.perf_counter() - t0
    assert load_rules() is first
    assert len(first.wrappers) >= 37 and len(first.examples) >= 90
    assert cold < 2.0  # a sanity bound only; bench/bench_links.py measures it
