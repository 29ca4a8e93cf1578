"""What the App Home shows a person: what they own, what waits on their topics, their month."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import median

from bot.models import Conversation, State
from bot.store import Store


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


def month_start(now: float) -> float:
    """The first instant of ``now``'s calendar month, UTC."""
    today = datetime.fromtimestamp(now, UTC)
    return datetime(today.year, today.month, 1, tzinfo=UTC).timestamp()


def home_summary(store: Store, user_id: str) -> HomeSummary:
    topics = store.person_topics(user_id)
    to_claim, to_reply = store.my_delays(user_id, month_start(store.now()))
    return HomeSummary(
        registered=store.person(user_id) is not None,
        topics=topics,
        mine=store.conversations_for_owner(user_id, (State.CLAIMED,)),
        waiting=store.waiting_on_topics(topics),
        month=MonthNumbers(
            claims=len(to_claim),
            replies=len(to_reply),
            median_to_claim=median(to_claim) if to_claim else None,
            median_to_reply=median(to_reply) if to_reply else None,
        ),
    )
