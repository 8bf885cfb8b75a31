"""What a report says about itself: when, by what, over which sources, what was skipped."""

from __future__ import annotations

from dataclasses import dataclass

from .sources import SourceError

__all__ = ["ReportMeta", "DnsChain", "Duplicate"]


@dataclass(frozen=True)
class DnsChain:
    """The CNAME chain of one host (``--dns``), or why it could not be looked up."""

    host: str
    chain: tuple[str, ...]
    vendor: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Duplicate:
    """A copy of a mail already counted (same Message-ID and same body): listed, not counted again."""

    origin: str
    index: int     # the number in the report of the copy that was counted
    sha256: str    # of this copy's raw bytes


@dataclass(frozen=True)
class ReportMeta:
    """generated: ISO 8601 UTC time of the run; sources: the paths given;
    readers: the ``--to`` addresses (placeholders when redacted); skipped:
    every file or mail that could not be read, in order; dns: None when
    ``--dns`` was not asked for, else the chains looked up; duplicates: the
    copies not counted again."""

    generated: str
    version: str
    sources: tuple[str, ...]
    readers: tuple[str, ...]
    redacted: bool
    skipped: tuple[SourceError, ...] = ()
    dns: tuple[DnsChain, ...] | None = None
    duplicates: tuple[Duplicate, ...] = ()
