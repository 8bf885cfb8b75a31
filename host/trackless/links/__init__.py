"""The link engine: unwrap tracking links offline, strip tracking parameters.

Public API (pure: no I/O apart from reading the shipped rule files once)::

    unwrap(url, *, identity=None, keep=False) -> trackless.result.Link
    clean_params(url) -> (url, removed_names)
    classify_host(url) -> vendor | None
    load_rules() -> Rules            # cached once per process; RuleError if bad

``unwrap`` never raises on a ``str``: a link it cannot handle comes back
``unchanged`` with ``final == original``. Statuses:

* ``unchanged``: not http(s), not a tracker, nothing removed (or ``keep``).
* ``cleaned``: known tracking parameters removed; ``vendor`` names their family.
* ``unwrapped``: the destination was decoded from the wrapper(s) and proven
  safe; ``final`` is it, cleaned; ``chain`` the inner wrappers opened.
* ``opaque``: a tracking wrapper whose destination lives on its server;
  ``final`` is None and the original link must stay as it is. ``chain[-1]``
  (or ``original``) is the innermost wrapper to resolve on request.

``keep=True`` (the user keeps this site's links as they are): ``unchanged``,
but ``vendor`` and ``identifies_you`` are still reported.

Generic fallback (decision, see ``rules/wrappers/generic.toml``): a query
value or path segment that is itself an absolute http(s) URL is unwrapped only
when the parameter has a redirect-shaped name (``url``, ``u``, ``target``,
``dest``, ``redirect``, ...) AND the path is a redirect-shaped endpoint
(``/redirect``, ``/out``, ``/click``, ``/track``, ...). Continuation
parameters of normal pages (``return_to``, ``next``, ``continue``,
``redirect_uri``, ``service``, ``callback``) are never unwrapped: dropping the
login page or OAuth step in front of them would change what the link does.
"""

from __future__ import annotations

from ..core.identity import Identity
from ..result import Link
from .engine import classify_with, unwrap_with
from .params import clean as _clean
from .rules import Rules, load_rules
from .urls import split as _split
from .validate import MAX_URL

__all__ = ["unwrap", "clean_params", "classify_host", "load_rules", "Rules", "Link"]


def unwrap(url: str, *, identity: Identity | None = None, keep: bool = False) -> Link:
    """Unwrap and clean one link offline (see the module docstring)."""
    if not isinstance(url, str):
        raise TypeError(f"unwrap() needs a str, got {type(url).__name__}")
    rules = load_rules()
    try:
        return unwrap_with(rules, url, identity, keep)
    except Exception:  # noqa: BLE001 - the contract: never raise on a str; fail closed
        return Link(url, url, "unchanged", rule="error")


def clean_params(url: str) -> tuple[str, tuple[str, ...]]:
    """Remove known tracking parameters from a page URL; (url, removed names).

    No unwrapping: callers that know the URL is a page (not a wrapper) use it.
    Non-http(s) input comes back as is.
    """
    if not isinstance(url, str) or len(url) > MAX_URL:
        return url, ()
    parts = _split(url)
    if parts is None:
        return url, ()
    rules = load_rules()
    if classify_with(rules, url) is not None:
        return url, ()  # never edit a wrapper's own parameters
    new, removed, _families, _rules = _clean(url, rules.params, parts)
    return new, removed


def classify_host(url: str) -> str | None:
    """The vendor if this URL's host/path is a known click-tracking wrapper or
    redirector (decodable or opaque), else None. Generic heuristics do not count."""
    return classify_with(load_rules(), url)
