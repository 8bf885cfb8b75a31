"""The one module that owns the HTML library: an HTML5 parse into a bs4 tree.

Trackless must work on the tree the reader's engine builds: Thunderbird
(Gecko) parses mail as HTML5 (WHATWG), and an HTML4 parser (lxml/libxml2)
builds a different tree for real mail (``<bgsound>``/``<image>`` swallowing the
rest of the mail, badly nested markup moved). The tree is parsed by lexbor
(through ``selectolax``) and turned into the same beautifulsoup4 tree that
bs4's ``html5lib`` builder gives, which the tests hold it to (tests/core/
test_html5_tree.py: generated hostile documents and realistic mails).

Why lexbor: of the maintained HTML5 parsers that install from wheels on Linux,
macOS and Windows, it is the fastest to walk from Python (measured on a 100 KB
newsletter: lexbor parse + walk of every node about 3 ms; markupever/html5ever
about 24 ms, its per-node Python objects dominate; html5-parser/gumbo ships no
wheels; html5lib itself is about twice BeautifulSoup(lxml)). selectolax does
not expose a node's namespace nor a doctype's identifiers: the namespace
follows from the tree (HTML5's foreign-content rules, below) and the doctype is
read from the source.

Everything else works on the tree this module returns and asks it to
serialize; nothing else imports bs4 (but ``serialize.py``). Nothing recurses
per element, so a document nested 10,000 deep is fine.
"""

from __future__ import annotations

import gc
import re

from ..errors import InputError, TooLargeError

__all__ = ["Document", "parse", "parse_fragment", "settle", "MAX_HTML_CHARS", "MAX_ATTRIBUTES_PER_TAG", "MAX_DEPTH",
           "MAX_PARSE_WORK", "MAX_OPTIONS",
           "HTML_NS", "SVG_NS", "MATH_NS"]

#: Largest HTML accepted, in characters (a 20 MB newsletter fits).
MAX_HTML_CHARS = 25_000_000
#: Most attributes one tag may carry (a tag with more is refused).
MAX_ATTRIBUTES_PER_TAG = 2_000
#: Deepest nesting accepted. HTML5 tree construction looks down the stack of
#: open elements for every tag (scope checks), so its cost grows with depth
#: times the number of tags; browsers stop nesting at 512 (Chromium/WebKit).
MAX_DEPTH = 12_000
#: Most (depth x tags) accepted: bounds that cost (about 3 s here) for any shape,
#: e.g. 4,000 open elements followed by many paragraphs. Real mail is far below.
MAX_PARSE_WORK = 150_000_000
#: Most ``<option>`` elements accepted: lexbor updates a select's options on
#: every insertion (quadratic: 16,000 options took 1.4 s, 32,000 took 12 s).
MAX_OPTIONS = 8_000

HTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
MATH_NS = "http://www.w3.org/1998/Math/MathML"

_DOC_MARKERS = re.compile(r"<(?:!doctype|html|head|body|frameset)[\s>/]", re.IGNORECASE)
# A tag long enough to hold many attributes: checked only when a long tag exists.
_LONG_TAG = re.compile(r"<[a-zA-Z][^<>]{8000,}>")
_ATTR_START = re.compile(r"\s[^\s=<>/\"']+\s*=")
_OPTION = re.compile(r"<option[\s/>]", re.IGNORECASE)
_DOCTYPE_AT = re.compile(r"<!doctype", re.IGNORECASE)
_DOCTYPE_IDS = re.compile(
    r"""<!doctype\s*[^\s>]*\s*(?:(public)\s*(?:"([^">]*)"|'([^'>]*)')?\s*(?:"([^">]*)"|'([^'>]*)')?"""
    r"""|(system)\s*(?:"([^">]*)"|'([^'>]*)'))?""", re.IGNORECASE)

# Elements a parser never nests in one of the same kind from markup (it closes
# the open one first), but that a tree can hold (adoption agency, foster
# parenting): such a tree does not read back as itself once written out.
_REOPENS = {"a": "a", "p": "p", "li": "li", "form": "form", "button": "button", "nobr": "nobr",
            "option": "option", "dd": "dt", "dt": "dt",
            **{f"h{i}": "h" for i in range(1, 7)}}

_SVG_HTML_POINTS = frozenset({"foreignObject", "desc", "title"})
_MATH_TEXT_POINTS = frozenset({"mi", "mo", "mn", "ms", "mtext"})


_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/<>]*)([^<>]*?)(/?)>")
_VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
                   "input", "keygen", "link", "meta", "param", "source", "track", "wbr"})
# start tags that close an open element of their own name (or a sibling kind) first
_SELF_CLOSING_KIN = {"p": "p", "li": "li", "dt": "dt", "dd": "dt", "option": "option", "tr": "tr", "td": "td",
                     "th": "td", "tbody": "tbody", "thead": "tbody", "tfoot": "tbody", "rt": "rt", "rp": "rt"}


def _depth_estimate(html: str, limit: int) -> int:
    """About how deep the tree will nest (an over-estimate for sloppy markup
    at worst), in one linear pass: a stack of open tag names, end tags closing
    the nearest match among the top entries."""
    stack: list[str] = []
    deepest = 0
    for m in _TAG.finditer(html):
        name = m.group(2).lower()
        if m.group(1):
            for i in range(len(stack) - 1, max(-1, len(stack) - 65), -1):
                if stack[i] == name:
                    del stack[i:]
                    break
            continue
        if name in _VOID or m.group(4):
            continue
        kin = _SELF_CLOSING_KIN.get(name)
        if kin is not None and stack and _SELF_CLOSING_KIN.get(stack[-1]) == kin:
            stack.pop()
        stack.append(name)
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > limit:
                break
    return deepest


def _check(html: str) -> str:
    if not isinstance(html, str):
        raise InputError("HTML must be text")
    if len(html) > MAX_HTML_CHARS:
        raise TooLargeError(f"the HTML is {len(html):,} characters; the limit is {MAX_HTML_CHARS:,}")
    for m in _LONG_TAG.finditer(html):
        if len(_ATTR_START.findall(m.group())) > MAX_ATTRIBUTES_PER_TAG:
            raise TooLargeError(f"a tag carries more than {MAX_ATTRIBUTES_PER_TAG:,} attributes")
    if html.count("<o") + html.count("<O") > MAX_OPTIONS and len(_OPTION.findall(html)) > MAX_OPTIONS:
        raise TooLargeError(f"the HTML has more than {MAX_OPTIONS:,} <option> elements")
    tags = html.count("<") - html.count("</")  # start tags (and the like)
    if tags > MAX_DEPTH:  # fewer tags cannot nest deeper nor cost more (MAX_DEPTH**2 ~ MAX_PARSE_WORK)
        depth = _depth_estimate(html, MAX_DEPTH)
        if depth > MAX_DEPTH:
            raise TooLargeError(f"the HTML nests more than {MAX_DEPTH:,} elements deep")
        if depth * tags > MAX_PARSE_WORK:
            raise TooLargeError(f"the HTML nests {depth:,} elements deep around {tags:,} tags: "
                                f"too costly to parse (limit: depth x tags <= {MAX_PARSE_WORK:,})")
    return html


def _child_ns(parent, name: str) -> str:
    """The namespace HTML5's tree construction gives an element named ``name``
    whose parent is ``parent`` (foreign content: SVG and MathML)."""
    ns = parent.namespace
    if ns == SVG_NS:
        if parent.name not in _SVG_HTML_POINTS:
            return SVG_NS
    elif ns == MATH_NS:
        pname = parent.name
        if pname in _MATH_TEXT_POINTS:
            if name in ("mglyph", "malignmark"):
                return MATH_NS
        elif pname == "annotation-xml":
            if name == "svg":
                return SVG_NS
            if str(parent.attrs.get("encoding", "")).lower() not in ("text/html", "application/xhtml+xml"):
                return MATH_NS
        else:
            return MATH_NS
    return SVG_NS if name == "svg" else MATH_NS if name == "math" else HTML_NS


def _doctype(html: str, name: str):
    """The doctype as bs4's html5lib builder makes it (identifiers from the source)."""
    from bs4 import Doctype

    public = system = None
    m = _DOCTYPE_AT.search(html)
    if m is not None:
        end = html.find(">", m.start())
        head = html[m.start(): (end + 1) if end >= 0 else len(html)]
        ids = _DOCTYPE_IDS.match(head) if len(head) < 4096 else None
        if ids is not None:
            if ids.group(1):
                public = ids.group(2) if ids.group(2) is not None else ids.group(3)
                system = ids.group(4) if ids.group(4) is not None else ids.group(5)
                if public is None:
                    system = None
            elif ids.group(6):
                system = ids.group(7) if ids.group(7) is not None else ids.group(8)
    return Doctype.for_name_and_ids(name, public, system)


class _Builder:
    """Builds bs4 nodes fast: one prototype Tag per (name, namespace)."""

    def __init__(self):
        from bs4 import BeautifulSoup, Tag
        from bs4.element import HTMLAttributeDict

        self.soup = BeautifulSoup("", "html.parser", multi_valued_attributes=None)
        self.tag_class = Tag
        self.attr_dict = HTMLAttributeDict
        self.protos: dict[tuple[str, str], dict] = {}

    def tag(self, name: str, ns: str, attrs: dict):
        key = (name, ns)
        proto = self.protos.get(key)
        if proto is None:
            t = self.tag_class(None, self.soup.builder, name, ns)
            proto = dict(t.__dict__)
            for k in ("attrs", "contents", "parent", "previous_element", "next_element",
                      "previous_sibling", "next_sibling"):
                proto.pop(k, None)
            self.protos[key] = proto
        t = self.tag_class.__new__(self.tag_class)
        d = t.__dict__
        d.update(proto)
        d["attrs"] = a = self.attr_dict()
        if attrs:
            if None in attrs.values():
                attrs = {k: "" if v is None else v for k, v in attrs.items()}
            dict.update(a, attrs)  # str values: bs4's conversions have nothing to do
            if name == "meta":
                self.soup.builder.set_up_substitutions(t)
        d["contents"] = []
        return t


def _convert(html: str, tree):
    """The bs4 tree (html5lib builder's shape) of a lexbor document."""
    from bs4 import Comment, NavigableString

    b = _Builder()
    soup = b.soup
    new_tag = b.tag
    # template content lives in a fragment of its own in lexbor: find them all
    templates: dict[int, object] = {}
    root = tree.root
    if root is None:
        return soup
    pending = list(root.template_fragments()) if "<template" in html.lower() else []
    while pending:
        frag = pending.pop()
        templates[frag.parent.mem_id] = frag
        pending.extend(frag.template_fragments())

    last = soup  # the node parsed last (next_element chain)
    soup.next_element = None
    # stack of (bs4 parent, next lexbor node to convert at this level)
    stack = [(soup, root.parent.child)]
    open_kinds: dict[str, int] = {}  # open HTML elements of the kinds in _REOPENS
    fragile = False
    while stack:
        parent, node = stack[-1]
        if node is None:
            stack.pop()
            kind = _REOPENS.get(parent.name) if parent.namespace == HTML_NS else None
            if kind is not None:
                open_kinds[kind] -= 1
            continue
        stack[-1] = (parent, node.next)
        kind = node.tag
        contents = parent.contents
        if kind == "-text":
            text = node.text_content
            if not text:
                continue
            prev = contents[-1] if contents else None
            if prev is not None and type(prev) is NavigableString:
                merged = NavigableString(prev + text)
                merged.parent, merged.previous_sibling = parent, prev.previous_sibling
                merged.next_sibling, merged.next_element = None, None
                merged.previous_element = prev.previous_element
                if prev.previous_sibling is not None:
                    prev.previous_sibling.next_sibling = merged
                merged.previous_element.next_element = merged
                contents[-1] = merged
                last = merged
                continue
            new = NavigableString(text)
        elif kind == "-comment":
            raw = node.html or ""  # comment_content strips blanks: take the data as written
            new = Comment(raw[4:-3] if raw.startswith("<!--") and raw.endswith("-->") else raw)
        elif kind == "-doctype":
            dt = node.html or ""
            name = dt[10:-1].strip().lower() if dt.lower().startswith("<!doctype") else ""
            new = _doctype(html, name)
        elif node.is_element_node:
            ns = _child_ns(parent, kind) if parent is not soup else HTML_NS
            new = new_tag(kind, ns, node.attributes)
            if ns == HTML_NS and open_kinds.get(_REOPENS.get(kind, ""), 0):
                fragile = True
        else:
            continue
        new.parent = parent
        prev = contents[-1] if contents else None
        new.previous_sibling = prev
        new.next_sibling = None
        if prev is not None:
            prev.next_sibling = new
        new.previous_element = last
        new.next_element = None
        last.next_element = new
        last = new
        contents.append(new)
        if type(new) is b.tag_class:
            if kind == "template":
                frag = templates.get(node.mem_id)
                child = frag.child if frag is not None else None
            else:
                child = node.child
            if child is not None:
                stack.append((new, child))
                reopen = _REOPENS.get(kind) if new.namespace == HTML_NS else None
                if reopen is not None:
                    open_kinds[reopen] = open_kinds.get(reopen, 0) + 1
    soup.__dict__["_fragile"] = fragile
    return soup


def _soup(html: str):
    from selectolax.lexbor import LexborHTMLParser

    # the tree is a web of parent/child cycles built in one go: the cyclic
    # garbage collector would rescan it again and again while it grows
    paused = gc.isenabled()
    gc.disable()
    try:
        return _convert(html, LexborHTMLParser(html))
    except (TooLargeError, InputError):
        raise
    except Exception as exc:  # parser internal failure: fail closed
        raise InputError(f"the HTML could not be parsed: {exc}") from exc
    finally:
        if paused:
            gc.enable()


class Document:
    """A parsed document or fragment.

    ``fragment`` documents (no html/head/body/frameset/doctype in the input)
    serialize back to a fragment: the content of html, head and body.
    """

    def __init__(self, soup, fragment: bool):
        self.soup = soup
        self.fragment = fragment
        #: the tree nests elements a parser would not nest from markup: its
        #: serialization reads back as another tree (see ``settle``)
        self.fragile = soup.__dict__.get("_fragile", False)

    def elements(self) -> list:
        """Every element in document order (a list: callers may modify the tree)."""
        return self.nodes()[0]

    def nodes(self) -> tuple[list, list]:
        """(every element, every comment/processing instruction/declaration/CDATA
        and every doctype but a first one at the top), in document order, from
        one pass over the tree."""
        from bs4 import CData, Comment, Declaration, Doctype, ProcessingInstruction, Tag

        special = (Comment, CData, ProcessingInstruction, Declaration)
        elements, specials = [], []
        doctype_seen = False
        for node in self.soup.descendants:
            if type(node) is Tag:
                elements.append(node)
            elif isinstance(node, Doctype):
                # one doctype, at the top: any other is noise
                if doctype_seen or node.parent is not self.soup:
                    specials.append(node)
                doctype_seen = True
            elif isinstance(node, special):
                specials.append(node)
        return elements, specials

    def serialize(self) -> str:
        from .serialize import serialize

        if self.fragment:
            for node in self.soup.contents:
                if getattr(node, "name", None) == "html":
                    node.hidden = True
                    for child in node.contents:
                        if getattr(child, "name", None) in ("head", "body"):
                            child.hidden = True
            # leading blanks of a fragment are not part of the tree read back
            return serialize(self.soup).lstrip()
        return serialize(self.soup)


def settle(doc: Document, out: str) -> str:
    """The serialization of a fragile tree, read back once and written again:
    the fixed point a second sanitize would reach (rare: nested links and the like)."""
    if not doc.fragile:
        return out
    return Document(_soup(out), doc.fragment).serialize()


def parse(html: str) -> Document:
    html = _check(html)
    return Document(_soup(html), fragment=not _DOC_MARKERS.search(html[:65536]))


def parse_fragment(html: str) -> Document:
    """Parse HTML that is always treated as a fragment (srcdoc, comments)."""
    html = _check(html)
    return Document(_soup(html), fragment=True)
