"""Outside voices on their own store (OutsideVoicesStore over the digest's known world): the
authors and sites of a period, every topic or one, equal to a plain count however the days
are split between the stored per-day counts and the partial days at either end."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.store.outside_voices import OutsideVoicesStore
from tests.support.digest_world import CONFIG, DAY, NOW, T0, W, build_world


def plain_count(store, column: str, since: float, until: float, topic: str | None = None):
    """The oracle: conversations per author (or site) by one GROUP BY, no caching."""
    one_topic = "" if topic is None else "AND t.name = ?"
    rows = store.all(
        f"""SELECT p.{column} AS name, count(*) AS n
            FROM conversations c JOIN posts p ON p.id = c.post_id JOIN topics t ON t.id = c.topic_id
            WHERE c.created_at >= ? AND c.created_at < ? AND p.{column} != '' {one_topic}
            GROUP BY p.{column}""",
        (since, until) if topic is None else (since, until, topic),
    )
    return Counter({r["name"]: r["n"] for r in rows})


@pytest.fixture
def voices(harness_factory):
    w = build_world(harness_factory(config=CONFIG))
    alone = OutsideVoicesStore(w.store.path, clock=lambda: NOW)
    yield w, alone
    alone.close()


@pytest.mark.parametrize(
    ("since", "until"),
    [(W, NOW), (T0, NOW), (T0 + 0.5 * DAY, W + 2.25 * DAY), (NOW - 300 * DAY, NOW)],
)
def test_every_topics_voices_match_a_plain_count(voices, since: float, until: float) -> None:
    w, alone = voices
    for _ in range(2):  # the second time, whole past days come from digest_voice_days
        authors, sites = alone.cohort_voices(since, until)
        assert Counter(dict(authors)) == plain_count(w.store, "author", since, until)
        assert Counter(dict(sites)) == plain_count(w.store, "site", since, until)


def test_one_topics_voices_most_conversations_first(voices) -> None:
    w, alone = voices
    topic_id = alone.one("SELECT id FROM topics WHERE name = 'kubernetes'")["id"]
    authors, sites = alone.cohort_voices(W, NOW, topic_id)
    assert Counter(dict(authors)) == plain_count(w.store, "author", W, NOW, "kubernetes")
    assert Counter(dict(sites)) == plain_count(w.store, "site", W, NOW, "kubernetes")
    assert authors[0] == ("alice", 2)
    counts = [n for _, n in authors]
    assert counts == sorted(counts, reverse=True)
    assert alone.cohort_voices(W, NOW, topic_id, limit=1)[0] == [("alice", 2)]
