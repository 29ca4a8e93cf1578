"""Plain data that crosses module boundaries: posts, topics, sources, conversations, people.

The store returns these, never database rows (bot/store/rows.py builds them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

# The team's reply guidelines when the config sets none (``guidelines:``), shown on every
# card. Here, not in bot/viewdata.py where the builders read it, because bot/config.py needs
# it too, and importing viewdata's classes would cost every `hark` command's start.
DEFAULT_GUIDELINES = (
    "*Before you reply*: say who you work for, be helpful first, don't sell. "
    "Link to docs, not to pricing."
)


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


class State(StrEnum):
    """Where a conversation stands. A StrEnum: stored, logged and compared as its text."""

    NEW = "new"  # in the outbox or in Slack, nobody has it
    CLAIMED = "claimed"  # someone took it and has not answered yet
    REPLIED = "replied"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class Conversation:
    """One post matched by one topic: its outbox row, its state, and what the card shows
    of the post and the topic (as the store reads them together)."""

    id: int
    post_id: int
    topic_id: int
    score: float
    why: str
    created_at: float
    deliver: bool  # False: recorded on a source's first poll, never sent
    channel: str  # a channel ID once sent (a #name may wait in the outbox)
    send_started_at: float | None  # set before chat.postMessage: a crash leaves a trace
    send_attempts: int
    send_error: str | None
    ts: str | None  # the Slack message once sent
    sent_at: float | None
    state: State
    owner: str | None
    claimed_at: float | None  # the first claim (the team's response time)
    replied_at: float | None
    reply_url: str | None
    reply_verified: bool
    ignored_at: float | None
    ignore_reason: str | None
    version: int  # bumped by every state change (compare-and-set)
    owned_since: float | None  # when the current owner took it (the nudge counts from here)
    card_failures: int
    gave_up_at: float | None  # when Hark stopped sending a card Slack kept refusing
    # The post (untrusted text: escape before Slack) and the topic.
    title: str
    text: str
    author: str
    link: str | None
    site: str
    source_kind: str
    thread_id: str | None
    topic: str
    sla_minutes: int
    published_at: float | None = None
    metrics: str = "{}"  # JSON of the source's reach figures
    first_seen_at: float | None = None


class Source(NamedTuple):
    """A source as stored: what to poll, its schedule and its health.

    A NamedTuple, not a frozen dataclass like the others: a poll cycle reads every due
    source, thousands at a cold start, and a tuple is built in a tenth of the time
    (0.3 µs against 2.6 µs for a frozen dataclass of 19 fields).
    """

    id: int
    kind: str  # "feed" or "x"
    target: str  # the feed URL, or the X query
    label: str
    every_seconds: int
    enabled: bool
    from_config: bool
    created_at: float
    next_check_at: float
    seeded: bool  # first poll done (what it finds after that is new)
    etag: str | None
    last_modified: str | None
    cursor: str | None  # X since_id
    last_checked_at: float | None
    last_success_at: float | None
    last_error: str | None
    consecutive_failures: int
    failing_since: float | None
    failure_reported: bool
    feed_title: str = ""  # the feed's own title, from its last successful poll

    @property
    def name(self) -> str:
        """What people call it: its label, else the feed's title, else its URL or query."""
        return self.label or self.feed_title or self.target


@dataclass(frozen=True, slots=True)
class TopicRecord:
    """A topic as stored: the beat plus its id and whether it is in use."""

    id: int
    name: str
    query: str
    channel: str
    min_score: float
    sla_minutes: int
    enabled: bool
    from_config: bool


@dataclass(frozen=True, slots=True)
class Person:
    """A registered employee's profile (their topics and accounts are read apart)."""

    user_id: str
    name: str
    title: str
    department: str
    tags: str  # free-form expertise, as typed
    languages: str
    pingable: bool  # may be @-mentioned on a conversation
    away_until: str | None  # ISO date
    updated_at: float


@dataclass(frozen=True, slots=True)
class Engagement:
    """One line of a conversation's engagement log (append-only)."""

    id: int
    conversation_id: int
    user_id: str
    action: str  # claim, reply, ignore, release, reassign, undo, ...
    detail: str
    at: float


@dataclass(frozen=True, slots=True)
class Mute:
    """An author, site or phrase whose posts never reach a channel."""

    id: int
    kind: str  # author | site | phrase
    value: str
    created_by: str | None
    created_at: float


@dataclass(frozen=True, slots=True)
class HeardPost:
    """A stored post as /hark test and /hark search show it (untrusted text)."""

    id: int
    title: str
    text: str
    author: str
    site: str
    source_kind: str
    lang: str | None
    link: str | None
    first_seen_at: float
    published_at: float | None = None  # as the source dated it; None when it gave no date

    @property
    def dated(self) -> float:
        """When the post was written: its source's date, else when Hark first saw it."""
        return self.published_at if self.published_at is not None else self.first_seen_at


# Everyone who erased their data, as one owner in the digest's counts (never a Slack id).
ERASED_PERSON = "former"


def score_shown(score: float) -> str:
    """The one way a "worth joining" score is shown: a whole number (``74``), everywhere."""
    return f"{round(score):d}"


@dataclass(frozen=True, slots=True)
class ReplyWatchDue:
    """A claimed conversation whose thread the reply watcher should look at now."""

    id: int  # the conversation
    owner: str
    state: State
    claimed_at: float | None
    sent_at: float | None
    link: str | None
    source_kind: str
    thread_id: str | None
    checks: int | None  # None: never looked at
    failures: int | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class ReplyWatch:
    """The reply watcher's schedule for one conversation."""

    conversation_id: int
    next_check_at: float
    checks: int
    failures: int
    last_checked_at: float | None
    last_error: str | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """One person on /who-covers: what they declared and did on the topic."""

    user_id: str
    declared: bool
    claims: int
    replies: int
    verified: int
    registered: bool
    name: str
    title: str
    away_until: str | None
    pingable: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone who could answer a conversation: declared the topic or replied on it."""

    user_id: str
    name: str
    pingable: bool
    away_until: str | None
    declared: bool
    replies: int


@dataclass(frozen=True, slots=True)
class VoiceFeedDue:
    """A registered account whose public feed is due a look, with its feed's state."""

    user_id: str
    network: str
    handle: str
    url: str | None  # None: never polled (the feed is discovered first)
    etag: str | None
    last_modified: str | None
    failures: int


@dataclass(frozen=True, slots=True)
class VoiceFeed:
    """The polling state of one account's public feed."""

    user_id: str
    network: str
    handle: str
    url: str
    etag: str | None
    last_modified: str | None
    next_check_at: float
    last_checked_at: float | None
    last_error: str | None
    failures: int


@dataclass(frozen=True, slots=True)
class EmployeePost:
    """One of an employee's own public posts that Hark recorded."""

    network: str
    link: str
    title: str
    published_at: float | None
    mentions_company: bool
    topics: str  # matched topic names, comma-separated
    seen_at: float


@dataclass(frozen=True, slots=True)
class EmployeeReach:
    """One employee's posts in a period."""

    user_id: str
    posts: int
    company_mentions: int
    on_topic: int


# -- the digest's lists (its counts come as bot.store.digest_cohort.CohortSummary) --------


@dataclass(frozen=True, slots=True)
class ReachLine:
    """A posted conversation whose post had much reach."""

    id: int
    reach: float
    topic: str
    title: str
    link: str | None
    site: str


@dataclass(frozen=True, slots=True)
class BacklogLine:
    """A posted conversation nobody claimed, among the best scored."""

    id: int
    score: float
    sent_at: float
    topic: str
    title: str
    link: str | None
    site: str


@dataclass(frozen=True, slots=True)
class QuietRow:
    """Someone who was active, then stopped claiming and replying."""

    user_id: str
    last_at: float
    conversations: int


@dataclass(frozen=True, slots=True)
class DayActivity:
    """One day of one topic on the digest's chart."""

    day: int  # 0: the period's first day
    topic: str
    posted: int
    replied: int
