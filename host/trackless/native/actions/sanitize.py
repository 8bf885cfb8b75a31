"""``sanitize``: mail HTML in, ``Result.to_dict()`` out (the object of ``trackless sanitize --json``).

Params: ``html`` (string, required), ``from`` (sender address or null),
``to`` (array of the reader's addresses). The stored allowlist decides which
domains' images may be shown and whose links are kept unmodified; an unusable
settings file is an error (``store_corrupt``), never a silent empty allowlist.

The result also carries ``state`` (see ``state.py``): the fingerprint of the
version, rules and settings it was made under, so the add-on can cache it.
"""

from __future__ import annotations

from ..protocol import opt_str, req_str, str_list
from . import store_of


def handle(params: dict, ctx) -> dict:
    html = req_str(params, "html")
    sender = opt_str(params, "from")
    recipients = str_list(params, "to", required=False, max_items=1000)
    settings = store_of(ctx).load()
    import trackless

    result = trackless.sanitize(
        html,
        sender=sender,
        recipients=recipients,
        allow=settings.image_domains,
        keep_links=settings.keep_link_domains,
    )
    from .state import fingerprint

    return {**result.to_dict(), "state": fingerprint(settings)}
