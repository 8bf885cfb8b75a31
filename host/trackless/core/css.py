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

#: Functions that run script (old Internet Explorer): always replaced by ``none``.
SCRIPT_FUNCTIONS = frozenset({"expression"})

#: Functions whose value is substituted in later (a URL string may hide there).
SUBSTITUTION_FUNCTIONS = frozenset({"var", "env", "attr"})

_ESC = r"\\(?:[0-9a-fA-F]{1,6}[ \t\n]?|[^\n0-9a-fA-F])"  # after preprocessing: no CR, FF
_STR_ESC = r"\\(?:[0-9a-fA-F]{1,6}[ \t\n]?|[\s\S])"  # in strings: escaped newline continues
_NMSTART = rf"(?:[a-zA-Z_\u0080-\U0010ffff]|{_ESC})"
_NMCHAR = rf"(?:[a-zA-Z0-9_\-\u0080-\U0010ffff]|{_ESC})"
_IDENT = rf"(?:--|-?{_NMSTART}){_NMCHAR}*"
_TOKEN = re.compile(
    rf"""(?P<comment>/\*[\s\S]*?(?:\*/|\Z))
      | (?P<string>"(?:[^"\\\n]|{_STR_ESC})*(?:"|(?=\n)|\\?\Z)
                  |'(?:[^'\\\n]|{_STR_ESC})*(?:'|(?=\n)|\\?\Z))
      | (?P<cdx><!--|-->)
      | (?P<at>@{_IDENT})
      | (?P<ident>{_IDENT})(?P<paren>\()?
      | (?P<punct>[(){{}};])
      | (?P<other>[^"'/@\\a-zA-Z_\-\u0080-\U0010ffff(){{}};<]+|[\s\S])
    """,
    re.VERBOSE,
)
_URL_BODY = re.compile(rf"[ \t\n]*((?:[^)\"'(\\ \t\n\x00-\x08\x0b\x0e-\x1f\x7f]|{_ESC})*)[ \t\n]*(\)|\Z)")
_BAD_URL_REST = re.compile(rf"(?:{_ESC}|[^)\\]|\\)*?(?:\)|\Z)")
_WS_THEN = re.compile(r"[ \t\n]*(.?)", re.S)
_ESC_ONE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n]?|(\n)|([\s\S]))|\\\Z")
_NEWLINES = re.compile(r"\r\n|[\r\f]")
_HINT = re.compile(r"url|@import|image|src|expression|\\", re.IGNORECASE)


def _unescape(text: str) -> str:
    def one(m: re.Match) -> str:
        if m.group(1):
            cp = int(m.group(1), 16)
            return "\ufffd" if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF else chr(cp)
        if m.group(2):
            return ""  # escaped newline: line continuation inside strings
        return m.group(3) or ""  # a lone backslash at the end does nothing

    return _ESC_ONE.sub(one, text) if "\\" in text else text


def _string_value(tok: str) -> str:
    body = tok[1:]
    if body.endswith(tok[0]) and len(tok) >= 2 and not _escaped_end(body):
        body = body[:-1]
    return _unescape(body)


def _escaped_end(body: str) -> bool:
    """Does the closing quote of ``body`` belong to an escape (odd backslashes before it)?"""
    i = len(body) - 1
    n = 0
    while i > 0 and body[i - 1] == "\\":
        n += 1
        i -= 1
    return n % 2 == 1


def preprocess(text: str) -> str:
    """CSS Syntax's input preprocessing: CR LF, CR and FF become LF; NUL becomes U+FFFD."""
    if "\r" in text or "\f" in text:
        text = _NEWLINES.sub("\n", text)
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text


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
    """Rewrite ``text`` so that every reference ``keep`` refuses is gone.

    The analysis runs on the preprocessed text (newlines normalised), which is
    what an engine tokenizes; unchanged CSS comes back as the very same string.
    """
    if not may_reference(text):
        return text, []
    original = text
    text = preprocess(text)
    out: list[str] = []
    refs: list[CssRef] = []
    stack: list[_Frame] = []  # open functions and parentheses, outermost first
    outer: int | None = None  # index in stack of the outermost URL function
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
        if outer is not None:
            stack[outer].refused = True  # the outermost is what gets replaced
        if pending_at == "import":
            import_refused = True

    def push(name: str) -> None:
        nonlocal outer
        if name and outer is None:
            outer = len(stack)
        stack.append(_Frame(name, len(out)))

    def close() -> None:
        nonlocal outer
        if not stack:
            return
        fr = stack.pop()
        if outer is not None and len(stack) == outer:
            outer = None
            if fr.refused:
                del out[fr.start:]
                out.append("none")

    while pos < n:
        m = _TOKEN.match(text, pos)
        pos = m.end()
        kind = m.lastgroup if m.lastgroup != "paren" else "ident"
        tok = m.group()
        if kind == "ident" and m.group("paren"):
            name = _unescape(m.group("ident")).lower()
            if name == "url":
                body = _URL_BODY.match(text, pos)
                nxt = _WS_THEN.match(text, pos).group(1)
                if nxt in ("'", '"'):
                    push("url")
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
            if name in SUBSTITUTION_FUNCTIONS and outer is not None:
                # var()/env()/attr() inside image-set() or src() can hand it a
                # URL string we cannot see here: refuse the URL function whole
                refuse()
                changed = True
            push(name if name in URL_FUNCTIONS or name in SCRIPT_FUNCTIONS else "")
            if name in SCRIPT_FUNCTIONS:
                refuse()  # script in CSS (old IE): never kept
                changed = True
            out.append(tok)
            continue
        if kind == "string":
            if outer is not None or pending_at == "import":
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
                push("")
                out.append(tok)
            elif tok == ")":
                out.append(tok)
                close()
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
                if pending_at == "import" and import_refused:
                    del out[import_start:]
                    changed = True
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
        close()
    if pending_at == "import" and import_refused:
        del out[import_start:]
        changed = True
    if not changed and not any(not r.kept for r in refs):
        return original, refs
    return "".join(out), refs


