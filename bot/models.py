"""Plain data that crosses module boundaries: posts, topics, sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Post:
    """One item heard from a source, normalized.

    Every text field is plain, untrusted text (HTML already stripped); it is
    escaped only when rendered for Slack.
    """

    guid: str | None
    link: str | None  # canonical: tracking parameters removed, scheme/host lower-cased
    title: str
    text: str
    author: str = ""
    published: datetime | None = None  # timezone-aware UTC, or None when the feed has no date
    lang: str | None = None
    # Source-provided reach and engagement figures, e.g. {"score": 12, "comments": 4,
    # "followers": 1200}; only numbers.
    metrics: dict[str, int] = field(default_factory=dict)
    # Identifier of the thread on the origin (X conversation id, HN item id, ...).
    thread_id: str | None = None


@dataclass(frozen=True)
class Topic:
    """A beat: a named query whose matches go to one Slack channel."""

    name: str
    query: str
    channel: str
    min_score: float = 0.0
    sla_minutes: int = 60


@dataclass(frozen=True)
class SourceSpec:
    """A source as the operator wrote it: a feed URL or an X search query."""

    kind: str  # "feed" or "x"
    target: str  # the feed URL, or the X query
    every_seconds: int = 600
    label: str = ""  # short name shown in Slack, e.g. "reddit r/devops"
