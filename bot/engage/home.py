"""What the App Home shows a person: what they own, what waits on their topics, their month."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import median

from bot.models import State
from bot.store import Store
from bot.viewdata import HomeSummary, MonthNumbers


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
