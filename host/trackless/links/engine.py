"""The unwrapping loop: outer wrapper first, to a fixed point, then clean.

For one link:

1. Anything that is not an absolute http(s) URL with an unambiguous host
   (``mailto:``, ``tel:``, ``cid:``, ``#top``, relative, garbage, or hosts two
   parsers disagree about) comes back ``unchanged`` with ``final == original``.
2. Find the wrapper rules whose host/path/query conditions hold, best first.
   An opaque rule ends the walk: status ``opaque``, ``final`` None. A
   decodable rule runs its decoder pipeline; the result must pass
   ``validate.accept``. If it does not, the rule's ``on_fail`` decides:
   ``opaque`` (a known wrapper we could not open: keep it, say so) or
   ``skip`` (a signature-only or generic rule: try the next rule, or treat
   the URL as a normal page).
3. Repeat on the decoded destination (gateway -> ESP -> redirector), at most
   ``MAX_DEPTH`` levels; a loop or too deep a nest is reported ``opaque``.
4. Clean tracking parameters on the final page URL only (never on a wrapper).

A fragment on a wrapper link whose decoded destination has none is carried
over, as a browser does when it follows a redirect without a fragment.

An opaque result keeps ``final`` None; its ``chain`` holds the wrappers that
were opened on the way, so ``chain[-1]`` (or the original when the chain is
empty) is the innermost URL to resolve on request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..core.identity import Identity
from ..result import Link
from .decoders import run_pipeline
from .params import clean
from .rules import Rules, WrapperRule
from .urls import Parts, first_values
from .validate import MAX_URL, accept, check_original

__all__ = ["unwrap_with", "classify_with", "MAX_DEPTH"]

MAX_DEPTH = 6


def _match(rules: Rules, parts: Parts) -> list[WrapperRule]:
    candidates = rules.candidates(parts.host, parts.path)
    if not candidates:
        return []
    params = first_values(parts.query)
    return [r for r in candidates if r.matches(parts, params)]


def classify_with(rules: Rules, url: str) -> str | None:
    """The vendor of the known (non-generic) wrapper this URL is, or None."""
    if not isinstance(url, str) or len(url) > MAX_URL:
        return None
    try:  # cheap screen: a host no rule names needs no two-parser check
        quick = urlsplit(url.strip())
        if not rules.candidates(quick.hostname or "", quick.path):
            return None
    except ValueError:
        return None
    parts = check_original(url.strip())
    if parts is None:
        return None
    for rule in _match(rules, parts):
        if not rule.generic:
            return rule.vendor
    return None


def _join(names: list[str]) -> str | None:
    out: list[str] = []
    for n in names:
        if n not in out:
            out.append(n)
    return " > ".join(out) if out else None


def unwrap_with(rules: Rules, url: str, identity: Identity | None = None, keep: bool = False) -> Link:
    """The link engine over explicit rules. Raises only on programming errors;
    ``trackless.links.unwrap`` guards it."""
    original = url
    text = url.strip()
    if not text or len(text) > MAX_URL:
        return Link(original, original, "unchanged")
    parts = check_original(text)
    if parts is None:
        return Link(original, original, "unchanged")

    texts: list[str] = [text]        # everything checked for the reader's address
    chain: list[str] = []            # wrappers opened, after the original
    vendors: list[str] = []
    rule_ids: list[str] = []
    seen = {text}
    current, current_parts = text, parts
    status = None                    # "opaque" when the walk ends on a wrapper

    for _depth in range(MAX_DEPTH + 1):
        matched = _match(rules, current_parts)
        if not matched:
            break
        step_to = None
        decided = None
        for rule in matched:
            if rule.kind == "opaque":
                decided = rule
                break
            decoded: list[str] = []
            dest = accept(run_pipeline(rule.steps, current, decoded))
            texts.extend(decoded)
            if dest is not None and current_parts.fragment is not None and "#" not in dest:
                # a redirect without a fragment keeps the clicked link's fragment
                # (RFC 9110 section 10.2.2), so the destination gets it too
                dest = accept(dest + "#" + current_parts.fragment) or dest
            if dest is not None and dest not in seen:
                decided, step_to = rule, dest
                break
            if rule.on_fail == "opaque":
                decided = rule
                break
        if decided is None:
            break  # only generic/signature rules matched and none applied: a page
        vendors.append(decided.vendor)
        rule_ids.append(decided.id)
        if step_to is None:
            status = "opaque"
            break
        if current is not text:
            chain.append(current)
        if _depth == MAX_DEPTH:
            status = "opaque"  # still a wrapper at the depth limit
            break
        seen.add(step_to)
        current = step_to
        current_parts = check_original(step_to)
        texts.append(step_to)
        if current_parts is None:  # pragma: no cover - accept() already checked
            status = "opaque"
            break

    if status == "opaque":
        if current is not text and (not chain or chain[-1] != current):
            chain.append(current)
        return _finish(Link(original, None, "opaque", (), _join(vendors), False, _join(rule_ids) if rule_ids else None,
                            tuple(chain)), texts, identity, keep)

    final, removed, families, param_rules = clean(current, rules.params, current_parts)
    if rule_ids:
        link = Link(original, final, "unwrapped", removed, _join(vendors), False, _join(rule_ids), tuple(chain))
    elif removed:
        link = Link(original, final, "cleaned", removed, ", ".join(families), False, ", ".join(param_rules))
    else:
        link = Link(original, original, "unchanged")
    return _finish(link, texts, identity, keep)


def _finish(link: Link, texts: list[str], identity: Identity | None, keep: bool) -> Link:
    identifies = False
    if identity:
        identifies = any(identity.found_in(t) for t in texts)
    if keep:
        return Link(link.original, link.original, "unchanged", (), link.vendor, identifies, "keep")
    if identifies == link.identifies_you:
        return link
    return Link(link.original, link.final, link.status, link.removed, link.vendor, identifies, link.rule, link.chain)
