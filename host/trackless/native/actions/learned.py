"""``learned.clear``: forget the ids learned from the reader's mail (the options
page's "Forget learned ids"). Result: ``{"cleared": true|false}`` (false: there
was nothing stored)."""

from __future__ import annotations


def clear(params: dict, ctx) -> dict:
    from ...learnstore import shared

    return {"cleared": shared().clear()}
