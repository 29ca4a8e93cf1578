"""View data: what the Block Kit builders of bot/blocks/ render, as plain data.

Domain code (report/, engage/, people/, admin/) builds these; bot/blocks/ turns them into
Slack messages. They live apart from bot/models.py (the rows that cross the store
boundary) so that bot/blocks/ imports only bot/blocks/, bot/models.py and this module, and
so that neither file passes 400 lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.models import (
    DEFAULT_GUIDELINES,  # noqa: F401 - defined there for bot/config.py; the builders read it here
    Conversation,
    Person,
)

# --- conversations: the card, the Ignore modal, the Reply modal ---------------------------

IGNORE_REASONS = {
    "off_topic": "off-topic",
    "spam": "spam or bot",
    "handled": "already handled",
    "not_worth": "not worth joining",
    "other": "other",
}
DRAFT_LIMIT = 2900
OTHER_REASON_LIMIT = 150  # an Ignore's "other" reason, in the person's words
# The event type of a card's message metadata: how the outbox finds its own cards again.
METADATA_EVENT = "hark_conversation"


@dataclass(frozen=True)
class Card:
    """Everything the card shows. Text fields are untrusted and escaped on render."""

    conversation_id: int
    topic: str
    title: str
    link: str | None
    excerpt: str
    author: str = ""
    site: str = ""
    sources: tuple[str, ...] = ()
    published_at: float | None = None
    why: str = ""
    state: str = "new"  # new | claimed | replied | ignored
    owner: str | None = None
    sent_at: float | None = None
    claimed_at: float | None = None
    replied_at: float | None = None
    reply_url: str | None = None
    reply_verified: bool = False
    ignored_by: str | None = None
    ignore_reason: str | None = None
    suggested: tuple[Expert, ...] = field(default_factory=tuple)  # who could answer
    last_action: str | None = None  # the last state change in the log, and who made it
    last_actor: str | None = None
    mutes: tuple[MuteNote, ...] = ()  # mutes proposed or made from this card's Ignore


@dataclass(frozen=True)
class MuteNote:
    """A mute asked for from a card's Ignore: ``proposed_by`` an SME (None when an admin
    muted at once), ``muted_by`` the admin who made or confirmed it (None: still pending)."""

    kind: str  # "author" or "site"
    value: str
    proposed_by: str | None
    muted_by: str | None


@dataclass(frozen=True)
class Expert:
    user_id: str
    name: str
    pingable: bool
    away: bool

    @property
    def may_ping(self) -> bool:
        return self.pingable and not self.away


def mute_value(row: Conversation, kind: str) -> str:
    """What a mute of ``kind`` would mute for this conversation's post ("" when nothing)."""
    if kind == "author":
        return (row.author or "").strip()[:200]
    site = (row.site or "").strip().lower()
    # Muting a whole platform (every Reddit post) is never what an Ignore means.
    return "" if site in PLATFORM_SITES else site


PLATFORM_SITES = frozenset(
    {
        "reddit.com",
        "old.reddit.com",
        "news.ycombinator.com",
        "stackoverflow.com",
        "x.com",
        "twitter.com",
        "github.com",
        "youtube.com",
        "bsky.app",
        "mastodon.social",
    }
)


# --- the App Home -------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthNumbers:
    """A person's claims and replies since the first of the month (UTC); medians in seconds
    from the card's posting, None when there is nothing to take a median of."""

    claims: int = 0
    replies: int = 0
    median_to_claim: float | None = None
    median_to_reply: float | None = None


@dataclass(frozen=True)
class HomeSummary:
    registered: bool
    topics: list[str] = field(default_factory=list)
    mine: list[Conversation] = field(default_factory=list)  # claimed by me, awaiting my reply
    waiting: list[Conversation] = field(default_factory=list)  # unclaimed, on my topics
    month: MonthNumbers = MonthNumbers()


# --- /register show and delete ----------------------------------------------------------------


POSTS_COUNTED = 100


@dataclass(frozen=True)
class Account:
    network: str  # as people read it: "X", "Mastodon"
    handle: str  # canonical
    url: str | None  # its public profile


@dataclass(frozen=True)
class RegistrationHeld:
    """Everything Hark holds about a registered person (``/register show``)."""

    person: Person
    topics: tuple[str, ...]
    accounts: tuple[Account, ...]  # by network
    posts: int  # their own public posts counted as reach, up to POSTS_COUNTED


@dataclass(frozen=True)
class ErasurePreview:
    """What ``/register delete`` would erase, shown before the person confirms."""

    held: RegistrationHeld | None  # None: no profile
    open_claims: int  # claimed conversations that would go back to the team
    conversations: int  # conversations whose engagement would stay, no longer linked


@dataclass(frozen=True)
class Erasure:
    """What ``/register delete`` did."""

    erased: bool  # False: there was no profile
    released: int  # open claims given back to the team first


# --- /who-covers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverer:
    """One person and what they declared and showed on a topic."""

    user_id: str
    name: str
    title: str
    declared: bool
    claims: int
    replies: int
    verified: int
    median_reply: float | None  # seconds from posting to reply
    away_until: str | None  # an ISO date, only when they are away today or later
    pingable: bool
    handles: dict[str, str] = field(default_factory=dict)


def profile_url(network: str, handle: str) -> str | None:
    """The public profile URL of a canonical handle (for links in Slack)."""
    if network == "x":
        return f"https://x.com/{handle.lstrip('@')}"
    if network in ("linkedin", "blog"):
        return handle
    if network == "mastodon":
        user, _, instance = handle.lstrip("@").partition("@")
        return f"https://{instance}/@{user}"
    if network == "bluesky":
        return f"https://bsky.app/profile/{handle}"
    if network == "github":
        return f"https://github.com/{handle}"
    if network == "reddit":
        return f"https://www.reddit.com/user/{handle.removeprefix('u/')}"
    if network == "stackoverflow":
        return f"https://stackoverflow.com/users/{handle}"
    if network == "youtube":
        path = handle if handle.startswith("@") else f"channel/{handle}"
        return f"https://www.youtube.com/{path}"
    return None


# --- /digest --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    since: float
    until: float
    label: str

    def previous(self) -> Period:
        """The period of the same length just before this one (what trends compare with)."""
        length = self.until - self.since
        return Period(self.since - length, self.since, f"previous {self.label}")


@dataclass(frozen=True)
class Funnel:
    heard: int  # posts first seen in the period (all topics)
    relevant: int  # conversations: a post matched by a topic
    posted: int  # ... sent to the topic's channel
    claimed: int  # ... that someone claimed (whatever happened next)
    replied: int
    verified: int  # replies Hark saw from the claimer's handle
    ignored: int
    ignored_by_reason: tuple[tuple[str, int], ...]
    open: int  # posted, nobody claimed it yet
    in_progress: int  # claimed, not yet replied or ignored

    @property
    def self_reported(self) -> int:
        return self.replied - self.verified


@dataclass(frozen=True)
class Speed:
    claim_p50: float | None
    claim_p90: float | None
    reply_p50: float | None
    reply_p90: float | None
    claims: int  # how many claims the figures are over
    replies: int


@dataclass(frozen=True)
class TopicLine:
    name: str
    posted: int
    replied: int
    median_reply: float | None
    previous_posted: int

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.posted if self.posted else None

    @property
    def trend(self) -> float | None:
        """Change in posted volume against the previous period (0.5 = +50 %); None if new."""
        if not self.previous_posted:
            return None
        return (self.posted - self.previous_posted) / self.previous_posted


@dataclass(frozen=True)
class PersonLine:
    user_id: str
    claims: int
    replies: int
    verified: int
    topics: tuple[str, ...]  # most claimed first


@dataclass(frozen=True)
class Count:
    name: str
    n: int


@dataclass(frozen=True)
class ConversationLine:
    conversation_id: int
    topic: str
    title: str
    link: str | None
    site: str
    score: float  # ranking score (backlog) or reach (followers + score + comments)
    waiting: float | None = None  # seconds since it was posted (backlog only)


@dataclass(frozen=True)
class Attention:
    entity: str
    is_company: bool
    mentions: int
    share: float | None  # of all company + competitor mentions in the period
    previous_mentions: int
    previous_share: float | None

    @property
    def change_points(self) -> float | None:
        """Change of share in percentage points since the previous period."""
        if self.share is None or self.previous_share is None:
            return None
        return (self.share - self.previous_share) * 100


@dataclass(frozen=True)
class EmployeeReach:
    posts: int
    people: int
    top: tuple[Count, ...]  # user IDs and their posts


@dataclass(frozen=True)
class QuietPerson:
    user_id: str
    last_at: float
    conversations: int  # claimed or replied in the 4 months before the period's end


@dataclass(frozen=True)
class Digest:
    period: Period
    topic: str | None
    funnel: Funnel
    speed: Speed
    topics: tuple[TopicLine, ...]  # most posted first
    people: tuple[PersonLine, ...]
    uncovered: tuple[Count, ...]  # topics nobody declared nor claimed in the period
    authors: tuple[Count, ...]
    sites: tuple[Count, ...]
    reach: tuple[ConversationLine, ...]
    attention: tuple[Attention, ...]
    employees: EmployeeReach | None  # None: employee posts not tracked yet
    backlog: tuple[ConversationLine, ...]
    quiet: tuple[QuietPerson, ...]
    company: str = ""
