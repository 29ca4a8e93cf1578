"""/who-covers: find the topic someone means, and rank the people who cover it."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.match.words import closest_names, fold
from bot.people.handles import split_list
from bot.query.parser import QueryError, parse_query
from bot.query.tree import literal_terms
from bot.store import Store
from bot.viewdata import Coverer

WINDOW_DAYS = 90
SHOWN = 15  # rows in one answer: keeps the message well under Slack's size limits


@dataclass(frozen=True)
class TopicLookup:
    """What ``/who-covers <text>`` refers to."""

    topic: str | None  # the topic answered, None when nothing fits
    by_words: bool = False  # found through words of its query rather than its name
    others: tuple[str, ...] = ()  # other topics whose queries hold the words too
    suggestions: tuple[str, ...] = ()  # closest topic names, when nothing fits


def find_topic(asked: str, queries: Mapping[str, str]) -> TopicLookup:
    """The topic named ``asked``, else the one whose query holds its words best.

    ``queries`` maps topic name -> query. Every word asked must appear in the query
    (a word, a word of a phrase, or a ``prefix*``); ties go to the first name.
    """
    wanted = fold(" ".join(asked.split()))
    for name in queries:
        if fold(name) == wanted:
            return TopicLookup(name)
    words = wanted.split()
    hits: list[str] = []
    for name, query in queries.items():
        vocabulary = _query_words(query) | set(fold(name).split())
        if words and all(_known(w, vocabulary) for w in words):
            hits.append(name)
    if hits:
        return TopicLookup(hits[0], by_words=True, others=tuple(hits[1:5]))
    return TopicLookup(None, suggestions=tuple(closest_names(wanted, queries, cutoff=0.5)))


def _query_words(query: str) -> set[str]:
    try:
        terms = literal_terms(parse_query(query), positive_only=True)
    except QueryError:
        return set()
    return {w for term in terms for w in fold(term).split()}


def _known(word: str, vocabulary: set[str]) -> bool:
    if word in vocabulary:
        return True
    return any(v.endswith("*") and word.startswith(v[:-1]) for v in vocabulary)


def who_covers(store: Store, topic: str, now: float, limit: int = SHOWN) -> list[Coverer]:
    """People who cover ``topic``, best first.

    Verified replies, then replies, then claims (all in the last 90 days), then a
    declared topic; ties go to the faster median reply.
    """
    since = now - WINDOW_DAYS * 86400
    today = datetime.fromtimestamp(now, UTC).date().isoformat()
    delays = store.reply_delays(topic, since)
    people = []
    for r in store.covering(topic, since):
        mine = delays.get(r.user_id)
        away = r.away_until if r.away_until and r.away_until >= today else None
        people.append(
            Coverer(
                user_id=r.user_id,
                name=r.name,
                title=r.title,
                declared=bool(r.declared),
                claims=r.claims,
                replies=r.replies,
                verified=r.verified,
                median_reply=statistics.median(mine) if mine else None,
                away_until=away,
                pingable=bool(r.pingable),
            )
        )
    people.sort(
        key=lambda c: (
            -c.verified,
            -c.replies,
            -c.claims,
            -c.declared,
            c.median_reply if c.median_reply is not None else float("inf"),
            c.user_id,
        )
    )
    return [_with_handles(store, c) for c in people[:limit]]


def _with_handles(store: Store, person: Coverer) -> Coverer:
    return Coverer(**{**person.__dict__, "handles": store.accounts(person.user_id)})


def with_names(people: list[Coverer], name_of: Callable[[str], str]) -> list[Coverer]:
    """Fill in the names Hark doesn't hold (people who engaged but never registered)."""
    return [c if c.name else Coverer(**{**c.__dict__, "name": name_of(c.user_id)}) for c in people]


def tagged_with(store: Store, asked: str, now: float, limit: int = 10) -> list[dict[str, Any]]:
    """People whose free-form expertise tags hold every word asked (case-insensitive)."""
    words = fold(asked).split()
    if not words:
        return []
    today = datetime.fromtimestamp(now, UTC).date().isoformat()
    found = []
    for r in store.tagged_people():
        tags = {fold(t) for t in split_list(r.tags)}
        tag_words = {w for t in tags for w in t.split()}
        if fold(" ".join(words)) in tags or all(w in tag_words for w in words):
            away = r.away_until if r.away_until and r.away_until >= today else None
            found.append({"user_id": r.user_id, "name": r.name, "away_until": away})
    return found[:limit]
