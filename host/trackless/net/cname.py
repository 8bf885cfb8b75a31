"""CNAME uncloaking: is a first-party host (``epost.brand.example``) an ESP's tracker in disguise?

* ``recipient_label(name, identity)`` -- pure: why ``name`` must NOT be
  looked up, or None. A DNS query for a name unique to the recipient tells
  the sender's DNS server that the mail was opened, so names with a
  per-recipient-looking label are never queried: long labels, hex / UUID /
  long-number ids, random-looking letter-digit mixes, high-entropy base64
  or base32 strings, and anything carrying the reader's address (its local
  part, or the address encoded or hashed, see ``trackless.core.identity``).
* ``CnameRules`` -- the targets in ``rules/cname.toml`` (vendor per rule);
  a target matches a listed name or any subdomain of it.
* ``CnameChecker`` -- follows the CNAME chain with dnspython (an A query, as
  a browser would make; a recursive resolver returns the chain in one
  answer; when it does not, the last target is asked again), bounded in
  depth and time (each query ``timeout``; with a ``deadline``, the whole
  batch: a sender whose DNS never answers cannot hold the helper past it);
  answers are cached on disk with their TTL (clamped to 5 min .. 1 day;
  NXDOMAIN and "no CNAME" for an hour; failures not cached).

Lookups are made only when the caller decides to (the add-on when the user
enabled ``dns_uncloaking``; ``trackless report``); nothing here runs while a
mail is sanitized.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

from ..errors import RuleError

__all__ = ["recipient_label", "CnameRule", "CnameRules", "load_cname_rules", "Uncloaked", "CnameChecker"]

MAX_DEPTH = 8
MAX_QUERIES = 4
TTL_MIN, TTL_MAX, TTL_NEGATIVE = 300, 86400, 3600

_HEX_ID = re.compile(r"[0-9a-f]{12,}")
_UUIDISH = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LONG_NUMBER = re.compile(r"\d{9,}")
#: Five consonants (or digits) in a row: rare in words and names, common in random tokens.
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xz0-9]{5,}")


def _entropy(s: str) -> float:
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values()) if n else 0.0


def _transitions(s: str) -> int:
    """Letter<->digit switches among the alphanumerics (hyphens ignored)."""
    kinds = ["d" if c.isdigit() else "a" for c in s if c.isalnum()]
    return sum(1 for a, b in zip(kinds, kinds[1:]) if a != b)


def _label_reason(label: str) -> str | None:
    if len(label) > 40:
        return "long label"
    if _UUIDISH.search(label):
        return "uuid-like label"
    if _HEX_ID.search(label) and any(c.isdigit() for c in label):
        return "hex id label"
    if _LONG_NUMBER.search(label):
        return "long number label"
    digits = sum(c.isdigit() for c in label)
    if len(label) >= 10 and _transitions(label) >= 5:
        return "random-looking label"
    if len(label) >= 16 and digits >= 4:
        return "random-looking label"
    for part in label.split("-"):
        if len(part) >= 12 and _CONSONANT_RUN.search(part):
            return "random-looking label"
        if len(part) >= 16 and _entropy(part) >= 3.6:
            return "high-entropy label"
    return None


def recipient_label(name: str, identity=None) -> str | None:
    """Why ``name`` looks per-recipient (so it must not be looked up), or None if it may be."""
    host = name.strip().rstrip(".").lower()
    if not host or len(host) > 253:
        return "not a host name"
    labels = host.split(".")
    if any(not lab or len(lab) > 63 for lab in labels):
        return "not a host name"
    if identity:
        if identity.found_in(host):
            return "contains your address"
        squashed = re.sub(r"[^a-z0-9]", "", host)
        for addr in identity.addresses:
            local = re.sub(r"[^a-z0-9]", "", addr.split("@", 1)[0])
            if len(local) >= 4 and local in squashed:
                return "contains your address"
    for lab in labels[:-1]:  # the top-level domain is never per-recipient
        why = _label_reason(lab)
        if why:
            return f"{why} ({lab[:12]}{'...' if len(lab) > 12 else ''})"
    return None


# ---------------------------------------------------------------- rules

@dataclass(frozen=True)
class CnameRule:
    id: str
    vendor: str
    targets: tuple[str, ...]
    source: str = ""
    examples: tuple[tuple[str, tuple[str, ...], bool], ...] = ()

    def matches(self, name: str) -> bool:
        name = name.rstrip(".").lower()
        return any(name == t or name.endswith("." + t) for t in self.targets)


@dataclass(frozen=True)
class CnameRules:
    rules: tuple[CnameRule, ...] = ()

    def match_chain(self, chain) -> CnameRule | None:
        """The first rule any target of ``chain`` matches (chain order first, then rule order)."""
        for name in chain:
            for rule in self.rules:
                if rule.matches(name):
                    return rule
        return None


_NAME = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


def parse_cname_rules(label: str, data: dict) -> CnameRules:
    extra = set(data) - {"cname"}
    if extra:
        raise RuleError(f"{label}: unknown top-level keys {sorted(extra)}")
    out, seen = [], set()
    for raw in data.get("cname", []):
        rid = raw.get("id")
        if not isinstance(rid, str) or not rid or rid in seen:
            raise RuleError(f"{label}: rule without a unique id: {rid!r}")
        seen.add(rid)
        unknown = set(raw) - {"id", "vendor", "targets", "source", "examples"}
        if unknown:
            raise RuleError(f"{label}: {rid}: unknown keys {sorted(unknown)}")
        vendor, targets = raw.get("vendor"), raw.get("targets")
        if not isinstance(vendor, str) or not vendor:
            raise RuleError(f"{label}: {rid}: vendor must be a non-empty string")
        if not isinstance(targets, list) or not targets or not all(isinstance(t, str) and _NAME.match(t) for t in targets):
            raise RuleError(f"{label}: {rid}: targets must be a non-empty list of lower-case domain names")
        examples = []
        for ex in raw.get("examples", []):
            if (not isinstance(ex, dict) or set(ex) != {"host", "chain", "match"} or not isinstance(ex["match"], bool)
                    or not isinstance(ex["chain"], list) or not isinstance(ex["host"], str)):
                raise RuleError(f"{label}: {rid}: each example is {{host, chain, match}}")
            examples.append((ex["host"], tuple(ex["chain"]), ex["match"]))
        if not any(m for _, _, m in examples):
            raise RuleError(f"{label}: {rid}: needs at least one matching example")
        out.append(CnameRule(rid, vendor, tuple(targets), str(raw.get("source", "")), tuple(examples)))
    return CnameRules(tuple(out))


@functools.lru_cache(maxsize=1)
def load_cname_rules() -> CnameRules:
    label = "rules/cname.toml"
    try:
        text = resources.files("trackless").joinpath("rules", "cname.toml").read_text("utf-8")
        data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{label}: {exc}") from exc
    return parse_cname_rules(label, data)


# ---------------------------------------------------------------- lookups

@dataclass(frozen=True)
class Uncloaked:
    """The verdict for one host.

    status: ``tracker`` (a chain target matched a rule), ``clean`` (a chain,
    or none, with no match), ``skipped`` (not looked up: ``reason`` says
    why), ``nxdomain``, ``failed`` (timeout or server failure; ``reason``).
    """

    host: str
    status: str
    chain: tuple[str, ...] = ()
    vendor: str | None = None
    rule: str | None = None
    reason: str | None = None
    cached: bool = False

    def to_dict(self) -> dict:
        return {"host": self.host, "status": self.status, "chain": list(self.chain), "vendor": self.vendor,
                "rule": self.rule, "reason": self.reason, "cached": self.cached}


def _cnames_in(response, start: str) -> tuple[list[str], int | None, bool]:
    """Follow CNAMEs from ``start`` inside one response: (targets, min ttl, has data for the last name)."""
    import dns.rdatatype

    by_owner = {}
    for rrset in response.answer:
        by_owner.setdefault(rrset.name.to_text().rstrip(".").lower(), []).append(rrset)
    chain, ttl, current = [], None, start
    for _ in range(MAX_DEPTH):
        found = None
        for rrset in by_owner.get(current, []):
            if rrset.rdtype == dns.rdatatype.CNAME:
                found = rrset
                break
        if found is None:
            return chain, ttl, bool(by_owner.get(current))
        target = found[0].target.to_text().rstrip(".").lower()
        ttl = found.ttl if ttl is None else min(ttl, found.ttl)
        chain.append(target)
        current = target
    return chain, ttl, True


@dataclass
class CnameChecker:
    """Look up CNAME chains; inject ``resolver`` (a ``dns.resolver.Resolver``) or ``nameservers``."""

    resolver: object | None = None
    nameservers: tuple[str, ...] | None = None
    port: int = 53
    timeout: float = 2.0
    cache: object | None = None  # DiskCache-like
    rules: CnameRules | None = None
    queries: list = field(default_factory=list, repr=False)

    def _resolver(self):
        if self.resolver is None:
            import dns.resolver

            r = dns.resolver.Resolver(configure=self.nameservers is None)
            if self.nameservers is not None:
                r.nameservers = list(self.nameservers)
                r.port = self.port
            r.timeout = self.timeout
            r.lifetime = self.timeout
            r.cache = None
            self.resolver = r
        return self.resolver

    def _query(self, name: str, deadline=None):
        """(targets, ttl, complete) or raises; NXDOMAIN gives ([...], None, True) with status."""
        import dns.exception
        import dns.resolver

        lifetime = self.timeout if deadline is None else min(self.timeout, deadline.remaining())
        if lifetime <= 0:
            raise dns.resolver.LifetimeTimeout(timeout=0.0, errors=[])
        self.queries.append(name)
        try:
            ans = self._resolver().resolve(name, "A", raise_on_no_answer=False, search=False, lifetime=lifetime)
        except dns.resolver.NXDOMAIN as exc:
            targets: list[str] = []
            for resp in exc.responses().values():
                targets, _ttl, _ = _cnames_in(resp, name)
                break
            return "nxdomain", targets, None, True
        return ("ok", *_cnames_in(ans.response, name))

    def chain(self, name: str, identity=None, deadline=None) -> Uncloaked:
        """``deadline`` (``transport.Deadline``-like, optional): no query starts or runs past it."""
        import dns.exception
        import dns.resolver

        host = name.strip().rstrip(".").lower()
        why = recipient_label(host, identity)
        if why:
            return Uncloaked(host, "skipped", reason=f"not looked up: {why}")
        if self.cache is not None:
            hit = self.cache.get_json("cname:" + host)
            if isinstance(hit, dict) and "status" in hit:
                return Uncloaked(host, hit["status"], tuple(hit.get("chain", ())), reason=hit.get("reason"), cached=True)
        if deadline is not None and deadline.remaining() <= 0:
            return Uncloaked(host, "failed", reason="not looked up: the time budget for these lookups is spent")
        chain: list[str] = []
        ttl: int | None = None
        status, current, seen = "clean", host, {host}
        try:
            for _ in range(MAX_QUERIES):
                status, targets, t, complete = self._query(current, deadline)
                if t is not None:
                    ttl = t if ttl is None else min(ttl, t)
                for target in targets:
                    if target in seen or len(chain) >= MAX_DEPTH:
                        complete = True
                        break
                    seen.add(target)
                    chain.append(target)
                if status != "ok" or complete or not targets:
                    break
                current = chain[-1]
                if recipient_label(current):
                    break
            status = "nxdomain" if status == "nxdomain" else "clean"
        except dns.resolver.LifetimeTimeout:
            return Uncloaked(host, "failed", tuple(chain), reason="DNS lookup timed out")
        except (dns.exception.DNSException, OSError) as exc:
            return Uncloaked(host, "failed", tuple(chain), reason=f"DNS lookup failed: {exc.__class__.__name__}")
        result = Uncloaked(host, status, tuple(chain))
        if self.cache is not None:
            life = TTL_NEGATIVE if (status == "nxdomain" or not chain or ttl is None) else min(max(ttl, TTL_MIN), TTL_MAX)
            self.cache.put_json("cname:" + host, {"status": status, "chain": list(chain)}, life)
        return result

    def check(self, host: str, identity=None, deadline=None) -> Uncloaked:
        """Look up ``host``'s chain and match it against the CNAME rules."""
        got = self.chain(host, identity, deadline)
        if got.status in ("skipped", "failed") or not got.chain:
            return got
        rules = self.rules if self.rules is not None else load_cname_rules()
        rule = rules.match_chain(got.chain)
        if rule is None:
            return got
        return Uncloaked(got.host, "tracker", got.chain, rule.vendor, rule.id, got.reason, got.cached)

    def check_many(self, hosts, identity=None, deadline=None) -> dict[str, Uncloaked]:
        """Each distinct host once, in order."""
        out: dict[str, Uncloaked] = {}
        for h in hosts:
            key = h.strip().rstrip(".").lower()
            if key and key not in out:
                out[key] = self.check(key, identity, deadline)
        return out
