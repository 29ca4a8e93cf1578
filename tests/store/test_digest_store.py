"""The digest's queries on their own store (DigestStore over the digest's known world): what
was heard in a period, topics people declared, and each day's posted and replied
conversations, each checked against a plain count."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.store.dialect import SQLITE
from bot.store.digest import DigestStore
from bot.store.schema import REACH_SQL
from tests.support.digest_world import CONFIG, DAY, NOW, W, build_world


@pytest.fixture
def digest(harness_factory):
    w = build_world(harness_factory(config=CONFIG))
    alone = DigestStore(w.store.path, clock=lambda: NOW)
    yield w, alone
    alone.close()


def test_heard_span_counts_the_posts_first_seen_in_the_period(digest) -> None:
    _, alone = digest
    [plain] = alone.all(
        "SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM posts "
        "WHERE first_seen_at >= ? AND first_seen_at < ?",
        (W, NOW),
    )
    assert alone.heard_span(W, NOW) == (plain["n"], plain["lo"], plain["hi"])
    assert plain["n"] > 0
    assert alone.heard_span(NOW, NOW + DAY) == (0, 0, -1)


def test_declared_topics_are_case_folded(digest) -> None:
    w, alone = digest
    w.store.save_person("U0BBB", {"name": "Bea"}, ["Billing"], {})
    assert alone.declared_topics() == {"kubernetes", "billing"}


def test_daily_activity_adds_up_to_the_periods_conversations(digest) -> None:
    _, alone = digest
    days = alone.daily_activity(W, NOW)
    assert all(0 <= d.day < 7 for d in days)
    per_topic = Counter()
    for d in days:
        per_topic[d.topic] += d.posted
    plain = alone.all(
        "SELECT t.name AS topic, count(c.sent_at) AS posted FROM conversations c "
        "JOIN topics t ON t.id = c.topic_id WHERE c.created_at >= ? AND c.created_at < ? "
        "GROUP BY t.name",
        (W, NOW),
    )
    assert per_topic == Counter({r["topic"]: r["posted"] for r in plain if r["posted"]})
    k8s = alone.one("SELECT id FROM topics WHERE name = 'kubernetes'")["id"]
    assert {d.topic for d in alone.daily_activity(W, NOW, k8s)} == {"kubernetes"}


def test_the_reach_walk_seeks_the_reach_index_on_sqlite(tmp_path) -> None:
    """The "most reach" walk reads digest_post_reach from the top: only when the query
    spells the reach exactly as the index does (a misspelling scans it and sorts)."""
    assert SQLITE.reach() == REACH_SQL
    store = DigestStore(str(tmp_path / "hark.db"), clock=lambda: NOW)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        store.cohort_reach(0, NOW, None, cohort_size=10_000)  # big enough to walk
    finally:
        store.conn.set_trace_callback(None)
    [walk] = [s for s in statements if "walked AS" in s]
    plan = [r[3] for r in store.all("EXPLAIN QUERY PLAN " + walk)]
    store.close()
    assert "SEARCH p USING INDEX digest_post_reach (<expr>>?)" in plan, plan


def postgres_plans(store: DigestStore, call) -> list[str]:
    """The EXPLAIN of each statement ``call`` runs on ``store`` (PostgreSQL, seq scans
    off: the tables here are tiny and a plan's shape is what is checked)."""
    conn, seen = store.conn, []
    execute = conn.execute

    def recording(sql, params=()):
        seen.append((sql, params))
        return execute(sql, params)

    conn.execute = recording
    try:
        call()
    finally:
        del conn.execute
    with store.transaction() as tx:
        tx.execute("SET LOCAL enable_seqscan = off")
        return ["\n".join(r[0] for r in tx.execute("EXPLAIN " + s, p)) for s, p in seen]


def test_the_cohort_is_read_by_index_seeks_on_postgresql(pg_store_url) -> None:
    """Per (topic, state), as on SQLite: no grouping of the whole cohort (it sorted on disk
    at 1 M conversations), the topics sought one by one rather than hash-joined over
    another index, and each person's latest found once, not once per use."""
    store = DigestStore(pg_store_url, clock=lambda: NOW)
    try:
        summary = postgres_plans(store, lambda: store.cohort_summary(W, NOW))
        posted = postgres_plans(store, lambda: store.cohort_posted(W, NOW))
        quiet = postgres_plans(store, lambda: store.quiet_people(NOW - 30 * DAY, 0, NOW))
    finally:
        store.close()
    for plan in summary:  # one plain Aggregate per (topic, state)
        assert "GroupAggregate" not in plan and "HashAggregate" not in plan, plan
    [plan] = posted
    assert "topic_id = ANY ($0)" in plan and "Hash" not in plan, plan
    [plan] = quiet
    assert "CTE latest" in plan, plan
