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
4. No rule decided: the list-free judgment (``judgment.judge``) may still
   call the link a tracker (a random-looking id through a tracking-shaped host
   or a path without words): ``unwrapped`` when a base64 destination is in it,
   else ``opaque``; rule ``judgment.token``, the evidence in ``reason``.
5. Clean tracking parameters on the final page URL only (never on a wrapper).
   ``cleaned`` means nothing identifying is left: a cleaned link whose query
   still carries a random-looking id is ``opaque`` instead (kept as written).

A literal space in a link is read as ``%20``, as a browser does.

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
from .judgment import id_left, judge
from .params import clean
from .rules import Rules, WrapperRule
from .urls import Parts, first_values
from .validate import MAX_URL, accept, check_original

__all__ = ["unwrap_with", "classify_with", "MAX_DEPTH"]

MAX_DEPTH = 6
#: Rule ids of the engine's own judgments (not rule files).
JUDGMENT_RULE = "judgment.token"
ID_LEFT_RULE = "judgment.id-left"


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
    if " " in text:
        text = text.replace(" ", "%20")  # what a browser sends
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
    reason = None
    cleaned = None                   # clean() of ``current`` when the walk ended on a page
    tracks = False                   # a click tracker (not only a gateway/redirector/shortener) was met

    for _depth in range(MAX_DEPTH + 1):
        matched = _match(rules, current_parts)
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
            # no rule applied: the list-free judgment (on the link without its
            # known tracking parameters), else a page
            cleaned = clean(current, rules.params, current_parts)
            verdict = judge(check_original(cleaned[0]) or current_parts if cleaned[1] else current_parts, accept)
            if verdict is None or verdict.dest in seen:
                break  # a page: ``cleaned`` is its cleaning
            vendors.append("Unknown click tracker")
            rule_ids.append(JUDGMENT_RULE)
            reason = verdict.reason
            tracks = True
            if verdict.dest is None:
                status = "opaque"
                break
            step_to = verdict.dest
            decided = True
        if decided is not True:
            vendors.append(decided.vendor)
            rule_ids.append(decided.id)
            reason = None
            tracks = tracks or decided.tracker
        if step_to is None:
            status = "opaque"
            reason = f"{decided.vendor} link: its destination is kept on the service's server (rule {decided.id})"
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
                            tuple(chain), reason, tracks), texts, identity, keep)

    if cleaned is None or rule_ids:
        cleaned = clean(current, rules.params, current_parts)
    final, removed, families, param_rules = cleaned
    per_reader = any(r not in rules.campaign_only for r in param_rules)
    if rule_ids:
        why = reason or f"destination decoded from the {_join(vendors)} link"
        left = id_left(check_original(final) or current_parts)
        if left:
            why += f"; the destination itself carries an id ({left})"
        link = Link(original, final, "unwrapped", removed, _join(vendors), False, _join(rule_ids), tuple(chain), why,
                    tracks or per_reader or bool(left))
    elif removed:
        left = id_left(check_original(final) or current_parts)
        if left:
            # "cleaned" means nothing identifying is left: keep the link as written, say why
            link = Link(original, None, "opaque", (), ", ".join(families), False, ID_LEFT_RULE, (),
                        f"tracking parameters ({', '.join(removed)}) and an id that cannot be removed safely ({left})",
                        True)
        else:
            link = Link(original, final, "cleaned", removed, ", ".join(families), False, ", ".join(param_rules), (),
                        f"tracking parameters removed: {', '.join(removed)}", per_reader)
    else:
        link = Link(original, original, "unchanged")
    return _finish(link, texts, identity, keep)


def _finish(link: Link, texts: list[str], identity: Identity | None, keep: bool) -> Link:
    identifies = False
    if identity:
        identifies = any(identity.found_in(t) for t in texts)
    if keep:
        return Link(link.original, link.original, "unchanged", (), link.vendor, identifies, "keep", (), link.reason)
    if link.status == "cleaned" and identifies and identity.found_in(link.final):
        # "cleaned" means nothing identifying is left: your address is
        return Link(link.original, None, "opaque", (), link.vendor, True, ID_LEFT_RULE, (),
                    f"tracking parameters ({', '.join(link.removed)}) removed but your address stays in the link", True)
    if identifies == link.identifies_you:
        return link
    return Link(link.original, link.final, link.status, link.removed, link.vendor, identifies, link.rule, link.chain,
                link.reason, link.tracker or identifies)
