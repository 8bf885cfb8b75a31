"""Our serializer writes exactly what bs4's ``decode(formatter="minimal")`` writes."""

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from trackless.core.html import _soup
from trackless.core.serialize import serialize

from test_properties import document  # tests/core is on sys.path (rootdir-relative import)

HERE = Path(__file__).parent
SAMPLES = [v["html"] for v in tomllib.loads((HERE / "vectors.toml").read_text("utf-8"))["vector"]] + [
    p.read_text("utf-8") for p in sorted((HERE.parent / "golden").glob("*.html"))
] + [
    '<meta charset="iso-8859-1"><p>a &amp; b < c > d</p>',
    "<p title='a\"b' alt=\"c'd\" x='a\"b&quot;c'>q</p>",
    "<br><hr><img><input><source><wbr>",
    "<style>a>b{content:'&'}</style><script>if(a<b&&c){}</script>",
    "<!DOCTYPE html><!--c--><p>x</p><?pi x?>",
    "<svg><v:fill src='x'/><foreignObject><p>t</p></foreignObject></svg>",
    "<textarea>a<b</textarea><title>t&amp;</title>",
    "<div>" * 3000 + "deep" + "</div>" * 3000,
]


@pytest.mark.parametrize("html", SAMPLES)
def test_same_bytes_as_bs4(html):
    soup = _soup(html)
    assert serialize(soup) == soup.decode(formatter="minimal")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_same_bytes_as_bs4_on_generated_documents(html):
    soup = _soup(html)
    assert serialize(soup) == soup.decode(formatter="minimal")
