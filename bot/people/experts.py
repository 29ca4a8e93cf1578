"""Who could answer a conversation: up to three people who cover its topic.

Candidates are registered people who declared the topic in ``/register`` or who replied
to a conversation on it in the last half year; the ones who replied most come first,
and people away come after everyone available. A suggestion mentions a person
(``<@U…>``, which notifies) only when they opted in to pings and are not away;
otherwise it names them in plain text.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime

from bot.store import Store
from bot.viewdata import Expert

SUGGEST_MAX = 3
HISTORY_SECONDS = 180 * 86400


def is_away(away_until: str | None, today: date) -> bool:
    """Away through ``away_until`` (an ISO date, inclusive); an unreadable date means here."""
    if not away_until:
        return False
    try:
        return date.fromisoformat(away_until[:10]) >= today
    except ValueError:
        return False


def suggest_experts(
    store: Store, topic: str, *, exclude: Collection[str] = (), limit: int = SUGGEST_MAX
) -> list[Expert]:
    """Up to ``limit`` people for ``topic``: available ones first, best first within each."""
    now = store.now()
    today = datetime.fromtimestamp(now, UTC).date()
    experts = [
        Expert(r.user_id, r.name or "", bool(r.pingable), is_away(r.away_until, today))
        for r in store.suggestion_candidates(topic, now - HISTORY_SECONDS, limit=limit + 10)
        if r.user_id not in exclude
    ]
    experts.sort(key=lambda e: e.away)  # stable: keeps the ranking within each group
    return experts[:limit]
