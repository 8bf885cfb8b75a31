"""Property tests: sanitizing is idempotent and nothing remote survives."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trackless
from trackless.core.html import parse

REMOTE_URLS = st.sampled_from([
    "http://t.example/a.png", "https://t.example/o.gif?u=1&e=abc", "//t.example/p", "https:t.example/x",
    "&#104;ttps://t.example/e", "  HTTPS://T.EXAMPLE/UP ", "ftp://t.example/f", "\\\\t.example\\b",
    "ht&#9;tp://t.example/tab",
])
LOCAL_URLS = st.sampled_from(["cid:part1@x", "mailbox:///m?part=1.2", "#frag", "data:image/png;base64,iVBORw0KGgo="])
URLS = st.one_of(REMOTE_URLS, LOCAL_URLS)
TAGS = st.sampled_from(["img", "div", "td", "table", "a", "video", "audio", "source", "iframe", "object", "embed",
                        "link", "script", "input", "body", "svg", "image", "use", "form", "span", "p", "picture",
                        "style", "meta", "base", "bgsound", "frame"])
ATTRS = st.sampled_from(["src", "href", "srcset", "background", "poster", "data", "codebase", "action", "ping",
                         "xlink:href", "lowsrc", "dynsrc", "style", "width", "height", "fill", "rel", "http-equiv",
                         "content", "class", "formaction", "srcdoc", "manifest"])


@st.composite
def attr_value(draw, name):
    url = draw(URLS)
    if name == "style":
        return draw(st.sampled_from([
            f"background:url({url})", f"background-image:url('{url}')", f"width:1px;height:1px;background:url({url})",
            f"list-style:url({url})", f"background:image-set(\"{url}\" 1x)", "color:red", "display:none",
        ]))
    if name == "srcset":
        return f"{url} 1x, {draw(URLS)} 2x"
    if name in ("width", "height"):
        return draw(st.sampled_from(["1", "0", "600", "2px"]))
    if name == "rel":
        return draw(st.sampled_from(["stylesheet", "preload", "icon", "dns-prefetch"]))
    if name == "http-equiv":
        return draw(st.sampled_from(["refresh", "Link", "content-type"]))
    if name == "content":
        return f"0; url={url}"
    if name == "fill":
        return f"url({url})"
    if name == "srcdoc":
        return f"<img src='{url}'>"
    return url


@st.composite
def element(draw):
    tag = draw(TAGS)
    names = draw(st.lists(ATTRS, max_size=4, unique=True))
    attrs = "".join(f' {n}="{draw(attr_value(n))}"' for n in names)
    inner = ""
    if tag == "style":
        inner = draw(st.sampled_from([
            "@import 'http://t.example/i.css';", "p{background:url(http://t.example/s.png)}",
            "@font-face{src:url(//t.example/f.woff)}", "p{background:u\\72l(http://t.example/e.png)}", "p{color:red}",
        ]))
    return f"<{tag}{attrs}>{inner}"


@st.composite
def document(draw):
    parts = draw(st.lists(st.one_of(element(), st.sampled_from(["text", "\n", "\n  ", "<!-- note -->", "<tr>", "</table>", "</div>", "</td>", "<!--[if mso]><img src='http://t.example/m'><![endif]-->", "<!--[if !mso]><!--><img src='http://t.example/n'><!--<![endif]-->"])), max_size=12))
    return "".join(parts)


_REMOTE_IN_CSS = re.compile(
    r"url\(\s*['\"]?\s*(?:https?:|ftp:|//|\\\\)|@import|image-set\([^)]*['\"]\s*(?:https?:|//)", re.I)
_REMOTE_IN_VALUE = re.compile(r"(?:^|[\s,(\"'=])(?:https?:|ftp:|//|\\\\)", re.I)


_LONE_STRING = re.compile(r"""(?<![(,\s])(?<!@import)\s*("[^"]*"|'[^']*')""")


def css_text(text: str) -> str:
    """CSS with escapes decoded and strings that cannot be URLs (not after ``(``,
    ``,`` or ``@import``) blanked: a string token never becomes a fetch."""
    return _LONE_STRING.sub('""', css_unescape(text))


def css_unescape(text: str) -> str:
    def one(m):
        hexa = m.group(1)
        return chr(int(hexa, 16)) if hexa and 0 < int(hexa, 16) < 0xD800 else (m.group(2) or "")

    return re.sub(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", one, text)


#: Attributes no engine fetches from (content only matters on <meta http-equiv>).
INERT = frozenset({"content", "class", "rel", "alt", "title", "id", "name", "value", "http-equiv"})


def remote_left(html: str) -> list[str]:
    """An independent check: any attribute or CSS text still naming a remote place?"""
    doc = parse(html)
    found = []
    for el in doc.elements():
        for name, value in el.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name.startswith("data-trackless-") or (el.name in ("a", "area") and name in ("href", "xlink:href")):
                continue
            if name in INERT and not (el.name == "meta" and name == "content" and el.get("http-equiv")):
                continue
            if name == "srcdoc":
                found += remote_left(value)
                continue
            cleaned = re.sub(r"[\t\n\r]", "", value)
            if name == "style" or "(" in cleaned:
                if _REMOTE_IN_CSS.search(css_unescape(cleaned)):
                    found.append(f"{el.name}[{name}]={value!r}")
                continue
            if _REMOTE_IN_VALUE.search(cleaned):
                found.append(f"{el.name}[{name}]={value!r}")
        if el.name == "style" and _REMOTE_IN_CSS.search(css_text("".join(el.find_all(string=True)))):
            found.append(f"style block {el!s}")
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_nothing_remote_survives(html):
    result = trackless.sanitize(html)
    assert remote_left(result.html) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_sanitize_is_idempotent(html):
    once = trackless.sanitize(html).html
    assert trackless.sanitize(once).html == once


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_handled(text):
    result = trackless.sanitize(text)
    assert isinstance(result.html, str)
    assert trackless.sanitize(result.html).html == result.html


SCRIPTY = st.sampled_from([
    '<img src="cid:a" onerror="alert(1)">', '<svg onload=alert(1)>', '<body onload="alert(1)">',
    '<a href="jav&#x09;ascript:alert(1)">x</a>', '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href=" &#1;javascript:alert(1)">x</a>', '<a href="VBSCRIPT:alert(1)">x</a>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>',
    "<script>alert(1)</script>", "<svg><script>alert(1)</script></svg>", '<p style="x:expression(alert(1))">',
    "<style>p{x:expr\\65ssion(alert(1))}</style>", '<iframe src="javascript:alert(1)"></iframe>',
    '<svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>', '<math href="javascript:alert(1)">m</math>',
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>', '<details open ontoggle=alert(1)>',
    '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>', '<object data="javascript:alert(1)"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
])
_SCRIPT_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript):", re.I)


def script_left(html: str) -> list[str]:
    """An independent check: any script element, handler, script URL or expression() left?"""
    from trackless.core.refs import clean_ref

    found = []
    for el in parse(html).elements():
        if el.name.lower() == "script":
            found.append("script element")
        for name, value in el.attrs.items():
            value = str(value)
            if name.lower().startswith("on"):
                found.append(f"{el.name}[{name}]")
            if name == "srcdoc":
                found += script_left(value)
            if _SCRIPT_SCHEME.match(clean_ref(value)) or any(
                    _SCRIPT_SCHEME.match(clean_ref(p)) for p in value.split(";")):
                found.append(f"{el.name}[{name}]={value!r}")
        texts = [str(el.get("style", ""))]
        if el.name == "style":
            texts.append("".join(el.find_all(string=True)))
        # strings are not functions: css_text blanks them (and decodes escapes)
        if any("expression(" in css_text(t).lower().replace(" ", "") for t in texts):
            found.append(f"expression() in {el.name}")
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(element(), SCRIPTY), max_size=8).map("".join))
def test_no_script_survives(html):
    assert script_left(trackless.sanitize(html).html) == []
