"""The one module that owns the HTML library (beautifulsoup4 + lxml).

Everything else works on the tree this module returns and asks it to
serialize; nothing else imports bs4 (but ``serialize.py``, which writes the
tree out exactly as bs4 would, only faster). Parsing never recurses per element
(bs4 builds the tree from lxml's event stream and serializes iteratively),
so a document nested 10,000 deep is fine.
"""

from __future__ import annotations

import re
import warnings

from ..errors import InputError, TooLargeError

__all__ = ["Document", "parse", "parse_fragment", "MAX_HTML_CHARS", "MAX_ATTRIBUTES_PER_TAG"]

#: Largest HTML accepted, in characters (a 20 MB newsletter fits).
MAX_HTML_CHARS = 25_000_000
#: Most attributes one tag may carry (lxml is quadratic beyond this).
MAX_ATTRIBUTES_PER_TAG = 2_000

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_DOC_MARKERS = re.compile(r"<(?:!doctype|html|head|body)[\s>/]", re.IGNORECASE)
# A tag long enough to hold many attributes: checked only when a long tag exists.
_LONG_TAG = re.compile(r"<[a-zA-Z][^<>]{8000,}>")
_ATTR_START = re.compile(r"\s[^\s=<>/\"']+\s*=")


def _check(html: str) -> str:
    if not isinstance(html, str):
        raise InputError("HTML must be text")
    if len(html) > MAX_HTML_CHARS:
        raise TooLargeError(f"the HTML is {len(html):,} characters; the limit is {MAX_HTML_CHARS:,}")
    for m in _LONG_TAG.finditer(html):
        if len(_ATTR_START.findall(m.group())) > MAX_ATTRIBUTES_PER_TAG:
            raise TooLargeError(f"a tag carries more than {MAX_ATTRIBUTES_PER_TAG:,} attributes")
    # lxml refuses a str that starts with an encoding declaration; NULs end its input.
    html = _XML_DECL.sub("", html, count=1)
    if "\x00" in html:
        html = html.replace("\x00", "\ufffd")
    return html


def _soup(html: str):
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            # class/rel stay strings: nothing here needs them split, and splitting costs
            return BeautifulSoup(html, "lxml", huge_tree=True, multi_valued_attributes=None)
        except Exception as exc:  # lxml/bs4 internal failure: fail closed
            raise InputError(f"the HTML could not be parsed: {exc}") from exc


class Document:
    """A parsed document or fragment.

    ``fragment`` documents (no html/head/body/doctype in the input) serialize
    back to a fragment: the head's children followed by the body's.
    """

    def __init__(self, soup, fragment: bool):
        self.soup = soup
        self.fragment = fragment

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
                # one doctype, at the top: any other is noise that grows on every pass
                if doctype_seen or node.parent is not self.soup:
                    specials.append(node)
                doctype_seen = True
            elif isinstance(node, special):
                specials.append(node)
        return elements, specials

    def serialize(self) -> str:
        from .serialize import serialize, serialize_contents

        if not self.fragment:
            # leading blanks (lxml keeps them before <html>) vanish on a second parse
            return serialize(self.soup).lstrip()
        parts = []
        for name in ("head", "body"):
            node = self.soup.find(name)
            if node is not None:
                parts.append(serialize_contents(node))
        # libxml2 drops a fragment's leading blanks when it reads it again:
        # drop them now so the output is a fixed point
        return "".join(parts).lstrip()


def parse(html: str) -> Document:
    html = _check(html)
    return Document(_soup(html), fragment=not _DOC_MARKERS.search(html[:65536]))


def parse_fragment(html: str) -> Document:
    """Parse HTML that is always treated as a fragment (srcdoc, comments)."""
    html = _check(html)
    return Document(_soup(html), fragment=True)

