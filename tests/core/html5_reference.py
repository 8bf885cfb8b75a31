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


def current_shape(html: str) -> list:
    """``shape`` of the tree html5ever (markupever) builds: a second reference
    that follows today's HTML standard where html5lib 1.1 predates it
    (``<template>`` in the head, ``</p>`` in foreign content, ...). Doctypes
    are compared by name only (html5ever does not tell a missing identifier
    from an empty one)."""
    import markupever as mp

    out = []
    tree = mp.parse(html, mp.HtmlOptions())
    stack = [(c, 1) for c in reversed(list(tree.root().children()))]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, mp.dom.Element):
            name = node.name
            attrs = tuple(sorted(((f"{k.prefix}:{k.local}" if k.prefix else k.local), v) for k, v in node.attrs.items()))
            out.append((depth, "tag", name.local, name.ns, attrs))
        elif isinstance(node, mp.dom.Text):
            if out and out[-1][0] == depth and out[-1][1] == "NavigableString":
                out[-1] = (depth, "NavigableString", out[-1][2] + node.content)
            else:
                out.append((depth, "NavigableString", node.content))
            continue
        elif isinstance(node, mp.dom.Comment):
            out.append((depth, "Comment", node.content))
            continue
        elif isinstance(node, mp.dom.Doctype):
            out.append((depth, "Doctype", node.name))
            continue
        else:
            continue
        for child in reversed(list(node.children())):
            stack.append((child, depth + 1))
    return out


def by_doctype_name(entries: list) -> list:
    return [(e[0], e[1], e[2].split(" ")[0]) if e[1] == "Doctype" else e for e in entries]
