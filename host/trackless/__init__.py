"""Trackless: remove mail trackers, unwrap tracking links, report what was found.

Public API::

    from trackless import sanitize
    result = sanitize(html, sender="news@brand.example", recipients=["me@example.org"])
    result.html, result.remote, result.links, result.badge, result.to_dict()
"""

from .result import Link, Remote, Result
from .version import PROTOCOL_VERSION, __version__

__all__ = ["sanitize", "unwrap", "Result", "Remote", "Link", "__version__", "PROTOCOL_VERSION"]


def sanitize(html, *, sender=None, recipients=(), allow=(), keep_links=(), sender_images=False, auth=None,
             learned=None):
    """Sanitize mail HTML; see ``trackless.core.sanitizer.sanitize``."""
    from .core.sanitizer import sanitize as _sanitize

    return _sanitize(html, sender=sender, recipients=recipients, allow=allow, keep_links=keep_links,
                     sender_images=sender_images, auth=auth, learned=learned)


def unwrap(url, *, recipients=()):
    """Unwrap and clean one link offline; see ``trackless.links.unwrap``."""
    from .core.identity import Identity
    from .links import unwrap as _unwrap

    return _unwrap(url, identity=Identity.of(recipients))
