"""An independent CSS tokenizer (tinycss2, after the CSS Syntax spec) checks
that no sanitized style can still fetch: no url token, no url()/src()/
image-set() function with a remote argument, no @import left."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinycss2

import trackless
from trackless.core.html import parse

URL_FUNCS = {"url", "src", "image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade"}
REMOTE = re.compile(r"^\s*(?:https?:|ftp:|//|\\\\)", re.I)


def fetches(tokens) -> list[str]:
    found = []
    stack = [(list(tokens), False)]
    while stack:
        toks, in_url_func = stack.pop()
        for i, t in enumerate(toks):
            if t.type == "url" and REMOTE.search(t.value):
                found.append(t.value)
            elif t.type == "string" and in_url_func and REMOTE.search(t.value):
                found.append(t.value)
            elif (t.type == "at-keyword" and t.lower_value == "import") or (
                    t.type == "at-rule" and t.lower_at_keyword == "import"):
                rest = t.prelude if t.type == "at-rule" else toks[i + 1:]
                first = next((r for r in rest if r.type not in ("whitespace", "comment")), None)
                if first is not None and ((first.type in ("string", "url") and REMOTE.search(first.value)) or (
                        first.type == "function" and first.lower_name in ("url", "src")
                        and any(a.type == "string" and REMOTE.search(a.value) for a in first.arguments))):
                    found.append("@import")
            if t.type == "function":
                stack.append((t.arguments, in_url_func or t.lower_name in URL_FUNCS))
            for attr in ("content", "prelude"):
                inner = getattr(t, attr, None)
                if inner:
                    stack.append((inner, in_url_func))
    return found


def style_texts(html: str) -> list[tuple[str, bool]]:
    doc = parse(html)
    out = []
    for el in doc.elements():
        if el.name == "style":
            out.append(("".join(el.find_all(string=True)), False))
        if el.get("style") is not None:
            out.append((el["style"], True))
    return out


def remote_in_styles(html: str) -> list[str]:
    found = []
    for text, is_attr in style_texts(html):
        toks = tinycss2.parse_declaration_list(text) if is_attr else tinycss2.parse_stylesheet(text)
        found += fetches(toks)
        # a raw-token pass too: declarations tinycss2 would drop still show their tokens
        found += fetches(tinycss2.parse_component_value_list(text))
    return sorted(set(found))


def test_oracle_sees_what_it_should():
    assert remote_in_styles('<p style="background:url(https://t.example/a)">x</p>') == ["https://t.example/a"]
    assert remote_in_styles("<style>@import 'https://t.example/x.css';</style>") == ["@import"]
    assert remote_in_styles("<style>@import 'x.css';</style>") == []
    assert remote_in_styles("<style>p{background:image-set('//t.example/b' 1x)}</style>") == ["//t.example/b"]
    assert remote_in_styles("<style>@import ;</style>") == []


def test_escaped_lt_before_url_is_not_a_url_before_or_after():
    html = "<style>li{list-style:\\<url(https://t.example/p.gif)}</style><ul><li>x</li></ul>"
    assert remote_in_styles(html) == []
    assert remote_in_styles(trackless.sanitize(html).html) == []


PIECES = st.sampled_from([
    "url(", "URL(", "u\\72l(", "\\75 rl(", "url(\"", "url('", "image-set(", "src(", "var(--x,", ")", "(", '"', "'",
    "https://t.example/x", "//t.example/y", "\\", "\\20", "\\20\n", "\\\n", "\n", "\r\n", "\f", " ", "\t", ";", "{", "}",
    "@import ", "@\\69mport ", "@font-face{src:", "/*", "*/", "<!--", "-->", "<", "\\<", "&#117;", "&quot;", "1x", ",",
    "background:", "p{", "--u:", "cid:a", "data:image/png;base64,AA", "#f", "none",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=14), st.booleans(), st.booleans())
def test_sanitized_css_never_fetches(pieces, in_attr, in_svg):
    css = "".join(pieces)
    if in_attr:
        html = '<p style="' + css.replace("&", "&amp;").replace('"', "&quot;") + '">x</p>'
    else:
        html = ("<svg>" if in_svg else "") + "<style>" + css.replace("</", "<\\/") + "</style>" + ("</svg>" if in_svg else "") + "<p>x</p>"
    out = trackless.sanitize(html).html
    assert remote_in_styles(out) == [], (html, out)
