"""No mail loses text: the visible text of the input and of the sanitized
output, each parsed as HTML5 (the reference parser, html5lib) with hidden and
non-rendered content left out the way a browser leaves it out, is the same.
On generated hostile documents, realistic mails and every vector."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trackless

from html5_reference import reference
from mailgen import mails
from test_properties import document
from test_vectors import VECTORS

#: Elements whose content is not rendered (scripting is off in mail: <noscript> is).
NOT_RENDERED = frozenset({"head", "script", "style", "template", "title", "iframe", "noembed", "noframes",
                          "frameset", "frame", "object", "embed", "video", "audio", "canvas", "select",
                          "datalist", "textarea", "option", "optgroup", "svg", "math"})
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*display\s*:\s*none", re.I)
_BLANKS = re.compile(r"\s+")


def visible_text(html: str) -> str:
    from bs4 import NavigableString, Tag

    parts = []
    stack = [reference(html)]
    while stack:
        node = stack.pop()
        if type(node) is NavigableString:
            parts.append(str(node))
            continue
        if not isinstance(node, Tag) and node is not None and not hasattr(node, "contents"):
            continue
        if isinstance(node, Tag) and node.name != "[document]":
            if node.name.lower() in NOT_RENDERED or node.has_attr("hidden"):
                continue
            if _HIDDEN_STYLE.search(str(node.get("style", ""))):
                continue
        stack.extend(reversed(node.contents))
    return _BLANKS.sub(" ", "".join(parts)).strip()


def same_text(html: str) -> None:
    out = trackless.sanitize(html, recipients=("jane.doe@example.org",)).html
    assert visible_text(out) == visible_text(html)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(document(), st.sampled_from([
    "Hello", "<p>Hello</p>", "<b>x<i>y</b>z</i>", "<table><tr><td>cell</td></tr></table>", "</p>", "<br>",
    '<div style="width:1px;height:1px;background:url(https://t.example/p.gif)">Text in a pixel',
    '<table width="1" height="1" background="https://t.example/p.gif"><tr><td>Text in a table</td></tr></table>',
    '<bgsound src="https://t.example/s">', '<image src="https://t.example/o.gif" width="1" height="1">',
    '<portal src="https://t.example/p">Portal text</portal>', "<xmp><b>raw</b></xmp>", "<plaintext>",
    "<ul><li>one<li>two</ul>", "<p>a<div>b</div>c</p>", "<font color=red>f</font>", "<noscript>ns</noscript>",
])), max_size=6).map("".join))
def test_generated_documents_keep_their_visible_text(html):
    same_text(html)


def test_realistic_mails_keep_their_visible_text():
    for html in mails(200, seed=3):
        same_text(html)


def test_vectors_keep_their_visible_text():
    for vec in VECTORS:
        same_text(vec["html"])


def test_shapes_from_real_mail_keep_their_text():
    for html in (
        '<bgsound src="https://t.example/s"><p>Hello</p>',
        '<image src="https://t.example/o.gif" width=1 height=1><p>Hello</p>',
        '<div style="width:1px;height:1px;background:url(https://t.example/o.gif)"><p>Hello</p>',
        '<table width="1" height="1" style="background-image:url(https://t.example/o.gif)"><tr><td>Hello</td></tr></table>',
        "<table><tr><td>a</td><p>Hello</p><td>b</td></tr></table>",
        "<p><table><tr><td>Hello<p>again</td></tr></table>",
        "<b><p>Hello</b> again</p>",
    ):
        same_text(html)
        assert "Hello" in visible_text(trackless.sanitize(html).html)
