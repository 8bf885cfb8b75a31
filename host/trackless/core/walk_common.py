"""What the walker's modules share: the markers left in the HTML, how deep
nested documents are followed, and small helpers."""

from __future__ import annotations

import re

#: How deep nested documents (iframe srcdoc, data: SVG/HTML) are followed.
MAX_NESTING = 3
BLOCKED_ATTR = "data-trackless-blocked"
ALLOWED_ATTR = "data-trackless-allowed"
ORIGINAL_ATTR = "data-trackless-original"
LINK_ATTR = "data-trackless-link"
VERDICT_ATTR = "data-trackless-verdict"
EVIDENCE_ATTR = "data-trackless-evidence"
ALIAS_ATTR = "data-trackless-alias"
VERDICT_ATTRS = (VERDICT_ATTR, EVIDENCE_ATTR, ALIAS_ATTR)

#: Anything that may name a remote place, in any spelling (fail closed).
REMOTEISH = re.compile(r"(?:https?|ftps?|wss?|file):|//|\\\\", re.I)
TABNL = re.compile(r"[\t\n\r]")


def attr_text(value) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)
