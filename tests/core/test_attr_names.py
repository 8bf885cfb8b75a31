"""The helper never writes an attribute name the DOM's setAttribute refuses (issue 11, item 3).

Real mail has ``<body style=color:rgb(255, 0, 0); width:100%;>``: the HTML
parser makes attributes named ``0,``, ``0);`` and ``width:100%;`` out of it.
The add-on copies the body's attributes onto the page with setAttribute,
which throws on such names, and the whole swap was abandoned.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trackless import sanitize
from trackless.core.html import _soup

DOM_NAME = re.compile(r"[A-Za-z_:][-A-Za-z0-9_.:]*")


def _names(html: str) -> list[str]:
    return [a for el in _soup(html).find_all(True) for a in el.attrs]


def test_broken_unquoted_body_style_leaves_only_settable_names():
    html = ('<html><head></head><body bgcolor=#ffffff style=color:rgb(255, 0, 0); width:100%; marginwidth=0>'
            '<p>hi <a href="https://shop.example/?utm_source=x">shop</a></p></body></html>')
    assert {"0,", "0);", "width:100%;"} <= set(_names(html))  # the shape is real
    out = sanitize(html).html
    assert _names(out) and all(DOM_NAME.fullmatch(n) for n in _names(out)), _names(out)
    assert 'bgcolor="#ffffff"' in out and 'marginwidth="0"' in out and 'href="https://shop.example/"' in out


NAME_CHARS = st.sampled_from(list("abcXYZ09_-.:;,()%&#=\"'`!?*+[]{}|\\^~@$") + ["\u00e9", "\u2603", "\x01"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(NAME_CHARS, min_size=1, max_size=8), min_size=1, max_size=6))
def test_no_generated_attribute_name_survives_unless_setattribute_takes_it(names):
    attrs = " ".join(f"{n}=1" for n in names)
    html = f"<html><head></head><body {attrs}><p {attrs}>x</p><img src='cid:a' {attrs}></body></html>"
    out = sanitize(html).html
    bad = [n for n in _names(out) if not DOM_NAME.fullmatch(n)]
    assert not bad, (html, out)
