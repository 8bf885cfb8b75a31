"""Writing a parsed tree back out: the same bytes as bs4's ``decode(formatter="minimal")``, faster.

bs4's serializer is general (formatters, pretty-printing, event streams) and
costs about as much as parsing. This one does only what Trackless needs and
produces exactly bs4's output, which the golden files and a comparison test
(tests/core/test_serialize.py) hold it to: attributes sorted by name,
values escaped (``&`` ``<`` ``>``) and quoted as bs4 quotes them, void
elements written ``<br/>``, text escaped except inside ``script``/``style``,
comments, doctypes and the like written with their own delimiters, a
``<meta charset>`` re-declared as utf-8. Iterative: no recursion per element.

Where it departs from bs4, on purpose: nodes removed by the walk
(core/tree.py) are left out; the text of an SVG or MathML ``<style>`` is
escaped (an HTML5 parser decodes entities there, and a raw ``<`` would start
markup); an end tag of a raw-text element inside its own text cannot be written.
"""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag
from bs4.element import AttributeValueWithCharsetSubstitution

__all__ = ["serialize", "serialize_contents"]

#: HTML elements whose text is written out raw (HTML5 reads it raw again).
RAW_TEXT_PARENTS = frozenset({"script", "style"})
_HTML_NS = "http://www.w3.org/1999/xhtml"
_GONE = "_decomposed"
_END_TAG = re.compile(r"</(?=script|style)", re.IGNORECASE)


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _quote(value: str) -> str:
    if '"' in value:
        if "'" in value:
            return '"' + value.replace('"', "&quot;") + '"'
        return "'" + value + "'"
    return '"' + value + '"'


def _start_tag(tag: Tag) -> str:
    name = f"{tag.prefix}:{tag.name}" if tag.prefix else tag.name
    attrs = tag.attrs
    if not attrs:
        return "<" + name
    parts = []
    for key, val in sorted(attrs.items()):
        if val is None:
            parts.append(key)
            continue
        if isinstance(val, (list, tuple)):
            val = " ".join(val)
        elif isinstance(val, AttributeValueWithCharsetSubstitution):
            val = val.substitute_encoding("utf-8")
        elif not isinstance(val, str):
            val = str(val)
        parts.append(key + "=" + _quote(_escape(val)))
    return "<" + name + " " + " ".join(parts)


def _empty(contents: list) -> bool:
    for c in contents:
        if not c.__dict__.get(_GONE):
            return False
    return True


def serialize_contents(node) -> str:
    """The children of ``node`` (a tag or the soup), written out."""
    out: list[str] = []
    append = out.append
    iters = [iter(node.contents)]
    closers: list[str] = [""]
    while iters:
        for child in iters[-1]:
            if child.__dict__.get(_GONE):  # removed (core/tree.py)
                continue
            if isinstance(child, Tag):
                if child.hidden:
                    iters.append(iter(child.contents))
                    closers.append("")
                    break
                start = _start_tag(child)
                if child.can_be_empty_element and _empty(child.contents):
                    append(start + "/>")
                    continue
                append(start + ">")
                iters.append(iter(child.contents))
                name = f"{child.prefix}:{child.name}" if child.prefix else child.name
                closers.append("</" + name + ">")
                break
            cls = type(child)
            if cls.PREFIX or cls.SUFFIX:  # comment, doctype, CDATA, declaration, PI
                append(cls.PREFIX + child + cls.SUFFIX)
            elif (child.parent is not None and child.parent.name in RAW_TEXT_PARENTS
                  and child.parent.namespace in (_HTML_NS, None)):
                # raw, as HTML5 reads it; an end tag in it could only come from an edit
                text = str(child)
                append(_END_TAG.sub("<\\\\/", text) if "</" in text else text)
            else:
                append(_escape(child))
        else:
            iters.pop()
            append(closers.pop())
    return "".join(out)


def serialize(soup) -> str:
    """The whole document, as ``soup.decode(formatter="minimal")`` writes it."""
    return serialize_contents(soup)


assert issubclass(NavigableString, str)
