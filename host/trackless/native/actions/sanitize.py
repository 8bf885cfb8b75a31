"""``sanitize``: mail HTML in, ``Result.to_dict()`` out (the object of ``trackless sanitize --json``).

Params: ``html`` (string, required), ``from`` (sender address or null),
``to`` (array of the reader's addresses), ``authentication_results`` (array
of the mail's ``Authentication-Results`` header values, topmost first). The
stored allowlist decides which domains' images may be shown and whose links
are kept unmodified; the ``sender_images`` option shows images from the
sender's own domain when the topmost header authenticates the From domain.
An unusable settings file is an error (``store_corrupt``), never a silent
empty allowlist.

Ids of the reader learned from earlier mails of the sender are applied, and
this mail is learned from (``trackless.learnstore``; issue 17). The store is
an extra: if it cannot be written, the mail is still sanitized (logged).

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
    auth_results = str_list(params, "authentication_results", required=False, max_items=100)
    settings = store_of(ctx).load()
    import trackless
    from ...core.authres import verdict

    from ...learnstore import shared

    learned = shared()
    result = trackless.sanitize(
        html,
        sender=sender,
        recipients=recipients,
        allow=settings.image_domains,
        keep_links=settings.keep_link_domains,
        sender_images=bool(settings.options.get("sender_images", False)),
        auth=verdict(auth_results, sender),
        learned=learned.known(sender) or None,
    )
    try:
        learned.learn(sender, [r.url for r in result.remote] + [l.original for l in result.links])
    except OSError as exc:
        ctx.log.warning("learned ids not saved: %s", exc)
    from .state import fingerprint

    return {**result.to_dict(), "state": fingerprint(settings)}
