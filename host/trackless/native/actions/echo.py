"""``echo``: returns ``data`` unchanged (diagnostics: chunking, unicode, latency)."""

from __future__ import annotations


def handle(params: dict, ctx) -> dict:
    return {"data": params.get("data")}
