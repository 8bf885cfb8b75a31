"""Every tracker rule's examples run as tests; rule files are validated at load."""

from urllib.parse import urlsplit

import pytest

from trackless.core import trackers
from trackless.errors import RuleError

HOSTS, PATHS = trackers.load()
HOST_CASES = [(r.id, ex) for r in HOSTS for ex in r.examples]
PATH_CASES = [(r.id, ex) for r in PATHS for ex in r.examples]


@pytest.mark.parametrize("rule_id,example", HOST_CASES, ids=[f"{r}:{e['url'][:50]}" for r, e in HOST_CASES])
def test_host_rule_example(rule_id, example):
    parts = urlsplit(example["url"])
    m = trackers.match_host(parts.hostname, parts.path)
    assert (m is not None and m.rule == rule_id) is example["tracker"]


@pytest.mark.parametrize("rule_id,example", PATH_CASES, ids=[f"{r}:{e['url'][:50]}" for r, e in PATH_CASES])
def test_path_rule_example(rule_id, example):
    m = trackers.match_path(urlsplit(example["url"]).path)
    assert (m is not None and m.rule == rule_id) is example["tracker"]


def test_every_rule_names_its_source():
    for rule in HOSTS + PATHS:
        assert rule.source.strip(), rule.id


def test_bad_rule_files_are_refused_with_file_and_rule(monkeypatch):
    bad = [("rules/bad.toml", {"tracker": [{"id": "x", "vendor": "X", "hosts": ["x.example"], "paths": ["("],
                                             "source": "s", "examples": [{"url": "https://x.example/", "tracker": True}]}]})]
    monkeypatch.setattr(trackers, "rule_files", lambda *a: bad)
    trackers.load.cache_clear()
    try:
        with pytest.raises(RuleError, match=r"rules/bad\.toml: rule 'x': bad regex"):
            trackers.load()
        bad[0][1]["tracker"][0]["paths"] = []
        bad[0][1]["tracker"][0]["examples"] = []
        with pytest.raises(RuleError, match="needs at least one example"):
            trackers.load()
    finally:
        monkeypatch.undo()
        trackers.load.cache_clear()
        trackers._host_index.cache_clear()


def test_tokens_in_query_and_path():
    from trackless.core.tokens import find_token

    cases = {
        "https://x.list-manage.com/track/open.php?u=3f1a2b&id=9c8d7e&e=5a4b3c2d1e": "5a4b3c2d1e",  # recipient key
        "https://e.brand.example/o/eJwlzEsOgjAQAO3TmXZ5abXy": "eJwlzEsOgjAQAO3TmXZ5abXy",
        "https://t.example/p?id=8c1f0e6a-55d2-4b7e-9f3a-2d6c1b0e7a94": "8c1f0e6a-55d2-4b7e-9f3a-2d6c1b0e7a94",
        "https://cdn.brand.example/img/8f3a9c1e2b4d6f8a0c2e4a6b.png": None,  # content hash file name
        "https://brand.example/?e=hello": None,
        "https://brand.example/sale?utm_campaign=winter_sale_2026_newsletter": None,
        "https://img.brand.example/a.jpg?w=600&h=400&fit=crop&q=80": None,
    }
    for url, token in cases.items():
        assert find_token(url) == token, url
