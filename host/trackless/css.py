"""Finding and neutralising URL references in CSS (style attributes and blocks).

A small tokenizer after CSS Syntax Level 3, enough to see what an engine
would fetch: ``url()`` tokens and ``url("...")`` functions (names may be
escaped: ``u\\72l(``), strings inside ``image-set()``/``-webkit-image-set()``/
``image()``/``cross-fade()``/``src()``, ``@import`` (string or url), and
``@font-face`` sources. Comments are skipped, escapes decoded, unclosed
strings/urls/comments handled as the engine does.

``rewrite_css(text, keep)`` asks ``keep(url, context)`` for every reference
(context: ``"image"``, ``"font"`` or ``"import"``) and replaces a refused
reference's whole function with ``none``; every ``@import`` statement whose
reference is refused is removed. Unchanged CSS is returned as the very same
string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

__all__ = ["CssRef", "rewrite_css", "may_reference"]

#: Functions whose string arguments are URLs.
URL_FUNCTIONS = frozenset({"url", "src", "image-set", "-webkit-image-set", "image", "-webkit-image",
                           "cross-fade", "-webkit-cross-fade"})

#: Functions whose value is substituted in later (a URL string may hide there).
SUBSTITUTION_FUNCTIONS = frozenset({"var", "env", "attr"})

_ESC = r"\\(?:[0-9a-fA-F]{1,6}[ \t\n\r\f]?|[^\n\r\f0-9a-fA-F])"
_NMSTART = rf"(?:[a-zA-Z_\u0080-\U0010ffff]|{_ESC})"
_NMCHAR = rf"(?:[a-zA-Z0-9_\-\u0080-\U0010ffff]|{_ESC})"
_IDENT = rf"(?:--|-?{_NMSTART}){_NMCHAR}*"
_TOKEN = re.compile(
    rf"""(?P<comment>/\*[\s\S]*?(?:\*/|\Z))
      | (?P<string>"(?:[^"\\\n\r\f]|\\[\s\S])*(?:"|(?=[\n\r\f])|\Z)
                  |'(?:[^'\\\n\r\f]|\\[\s\S])*(?:'|(?=[\n\r\f])|\Z))
      | (?P<at>@{_IDENT})
      | (?P<ident>{_IDENT})(?P<paren>\()?
      | (?P<punct>[(){{}};])
      | (?P<other>[^"'/@\\a-zA-Z_\-\u0080-\U0010ffff(){{}};]+|[\s\S])
    """,
    re.VERBOSE,
)
_URL_BODY = re.compile(rf"[ \t\n\r\f]*((?:[^)\"'(\\ \t\n\r\f\x00-\x08\x0b\x0e-\x1f\x7f]|{_ESC})*)[ \t\n\r\f]*(\)|\Z)")
_BAD_URL_REST = re.compile(rf"(?:{_ESC}|[^)\\]|\\)*?(?:\)|\Z)")
_ESC_ONE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(\r\n|[\n\r\f])|([\s\S]))")
_HINT = re.compile(r"url|@import|image|src|\\", re.IGNORECASE)


def _unescape(text: str) -> str:
    def one(m: re.Match) -> str:
        if m.group(1):
            cp = int(m.group(1), 16)
            return "\ufffd" if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF else chr(cp)
        if m.group(2):
            return ""  # escaped newline: line continuation inside strings
        return m.group(3)

    return _ESC_ONE.sub(one, text) if "\\" in text else text


def _string_value(tok: str) -> str:
    body = tok[1:]
    if body.endswith(tok[0]) and len(tok) >= 2:
        body = body[:-1]
    return _unescape(body)


@dataclass(frozen=True)
class CssRef:
    """A URL reference in CSS: the URL (escapes decoded, as written otherwise),
    its context (``image``, ``font`` or ``import``) and whether it was kept."""

    url: str
    context: str
    kept: bool


def may_reference(text: str) -> bool:
    """Cheap pre-check: can this CSS reference anything at all?"""
    return bool(_HINT.search(text))


class _Frame:
    __slots__ = ("name", "start", "refused")

    def __init__(self, name: str, start: int):
        self.name, self.start, self.refused = name, start, False


def rewrite_css(text: str, keep: Callable[[str, str], bool]) -> tuple[str, list[CssRef]]:
    """Rewrite ``text`` so that every reference ``keep`` refuses is gone."""
    if not may_reference(text):
        return text, []
    out: list[str] = []
    refs: list[CssRef] = []
    stack: list[_Frame] = []  # open URL functions (outermost first) and plain parens
    changed = False
    block_depth = 0
    font_face_depth: int | None = None
    pending_at: str | None = None  # at-rule whose prelude we are in
    import_start: int | None = None
    import_refused = False
    pos, n = 0, len(text)

    def note(url: str) -> bool:
        if pending_at == "import":
            ctx = "import"
        elif font_face_depth is not None:
            ctx = "font"
        else:
            ctx = "image"
        ok = bool(keep(url, ctx))
        refs.append(CssRef(url, ctx, ok))
        return ok

    def refuse() -> None:
        nonlocal import_refused
        for fr in stack:
            if fr.name:
                fr.refused = True
        if pending_at == "import":
            import_refused = True

    while pos < n:
        m = _TOKEN.match(text, pos)
        pos = m.end()
        kind = m.lastgroup if m.lastgroup != "paren" else "ident"
        tok = m.group()
        if kind == "ident" and m.group("paren"):
            name = _unescape(m.group("ident")).lower()
            if name == "url":
                body = _URL_BODY.match(text, pos)
                nxt = text[pos:pos + 64].lstrip(" \t\n\r\f")[:1]
                if nxt in ("'", '"'):
                    stack.append(_Frame("url", len(out)))
                    out.append(tok)
                    continue
                if body is not None:
                    url = _unescape(body.group(1))
                    full = tok + body.group()
                    pos = body.end()
                    if note(url):
                        out.append(full)
                    else:
                        refuse()
                        out.append("none")
                        changed = True
                    continue
                bad = _BAD_URL_REST.match(text, pos)  # bad url: the engine ignores it
                pos = bad.end()
                out.append("none")
                changed = True
                continue
            if name in SUBSTITUTION_FUNCTIONS and any(fr.name for fr in stack):
                # var()/env()/attr() inside image-set() or src() can hand it a
                # URL string we cannot see here: refuse the URL function whole
                refuse()
                changed = True
            stack.append(_Frame(name if name in URL_FUNCTIONS else "", len(out)))
            out.append(tok)
            continue
        if kind == "string":
            if any(fr.name for fr in stack) or pending_at == "import":
                if not note(_string_value(tok)):
                    refuse()
                    changed = True
            out.append(tok)
            continue
        if kind == "at":
            name = _unescape(tok[1:]).lower()
            if name == "import":
                pending_at, import_start, import_refused = "import", len(out), False
            elif name == "font-face":
                pending_at = "font-face"
            else:
                pending_at = name
            out.append(tok)
            continue
        if kind == "punct":
            if tok == "(":
                stack.append(_Frame("", len(out)))
                out.append(tok)
            elif tok == ")":
                out.append(tok)
                _close(stack, out)
            elif tok == "{":
                if pending_at == "font-face":
                    font_face_depth = block_depth
                if pending_at == "import" and import_refused:
                    del out[import_start:]
                    changed = True
                pending_at = None
                block_depth += 1
                out.append(tok)
            elif tok == "}":
                block_depth = max(0, block_depth - 1)
                if font_face_depth is not None and block_depth <= font_face_depth:
                    font_face_depth = None
                pending_at = None
                out.append(tok)
            else:  # ;
                if pending_at == "import" and import_refused:
                    del out[import_start:]
                    changed = True
                    pending_at = None
                    continue
                if pending_at is not None and not stack:
                    pending_at = None
                out.append(tok)
            continue
        out.append(tok)
    while stack:
        _close(stack, out)
    if pending_at == "import" and import_refused:
        del out[import_start:]
        changed = True
    if not changed and not any(not r.kept for r in refs):
        return text, refs
    return "".join(out), refs


def _close(stack: list[_Frame], out: list[str]) -> None:
    if not stack:
        return
    fr = stack.pop()
    if fr.refused and fr.name and not any(f.name for f in stack):
        # outermost URL function holding a refused reference: replace it whole
        del out[fr.start:]
        out.append("none")
    elif fr.refused and stack:
        stack[-1].refused = stack[-1].refused or bool(stack[-1].name)
