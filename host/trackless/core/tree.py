"""Editing the parsed tree in constant time per edit (no per-node walks).

bs4's own ``extract``/``decompose``/``unwrap``/``clear`` look a node up in its
parent's list (linear per call), so removing many siblings was quadratic.
Here a removal only marks the node: the walk skips what lies under a removed
node (a parent is always visited before its children) and the serializer
leaves it out; an unwrapped element is ``hidden`` (bs4's own flag: its
children are written in its place).
"""

from __future__ import annotations

from bs4 import NavigableString, Tag

__all__ = ["gone", "remove", "unwrap", "clear", "has_content", "remove_keep_content", "text_of", "set_text"]

_GONE = "_decomposed"


def gone(node) -> bool:
    """Was this node removed? (Not ``el.decomposed``: on a live tag bs4 falls
    back to searching the subtree for a child named ``_decomposed``.)"""
    return node.__dict__.get(_GONE, False)


def remove(node) -> None:
    """Remove a node and everything under it."""
    node.__dict__[_GONE] = True


def unwrap(el) -> None:
    """Remove an element but keep its content where it is."""
    el.hidden = True


def clear(el) -> None:
    """Remove an element's content."""
    for child in el.contents:
        child.__dict__[_GONE] = True


def has_content(el) -> bool:
    """Does the element hold anything a reader could see (an element or non-blank text)?"""
    for child in el.contents:
        if gone(child):
            continue
        if type(child) is Tag:
            return True
        if type(child) is NavigableString and child.strip():
            return True
    return False


def remove_keep_content(el) -> None:
    """Remove an element; its content, if it has any, stays."""
    if has_content(el):
        unwrap(el)
    else:
        remove(el)


def text_of(el) -> str:
    """The text of every text node under ``el`` (comments and the like excluded)."""
    if len(el.contents) == 1 and type(el.contents[0]) is NavigableString:
        return str(el.contents[0])
    parts = []
    for node in el.descendants:
        if type(node) is NavigableString:
            parts.append(node)
    return "".join(parts)


def set_text(el, text: str) -> None:
    """Replace the content of ``el`` with one text node."""
    if len(el.contents) == 1 and type(el.contents[0]) is NavigableString:
        el.contents[0].replace_with(NavigableString(text))
        return
    clear(el)
    el.append(NavigableString(text))
