"""JSON from untrusted text with a bounded nesting depth.

``loads(text, max_depth=MAX_DEPTH)`` is ``json.loads`` that raises
``TooDeep`` (a ``ValueError``) for arrays/objects nested more than
``max_depth`` levels, whether the parser itself runs out of stack or the
value parses but would make a later recursive step (``json.dumps`` of a
reply, a rewrite of the file) fail deeper in the call stack. The depth is
measured by an explicit stack, in time linear in the number of values.
"""

from __future__ import annotations

import json

__all__ = ["MAX_DEPTH", "TooDeep", "depth_over", "loads"]

#: Nesting allowed in a request frame or the settings file (both need 3 or 4 levels).
MAX_DEPTH = 64


class TooDeep(ValueError):
    """The JSON is nested more deeply than allowed."""

    def __init__(self, limit: int):
        super().__init__(f"nested more than {limit} levels deep")
        self.limit = limit


def depth_over(value, limit: int) -> bool:
    """True when ``value`` has arrays/objects nested more than ``limit`` levels (iterative walk)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def loads(text: str, *, max_depth: int = MAX_DEPTH, **kw):
    """``json.loads(text, **kw)``; ``TooDeep`` when nested over ``max_depth``; other errors as json raises them."""
    try:
        value = json.loads(text, **kw)
    except RecursionError:
        raise TooDeep(max_depth) from None
    if depth_over(value, max_depth):
        raise TooDeep(max_depth)
    return value
