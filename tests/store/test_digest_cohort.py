"""The digest cohort's pieces: the WHERE clause that seeks the index one (topic, state) at a
time, and parse_summary over the rows the store's grouped query returns."""

from __future__ import annotations

import sqlite3

from bot.store.digest_cohort import OWNED_STATES, STATES, cohort_where, parse_summary


def group(topic_id: int, state: str, n: int, **values: object) -> dict[str, object]:
    row = {"topic_id": topic_id, "state": state, "n": n, "posted": n, "claimed": 0}
    row |= {"reasons": None, "to_claim": None, "to_reply": None, "owners": None}
    return row | values


def test_the_where_clause_runs_against_the_schema_for_every_topic_or_one() -> None:
    assert cohort_where(None) == (
        f"c.topic_id IN (SELECT id FROM topics) AND c.state IN {STATES} "
        "AND c.created_at >= :since AND c.created_at < :until"
    )
    assert cohort_where(3, OWNED_STATES).startswith("c.topic_id = :topic_id AND c.state IN (")
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE topics (id INTEGER PRIMARY KEY);"
        "CREATE TABLE conversations (id INTEGER PRIMARY KEY, topic_id INT, state TEXT,"
        " created_at REAL);"
        "INSERT INTO topics VALUES (1), (2);"
        "INSERT INTO conversations VALUES (1, 1, 'new', 10), (2, 2, 'claimed', 20),"
        " (3, 2, 'replied', 99), (4, 9, 'new', 10);"  # 99 is after the period; topic 9 is gone
    )
    every = f"SELECT c.id FROM conversations c WHERE {cohort_where(None)} ORDER BY c.id"
    assert db.execute(every, {"since": 0, "until": 50}).fetchall() == [(1,), (2,)]
    one = f"SELECT c.id FROM conversations c WHERE {cohort_where(2, OWNED_STATES)}"
    assert db.execute(one, {"since": 0, "until": 100, "topic_id": 2}).fetchall() == [(2,), (3,)]


def test_parse_summary_counts_groups_delays_and_owners() -> None:
    summary = parse_summary(
        [
            group(1, "new", 2),
            group(1, "claimed", 2, claimed=2, to_claim="30,5", owners="U0A0,U0B0"),
            group(1, "replied", 1, claimed=1, to_claim="-3", to_reply="600", owners="U0A1"),
            group(
                2,
                "ignored",
                3,
                claimed=1,
                reasons="spam\x1fspam\x1foff-topic",
                owners="former-0a1b2c3d4e5f0",
            ),
            group(2, "replied", 1, claimed=1, to_reply="120", owners="U0A0"),
        ]
    )
    assert [(g.topic_id, g.state, g.n, g.claimed) for g in summary.groups] == [
        (1, "new", 2, 0),
        (1, "claimed", 2, 2),
        (1, "replied", 1, 1),
        (2, "ignored", 3, 1),
        (2, "replied", 1, 1),
    ]
    assert dict(summary.groups[3].reasons) == {"spam": 2, "off-topic": 1}
    assert summary.to_claim == [0, 5, 30]  # a negative delay (clock skew) counts as 0
    assert summary.to_reply == {1: [600], 2: [120]}
    assert dict(summary.owners["claimed"]) == {"U0A0": 1, "U0B0": 1}
    # erased people's tokens count as one, named by nobody (were dropped: the digest then said
    # "Nobody claimed" under a funnel that counted their claims)
    assert dict(summary.owners["ignored"]) == {"former0": 1}
    assert dict(summary.topics_of("former")) == {2: 1}
    assert dict(summary.topics_of("U0A")) == {1: 2, 2: 1}  # verified or not, per topic
    assert dict(summary.topics_of("U0B")) == {1: 1}


def test_an_empty_cohort() -> None:
    summary = parse_summary([])
    assert (summary.groups, summary.to_claim, summary.to_reply, summary.owners) == ([], [], {}, {})
    assert summary.topics_of("U0A") == {}
