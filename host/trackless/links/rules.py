"""Loading and validating the link rules: wrappers and tracking parameters.

Data files (TOML, data not code):

* ``rules/wrappers/*.toml``: one file per wrapper family or vendor, each with
  ``[[rule]]`` tables::

      id = "microsoft.safelinks"          # unique across all files
      vendor = "Microsoft Safe Links"
      kind = "decodable"                  # or "opaque"
      source = "where the facts come from"
      hosts = ["exact.host"]              # and/or
      suffixes = ["example.net"]          # host == suffix or ends with .suffix
      host_regex = '^click\\.'            # and/or
      any_host = false                    # true: path/query signature only
      path = '^/url$'                     # regex searched in the raw path
      query = { qs = '^[0-9a-f]{20,}$' }  # required params, value regex ("" = any)
      query_text = '^[a-z0-9]{24,}$'      # regex searched in the raw query (keyless tokens)
      priority = 50                       # lower first; generic fallbacks use 90+
      on_fail = "opaque"                  # decodable whose decoding fails: "opaque" or "skip"
      generic = false                     # a heuristic, not a known vendor
      tracker = true                      # false: a security gateway, redirector or shortener
                                          # (not a tracker of the reader; not counted in the badge)
      decode = [{step = "query", name = "url"}, {step = "percent_decode"}]
      [[rule.examples]]                   # run as tests
      url = "..."; status = "unwrapped"; final = "..."  # (+ optional vendor, removed)

* ``rules/params.toml``: ``[[family]]`` (global tracking parameters: ``names``,
  ``prefixes``, ``not_tracking``; ``tracker = false`` for campaign tags that
  are the same for every reader, such as ``utm_*``), ``[[domain]]`` (per-domain ``names``) and
  ``[[exception]]`` (per-domain ``keep`` names or ``prefix*``), each with an
  id, a source and examples.

Every file is validated at load; errors are ``RuleError`` naming the file and
the rule id. ``load_rules()`` parses and compiles everything once per process.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from dataclasses import dataclass, field

from ..errors import RuleError
from ..ruleload import rule_files
from .decoders import CHOICES, STEPS, Step
from .params import ParamRules, host_suffixes
from .urls import Parts

__all__ = ["WrapperRule", "Rules", "load_rules", "compile_rules", "Example"]

KINDS = ("decodable", "opaque")
STATUSES = ("unchanged", "cleaned", "unwrapped", "opaque")
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*\Z")
_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\Z")


@dataclass(frozen=True)
class Example:
    rule_id: str
    label: str       # file the example lives in
    url: str
    status: str
    final: str | None
    vendor: str | None = None
    removed: tuple[str, ...] | None = None
    kind: str = "wrapper"  # "wrapper", "family", "domain" or "exception"


@dataclass(frozen=True, eq=False)
class WrapperRule:
    id: str
    vendor: str
    kind: str
    source: str
    file: str
    order: int
    hosts: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    host_regex: re.Pattern | None = None
    any_host: bool = False
    path: re.Pattern | None = None
    query: tuple[tuple[str, re.Pattern | None], ...] = ()
    query_text: re.Pattern | None = None
    priority: int = 50
    on_fail: str = "opaque"
    generic: bool = False
    steps: tuple[Step, ...] = ()
    tracker: bool = True

    def matches(self, parts: Parts, params: dict[str, str]) -> bool:
        """Path and query conditions (the host was matched by the index)."""
        if self.path is not None and self.path.search(parts.path) is None:
            return False
        for name, rx in self.query:
            if name not in params:
                return False
            if rx is not None and rx.search(params[name]) is None:
                return False
        if self.query_text is not None and self.query_text.search(parts.query or "") is None:
            return False
        return True


@dataclass(frozen=True)
class Rules:
    wrappers: tuple[WrapperRule, ...]
    params: ParamRules
    examples: tuple[Example, ...]
    by_host: dict = field(default_factory=dict)     # exact host -> rules
    by_suffix: dict = field(default_factory=dict)   # suffix -> rules
    scanned: tuple[WrapperRule, ...] = ()           # host_regex rules
    any_host: tuple[WrapperRule, ...] = ()          # any_host rules (path/query signature)
    any_prefilter: re.Pattern | None = None         # union of the any_host path patterns
    scan_prefilter: re.Pattern | None = None        # union of the scanned host regexes
    campaign_only: frozenset = frozenset()          # parameter rules that tag a campaign, not a reader

    def candidates(self, host: str, path: str = "") -> list[WrapperRule]:
        """Rules whose host condition holds (and, for any_host rules, whose path
        may match), in (priority, file order)."""
        host = host.rstrip(".")
        found: list[WrapperRule] = list(self.by_host.get(host, ()))
        for suffix in host_suffixes(host):
            found.extend(self.by_suffix.get(suffix, ()))
        if self.scanned and (self.scan_prefilter is None or self.scan_prefilter.search(host)):
            for rule in self.scanned:
                if rule.host_regex.search(host):
                    found.append(rule)
        if self.any_host and (self.any_prefilter is None or self.any_prefilter.search(path)):
            found.extend(self.any_host)
        if len(found) > 1:
            found = list(dict.fromkeys(found))  # identity (eq=False): drops repeats
            found.sort(key=lambda r: (r.priority, r.order))
        return found


# -- validation helpers ---------------------------------------------------------

def _fail(label: str, rid: str | None, msg: str):
    where = f"{label}: rule {rid!r}" if rid else label
    raise RuleError(f"{where}: {msg}")


def _check_keys(label, rid, table: dict, allowed: set, required: set, what="rule"):
    if not isinstance(table, dict):
        _fail(label, rid, f"{what} must be a table")
    unknown = set(table) - allowed
    if unknown:
        _fail(label, rid, f"unknown {what} key(s): {', '.join(sorted(unknown))}")
    missing = required - set(table)
    if missing:
        _fail(label, rid, f"missing {what} key(s): {', '.join(sorted(missing))}")


def _str(label, rid, table, key, default=None, *, nonempty=True):
    v = table.get(key, default)
    if v is None:
        return None
    if not isinstance(v, str) or (nonempty and not v.strip()):
        _fail(label, rid, f"{key!r} must be a non-empty string")
    return v


def _str_list(label, rid, table, key, *, lower=False, check=None) -> tuple[str, ...]:
    v = table.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        _fail(label, rid, f"{key!r} must be a list of non-empty strings")
    out = []
    for x in v:
        if lower and x != x.lower():
            _fail(label, rid, f"{key!r} entry {x!r} must be lower-case")
        if check is not None and not check(x):
            _fail(label, rid, f"{key!r} entry {x!r} is not valid")
        out.append(x)
    return tuple(out)


def _regex(label, rid, key, pattern) -> re.Pattern:
    if not isinstance(pattern, str) or not pattern:
        _fail(label, rid, f"{key!r} must be a non-empty regex string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        _fail(label, rid, f"{key!r} does not compile: {exc}")


def _bool(label, rid, table, key, default=False) -> bool:
    v = table.get(key, default)
    if not isinstance(v, bool):
        _fail(label, rid, f"{key!r} must be true or false")
    return v


def _examples(label, rid, table, *, kind="wrapper", statuses=STATUSES) -> list[Example]:
    raw = table.get("examples")
    if not isinstance(raw, list) or not raw:
        _fail(label, rid, "needs at least one [[...examples]] entry")
    out = []
    for i, ex in enumerate(raw):
        _check_keys(label, rid, ex, {"url", "status", "final", "vendor", "removed"}, {"url", "status"}, what=f"example {i + 1}")
        url = _str(label, rid, ex, "url")
        status = ex["status"]
        if status not in statuses:
            _fail(label, rid, f"example {i + 1}: status must be one of {', '.join(statuses)}")
        final = ex.get("final")
        if status == "opaque":
            if final is not None:
                _fail(label, rid, f"example {i + 1}: an opaque example has no final")
        elif status == "unchanged":
            final = url if final is None else final
        elif not isinstance(final, str) or not final:
            _fail(label, rid, f"example {i + 1}: status {status!r} needs a final URL")
        vendor = _str(label, rid, ex, "vendor")
        removed = None
        if "removed" in ex:
            removed = _str_list(label, rid, ex, "removed")
        out.append(Example(rid, label, url, status, final, vendor, removed, kind))
    return out


# -- wrappers -------------------------------------------------------------------

_RULE_KEYS = {
    "id", "vendor", "kind", "source", "hosts", "suffixes", "host_regex", "any_host", "path", "query",
    "query_text", "priority", "on_fail", "generic", "decode", "examples", "note", "tracker",
}


def _compile_steps(label, rid, decode) -> tuple[Step, ...]:
    if not isinstance(decode, list) or not decode:
        _fail(label, rid, "a decodable rule needs a non-empty 'decode' list")
    steps = []
    for i, spec in enumerate(decode):
        if not isinstance(spec, dict) or not isinstance(spec.get("step"), str):
            _fail(label, rid, f"decode step {i + 1} must be a table with a 'step' name")
        name = spec["step"]
        if name not in STEPS:
            _fail(label, rid, f"decode step {i + 1}: unknown step {name!r} (known: {', '.join(sorted(STEPS))})")
        factory, argspec = STEPS[name]
        args = {k: v for k, v in spec.items() if k != "step"}
        for k, v in args.items():
            if k not in argspec:
                _fail(label, rid, f"decode step {i + 1} ({name}): unknown argument {k!r}")
            types, _req = argspec[k]
            if isinstance(v, bool) and bool not in types:
                _fail(label, rid, f"decode step {i + 1} ({name}): {k!r} has the wrong type")
            if not isinstance(v, types):
                _fail(label, rid, f"decode step {i + 1} ({name}): {k!r} has the wrong type")
            if (name, k) in CHOICES and v not in CHOICES[(name, k)]:
                _fail(label, rid, f"decode step {i + 1} ({name}): {k!r} must be one of {CHOICES[(name, k)]}")
            if k == "names" and not all(isinstance(x, str) and x for x in v):
                _fail(label, rid, f"decode step {i + 1} ({name}): 'names' must list strings")
            if k == "pattern":
                _regex(label, rid, f"decode step {i + 1} pattern", v)
        for k, (_types, req) in argspec.items():
            if req and k not in args:
                _fail(label, rid, f"decode step {i + 1} ({name}): missing argument {k!r}")
        if name == "query" and ("name" in args) == ("names" in args):
            _fail(label, rid, f"decode step {i + 1} (query): give exactly one of 'name' or 'names'")
        steps.append(factory(**args))
    return tuple(steps)


def _compile_wrapper(label: str, raw: dict, order: int) -> tuple[WrapperRule, list[Example]]:
    rid = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(rid, str) or not _ID.match(rid):
        _fail(label, None, f"rule {order + 1}: 'id' must be a lower-case identifier, got {rid!r}")
    _check_keys(label, rid, raw, _RULE_KEYS, {"id", "vendor", "kind", "source", "examples"})
    vendor = _str(label, rid, raw, "vendor")
    _str(label, rid, raw, "source")
    kind = raw["kind"]
    if kind not in KINDS:
        _fail(label, rid, f"'kind' must be one of {', '.join(KINDS)}")
    hosts = _str_list(label, rid, raw, "hosts", lower=True, check=_HOST.match)
    suffixes = _str_list(label, rid, raw, "suffixes", lower=True, check=_HOST.match)
    host_regex = _regex(label, rid, "host_regex", raw["host_regex"]) if "host_regex" in raw else None
    any_host = _bool(label, rid, raw, "any_host")
    path = _regex(label, rid, "path", raw["path"]) if "path" in raw else None
    query_raw = raw.get("query", {})
    if not isinstance(query_raw, dict):
        _fail(label, rid, "'query' must be a table of name = value regex")
    query = tuple((k, _regex(label, rid, f"query.{k}", v) if v != "" else None) for k, v in query_raw.items())
    query_text = _regex(label, rid, "query_text", raw["query_text"]) if "query_text" in raw else None
    if not (hosts or suffixes or host_regex or any_host):
        _fail(label, rid, "needs a host condition: hosts, suffixes, host_regex or any_host")
    if any_host and (hosts or suffixes or host_regex):
        _fail(label, rid, "any_host excludes hosts/suffixes/host_regex")
    if (any_host or host_regex is not None) and path is None and not query and query_text is None:
        _fail(label, rid, "a rule not tied to known hosts needs a 'path' or 'query' signature")
    priority = raw.get("priority", 50)
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 100:
        _fail(label, rid, "'priority' must be an integer 0..100")
    generic = _bool(label, rid, raw, "generic")
    tracker = _bool(label, rid, raw, "tracker", True)
    on_fail = raw.get("on_fail", "skip" if (any_host or generic) else "opaque")
    if on_fail not in ("opaque", "skip"):
        _fail(label, rid, "'on_fail' must be 'opaque' or 'skip'")
    if kind == "decodable":
        steps = _compile_steps(label, rid, raw.get("decode"))
    else:
        if "decode" in raw:
            _fail(label, rid, "an opaque rule has no 'decode'")
        steps = ()
    if "note" in raw:
        _str(label, rid, raw, "note")
    examples = _examples(label, rid, raw)
    rule = WrapperRule(
        id=rid, vendor=vendor, kind=kind, source=raw["source"], file=label, order=order,
        hosts=hosts, suffixes=suffixes, host_regex=host_regex, any_host=any_host, path=path,
        query=query, query_text=query_text, priority=priority, on_fail=on_fail, generic=generic, steps=steps,
        tracker=tracker,
    )
    return rule, examples


# -- parameters -----------------------------------------------------------------

def _name_ok(x: str) -> bool:
    return "=" not in x and "&" not in x and not x.isspace()


def _compile_params(label: str, data: dict, seen_ids: set) -> tuple[ParamRules, list[Example]]:
    _check_keys(label, None, data, {"family", "domain", "exception", "meta"}, {"family"}, what="top-level")
    exact: dict = {}
    prefixes: list = []
    domain_names: dict = {}
    domain_keep: dict = {}
    examples: list[Example] = []
    campaign_only: set = set()

    def rid_of(raw, kind, i):
        rid = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(rid, str) or not _ID.match(rid):
            _fail(label, None, f"{kind} {i + 1}: 'id' must be a lower-case identifier, got {rid!r}")
        if rid in seen_ids:
            _fail(label, rid, "duplicate rule id")
        seen_ids.add(rid)
        return rid

    for i, raw in enumerate(_list(label, data, "family")):
        rid = rid_of(raw, "family", i)
        _check_keys(label, rid, raw, {"id", "family", "names", "prefixes", "not_tracking", "source", "examples", "note",
                                      "tracker"}, {"id", "family", "source", "examples"})
        if not _bool(label, rid, raw, "tracker", True):
            campaign_only.add(rid)
        fam = _str(label, rid, raw, "family")
        _str(label, rid, raw, "source")
        names = _str_list(label, rid, raw, "names", check=_name_ok)
        pfx = _str_list(label, rid, raw, "prefixes", check=_name_ok)
        not_tracking = frozenset(x.lower() for x in _str_list(label, rid, raw, "not_tracking", check=_name_ok))
        if not names and not pfx:
            _fail(label, rid, "needs 'names' or 'prefixes'")
        for n in names:
            if n.lower() in exact:
                _fail(label, rid, f"parameter {n!r} already listed by rule {exact[n.lower()][1]!r}")
            exact[n.lower()] = (fam, rid)
        for p in pfx:
            prefixes.append((p.lower(), fam, rid, not_tracking))
        examples += _examples(label, rid, raw, kind="family")

    for i, raw in enumerate(_list(label, data, "domain")):
        rid = rid_of(raw, "domain", i)
        _check_keys(label, rid, raw, {"id", "family", "domains", "names", "source", "examples", "note"},
                    {"id", "family", "domains", "names", "source", "examples"})
        fam = _str(label, rid, raw, "family")
        _str(label, rid, raw, "source")
        domains = _str_list(label, rid, raw, "domains", lower=True, check=_HOST.match)
        names = _str_list(label, rid, raw, "names", check=_name_ok)
        if not domains or not names:
            _fail(label, rid, "needs non-empty 'domains' and 'names'")
        for d in domains:
            for n in names:
                domain_names.setdefault(d, {})[n] = (fam, rid)
        examples += _examples(label, rid, raw, kind="domain")

    for i, raw in enumerate(_list(label, data, "exception")):
        rid = rid_of(raw, "exception", i)
        _check_keys(label, rid, raw, {"id", "domains", "keep", "reason", "source", "examples", "note"},
                    {"id", "domains", "keep", "reason", "source", "examples"})
        _str(label, rid, raw, "reason")
        _str(label, rid, raw, "source")
        domains = _str_list(label, rid, raw, "domains", lower=True, check=_HOST.match)
        keep = _str_list(label, rid, raw, "keep", check=_name_ok)
        if not domains or not keep:
            _fail(label, rid, "needs non-empty 'domains' and 'keep'")
        exact_keep = frozenset(k.lower() for k in keep if not k.endswith("*"))
        prefix_keep = tuple(k[:-1].lower() for k in keep if k.endswith("*") and len(k) > 1)
        for d in domains:
            if d in domain_keep:
                _fail(label, rid, f"domain {d!r} already has an exception")
            domain_keep[d] = (exact_keep, prefix_keep, rid)
        examples += _examples(label, rid, raw, kind="exception")

    return ParamRules(exact, tuple(prefixes), domain_names, domain_keep), examples, frozenset(campaign_only)


def _list(label, data, key) -> list:
    v = data.get(key, [])
    if not isinstance(v, list):
        _fail(label, None, f"'{key}' must be an array of tables ([[{key}]])")
    return v


# -- assembly -------------------------------------------------------------------

def compile_rules(wrapper_files: list[tuple[str, dict]], params_file: tuple[str, dict]) -> Rules:
    """Validate and compile parsed rule files (pure: tests feed it bad data)."""
    wrappers: list[WrapperRule] = []
    examples: list[Example] = []
    seen: set = set()
    for label, data in wrapper_files:
        if not isinstance(data, dict):
            _fail(label, None, "not a table")
        _check_keys(label, None, data, {"rule", "meta"}, {"rule"}, what="top-level")
        rules = data["rule"]
        if not isinstance(rules, list) or not rules:
            _fail(label, None, "'rule' must be a non-empty array of tables ([[rule]])")
        for raw in rules:
            rule, exs = _compile_wrapper(label, raw, len(wrappers))
            if rule.id in seen:
                _fail(label, rule.id, "duplicate rule id")
            seen.add(rule.id)
            wrappers.append(rule)
            examples += exs
    params, pexamples, campaign_only = _compile_params(params_file[0], params_file[1], seen)
    examples += pexamples
    by_host: dict = {}
    by_suffix: dict = {}
    scanned = []
    any_host = []
    for rule in wrappers:
        for h in rule.hosts:
            by_host.setdefault(h, []).append(rule)
        for s in rule.suffixes:
            by_suffix.setdefault(s, []).append(rule)
        if rule.host_regex is not None:
            scanned.append(rule)
        if rule.any_host:
            any_host.append(rule)
    return Rules(
        wrappers=tuple(wrappers), params=params, examples=tuple(examples),
        by_host={k: tuple(v) for k, v in by_host.items()},
        by_suffix={k: tuple(v) for k, v in by_suffix.items()},
        scanned=tuple(scanned), any_host=tuple(any_host),
        campaign_only=campaign_only,
        any_prefilter=_prefilter([r.path for r in any_host]),
        scan_prefilter=_prefilter([r.host_regex for r in scanned]),
    )


def _prefilter(patterns: list[re.Pattern | None]) -> re.Pattern | None:
    """One regex that matches whenever one of ``patterns`` could (a cheap
    first test before trying each: any_host rules' paths, scanned hosts).

    A missing pattern (an any_host rule with a query signature only) disables
    the prefilter; leading global flags become scoped groups (``(?i)x`` ->
    ``(?i:x)``). If the union does not compile, no prefilter (correct, slower).
    """
    parts = []
    for compiled in patterns:
        if compiled is None:
            return None
        if compiled.flags & ~(re.UNICODE | re.IGNORECASE):
            return None  # flags given at compile time that a group cannot scope
        pat = compiled.pattern
        if compiled.flags & re.IGNORECASE and not pat.startswith("(?"):
            pat = f"(?i){pat}"
        m = re.match(r"\(\?([aiLmsux]+)\)", pat)
        parts.append(f"(?{m.group(1)}:{pat[m.end():]})" if m else f"(?:{pat})")
    if not parts:
        return None
    try:
        return re.compile("|".join(parts))
    except re.error:  # pragma: no cover - defensive
        return None


@functools.lru_cache(maxsize=1)
def load_rules() -> Rules:
    """Parse, validate and compile the shipped rules (once per process)."""
    return compile_rules(rule_files("wrappers"), _params_file())


def _params_file() -> tuple[str, dict]:
    label = "rules/params.toml"
    try:
        text = resources.files("trackless").joinpath("rules", "params.toml").read_text("utf-8")
    except OSError as exc:
        raise RuleError(f"{label}: cannot be read: {exc}") from exc
    try:
        return label, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{label}: {exc}") from exc
