"""/digest: the period a person asked for, and the numbers for it."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.store import Store

PERIOD_HELP = "Write a period as `today`, `7d`, `30d`, `week`, `month` or `2026-11-01..2026-11-15`."


class PeriodError(ValueError):
    """A period that could not be read; the message says how to write one."""


@dataclass(frozen=True)
class Period:
    since: float
    until: float
    label: str


def parse_period(text: str, now: float) -> Period:
    """Read ``today``, ``Nd``, ``week``, ``month`` or ``YYYY-MM-DD..YYYY-MM-DD`` (UTC days)."""
    text = text.strip().lower() or "7d"
    current = datetime.fromtimestamp(now, UTC)
    midnight = current.replace(hour=0, minute=0, second=0, microsecond=0)
    if text == "today":
        return Period(midnight.timestamp(), now, "today")
    if text == "week":
        start = midnight - timedelta(days=midnight.weekday())
        return Period(start.timestamp(), now, "this week")
    if text == "month":
        return Period(midnight.replace(day=1).timestamp(), now, "this month")
    m = re.fullmatch(r"(\d{1,3})d", text)
    if m:
        days = int(m.group(1))
        if not 1 <= days <= 366:
            raise PeriodError(f"`{text}`: choose between 1d and 366d. {PERIOD_HELP}")
        return Period(now - days * 86400, now, f"last {days} days")
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text)
    if m:
        try:
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError:
            raise PeriodError(f"`{text}` has a date that does not exist. {PERIOD_HELP}") from None
        if last < first:
            raise PeriodError(f"`{text}` ends before it starts. {PERIOD_HELP}")
        since = datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp()
        until = datetime(last.year, last.month, last.day, tzinfo=UTC).timestamp() + 86400
        return Period(since, until, f"{first.isoformat()} to {last.isoformat()}")
    raise PeriodError(f"I can't read `{text}` as a period. {PERIOD_HELP}")


@dataclass(frozen=True)
class PersonLine:
    user_id: str
    claims: int
    replies: int
    topics: str


@dataclass(frozen=True)
class Digest:
    period: Period
    topic: str | None
    heard: int
    relevant: int
    posted: int
    claimed: int
    replied: int
    ignored: int
    open: int
    median_claim_seconds: float | None
    people: tuple[PersonLine, ...]


def build_digest(store: Store, period: Period, topic: str | None = None) -> Digest:
    """Compute the numbers /digest shows for a period (and optionally one topic)."""
    funnel = store.funnel(period.since, period.until, topic)
    delays = store.claim_delays(period.since, period.until, topic)
    people = tuple(
        PersonLine(r["user_id"], int(r["claims"]), int(r["replies"] or 0), r["topics"] or "")
        for r in store.engagement_by_person(period.since, period.until, topic)
    )
    return Digest(
        period=period,
        topic=topic,
        heard=int(funnel["heard"]),
        relevant=int(funnel["relevant"]),
        posted=int(funnel["posted"]),
        claimed=int(funnel["claimed"]),
        replied=int(funnel["replied"]),
        ignored=int(funnel["ignored"]),
        open=int(funnel["open"]),
        median_claim_seconds=statistics.median(delays) if delays else None,
        people=people,
    )
