"""``ping``: is the host alive, which version, which protocol, which actions."""

from __future__ import annotations

from ...version import PROTOCOL_VERSION, __version__


def handle(params: dict, ctx) -> dict:
    from ..dispatch import ACTIONS

    return {"name": "trackless", "version": __version__, "protocol": PROTOCOL_VERSION, "actions": sorted(ACTIONS)}
