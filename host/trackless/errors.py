"""The exception tree and the stable error codes.

Codes are a contract (CLI ``--json`` errors, host error frames): they are
only ever appended, never renamed or reused.

TracklessError
├── InputError          (bad_input)      the mail or HTML cannot be read
│   ├── TooLargeError   (too_large)      over a documented size/depth cap
│   └── NoHtmlError     (no_html)        an .eml without any HTML or text part
├── RuleError           (rules)          a rule data file is malformed
├── StoreError          (store)          settings file problem
│   └── StoreCorrupt    (store_corrupt)  settings file cannot be parsed; writes refused
└── NetworkError        (network)        a network feature failed
    ├── RefusedError    (refused)        a URL/address refused by policy (SSRF guard)
    ├── TimeoutNetworkError (timeout)    a per-hop or total time budget ran out
    ├── RedirectLoopError   (redirect_loop)       a redirect chain came back to a URL
    └── TooManyRedirectsError (too_many_redirects) more hops than allowed
"""

from __future__ import annotations

__all__ = [
    "ERROR_CODES", "TracklessError", "InputError", "TooLargeError", "NoHtmlError",
    "RuleError", "StoreError", "StoreCorrupt", "NetworkError", "RefusedError",
    "TimeoutNetworkError", "RedirectLoopError", "TooManyRedirectsError",
]

#: Stable error codes, append-only. code -> meaning.
ERROR_CODES = {
    "bad_input": "the mail or HTML could not be read",
    "too_large": "the input is over a documented size or depth cap",
    "no_html": "the mail has no HTML or text part",
    "rules": "a rule data file is malformed",
    "store": "the settings file could not be read or written",
    "store_corrupt": "the settings file cannot be parsed; writes are refused until it is fixed",
    "network": "a network request failed",
    "refused": "refused by policy (address or URL not allowed)",
    "bad_frame": "a frame could not be decoded (length, UTF-8 or JSON)",
    "bad_request": "the request is not an object with id and action of the right types",
    "unknown_action": "no such action",
    "internal": "an unexpected error inside the helper",
    "timeout": "a network request ran out of time",
    "redirect_loop": "a redirect chain came back to a URL it had already visited",
    "too_many_redirects": "a redirect chain was longer than allowed",
}


class TracklessError(Exception):
    code = "internal"


class InputError(TracklessError):
    code = "bad_input"


class TooLargeError(InputError):
    code = "too_large"


class NoHtmlError(InputError):
    code = "no_html"


class RuleError(TracklessError, ValueError):
    code = "rules"


class StoreError(TracklessError):
    code = "store"


class StoreCorrupt(StoreError):
    code = "store_corrupt"


class NetworkError(TracklessError):
    code = "network"


class RefusedError(NetworkError):
    code = "refused"


class TimeoutNetworkError(NetworkError):
    code = "timeout"


class RedirectLoopError(NetworkError):
    code = "redirect_loop"


class TooManyRedirectsError(NetworkError):
    code = "too_many_redirects"
