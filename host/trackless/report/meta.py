"""What a report says about itself: when, by what, over which sources, what was skipped."""

from __future__ import annotations

from dataclasses import dataclass

from .sources import SourceError

__all__ = ["ReportMeta", "DnsChain"]


@dataclass(frozen=True)
class DnsChain:
    """The CNAME chain of one host (``--dns``), or why it could not be looked up."""

    host: str
    chain: tuple[str, ...]
    vendor: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ReportMeta:
    """generated: ISO 8601 UTC time of the run; sources: the paths given;
    readers: the ``--to`` addresses (placeholders when redacted); skipped:
    every file or mail that could not be read, in order; dns: None when
    ``--dns`` was not asked for, else the chains looked up."""

    generated: str
    version: str
    sources: tuple[str, ...]
    readers: tuple[str, ...]
    redacted: bool
    skipped: tuple[SourceError, ...] = ()
    dns: tuple[DnsChain, ...] | None = None
