"""Writing a parsed tree back out: the same bytes as bs4's ``decode(formatter="minimal")``, faster.

bs4's serializer is general (formatters, pretty-printing, event streams) and
costs about as much as parsing. This one does only what Trackless needs and
produces exactly bs4's output, which the golden files and a comparison test
(tests/core/test_serialize.py) hold it to: attributes sorted by name,
values escaped (``&`` ``<`` ``>``) and quoted as bs4 quotes them, void
elements written ``<br/>``, text escaped except inside ``script``/``style``,
comments, doctypes and the like written with their own delimiters, a
``<meta charset>`` re-declared as utf-8. Iterative: no recursion per element.
"""

from __future__ import annotations

from bs4 import NavigableString, Tag
from bs4.element import AttributeValueWithCharsetSubstitution

__all__ = ["serialize", "serialize_contents"]

#: Elements whose text bs4 writes out raw.
RAW_TEXT_PARENTS = frozenset({"script", "style"})


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


def serialize_contents(node) -> str:
    """The children of ``node`` (a tag or the soup), written out."""
    out: list[str] = []
    append = out.append
    iters = [iter(node.contents)]
    closers: list[str] = [""]
    while iters:
        for child in iters[-1]:
            if isinstance(child, Tag):
                if child.hidden:
                    iters.append(iter(child.contents))
                    closers.append("")
                    break
                start = _start_tag(child)
                if not child.contents and child.can_be_empty_element:
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
            elif child.parent is not None and child.parent.name in RAW_TEXT_PARENTS:
                append(str(child))
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
