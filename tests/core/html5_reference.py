"""The reference HTML5 tree (bs4's html5lib builder) and a tree comparison, for tests."""

from __future__ import annotations

import warnings


def reference(html: str):
    from bs4 import BeautifulSoup

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(html, "html5lib", multi_valued_attributes=None)


def shape(soup) -> list:
    """A flat, comparable description of a bs4 tree: one entry per node in
    document order with its depth, kind, name, namespace, attributes and text."""
    out = []
    stack = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        for child in reversed(getattr(node, "contents", None) or ()):
            stack.append((child, depth + 1))
        if node is soup:
            continue
        kind = type(node).__name__
        if kind == "Tag":
            attrs = tuple(sorted((str(k), str(v)) for k, v in node.attrs.items()))
            out.append((depth, "tag", node.name, node.namespace, attrs))
        else:
            out.append((depth, kind, str(node)))
    return out


def links_ok(soup) -> bool:
    """next_element/previous_element and sibling links agree with the contents lists."""
    order = []
    stack = [soup]
    while stack:
        node = stack.pop()
        order.append(node)
        for child in reversed(getattr(node, "contents", [])):
            stack.append(child)
    for a, b in zip(order, order[1:]):
        if a.next_element is not b or b.previous_element is not a:
            return False
    for node in order:
        kids = getattr(node, "contents", [])
        for i, k in enumerate(kids):
            if k.parent is not node:
                return False
            if k.previous_sibling is not (kids[i - 1] if i else None):
                return False
            if k.next_sibling is not (kids[i + 1] if i + 1 < len(kids) else None):
                return False
    return True
