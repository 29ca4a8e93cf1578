"""The reporting side gives the same Python values on SQLite and on PostgreSQL: one known
world built twice through the production code, once per engine, then every digest figure,
the store's reporting queries and the export rows compared value for value, types
included (PostgreSQL hands back bool, Decimal and float where SQLite has int)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

from tests.support.digest_world import CONFIG, DAY, MIN, NOW, T0, W, World, build_world, digest

PERIODS = ("7d", "14d", "30d", "365d")


def typed(value: Any) -> Any:
    """``value`` with every scalar tagged by its type and every mapping in key order: equal
    only when the values are equal *and* of one type (1, 1.0 and True differ)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, [(f.name, typed(getattr(value, f.name))) for f in fields])
    if isinstance(value, Mapping):
        return ("map", sorted((repr(k), typed(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def summary(s, *args) -> Any:
    """The cohort summary in an order of its own: its groups and each topic's owner tokens
    come in whatever order the engine grouped and concatenated them (only counted)."""
    found = s.cohort_summary(*args)
    owned = {t: sorted(tokens.strip(",").split(",")) for t, tokens in found.owned.items()}
    groups = sorted(found.groups, key=lambda g: (g.topic_id, g.state))
    return dataclasses.replace(found, groups=groups, owned=owned)


def extend(w: World) -> World:
    """What the shared world lacks: delays and day offsets with fractions (PostgreSQL's CAST
    rounds, SQLite's truncates), employees' own posts and people with several topics."""
    cid = w.conversation("pricing", W + 2.7 * DAY, author="frank", metrics={"score": 7})
    w.claim(cid, "U0AAA", 100.6)
    w.reply(cid, "U0AAA", 100.6 + 59.7 * MIN)
    w.conversation("pricing", T0 + 3.6 * DAY, author="frank")
    w.store.save_person("U0BBB", {"name": "Bea"}, ["pricing", "Billing"], {"x": "@bea"})
    w.store.save_person("W0CCC", {"name": "Cy"}, ["kubernetes"], {"github": "cy", "x": "@cy"})
    for n, (user, company, topics) in enumerate(
        [("U0AAA", True, ["kubernetes"]), ("U0AAA", True, []), ("U0BBB", False, ["billing"])]
    ):
        w.store.record_employee_post(
            user,
            "x",
            link=f"https://x.example/{n}",
            title=f"Post {n}",
            published_at=W + (n + 1) * DAY,
            mentions_company=company,
            topics=topics,
        )
    w.at(NOW)
    return w


@pytest.fixture
def worlds(harness_factory, tmp_path, pg_store_url):
    lite = harness_factory(config=CONFIG, HARK_DB=str(tmp_path / "lite.db"))
    pg = harness_factory(config=CONFIG, HARK_DB=pg_store_url)
    assert (lite.store.dialect.name, pg.store.dialect.name) == ("sqlite", "postgresql")
    for h in (lite, pg):
        h.store.clock = lambda: T0 - DAY  # people saved before the world's clock starts
    return extend(build_world(lite)), extend(build_world(pg))


def both(worlds, read) -> tuple[Any, Any]:
    lite, pg = worlds
    return typed(read(lite.store)), typed(read(pg.store))


@pytest.mark.parametrize("topic", [None, "kubernetes", "billing"])
def test_the_digest_is_the_same_on_both_engines(worlds, topic) -> None:
    lite, pg = worlds
    for spec in PERIODS:
        assert typed(digest(pg, spec, topic)) == typed(digest(lite, spec, topic)), spec


def cohort_reads(since: float, until: float, topic_id: int | None) -> dict[str, Any]:
    """The store's reads of one cohort, by name."""
    return {
        "summary": lambda s: summary(s, since, until, topic_id),
        "posted": lambda s: s.cohort_posted(since, until, topic_id),
        "reach": lambda s: s.cohort_reach(since, until, topic_id, 20),
        "reach walk": lambda s: s.cohort_reach(since, until, topic_id, 10_000, limit=2),
        "backlog": lambda s: s.cohort_backlog(since, until, topic_id),
        "days": lambda s: sorted(
            s.daily_activity(since, until, topic_id, T0), key=lambda d: (d.day, d.topic)
        ),
        "voices": lambda s: s.cohort_voices(since, until, topic_id),
        "quiet": lambda s: s.quiet_people(until - 30 * DAY, 0, until, topic_id),
        "mentions": lambda s: s.heard_and_mentions(
            [(since, until)], ["Acme", "Globex", "Initech"], topic_id
        ),
    }


def test_the_reporting_queries_give_the_same_values_on_both_engines(worlds) -> None:
    lite_world, _ = worlds
    k8s = lite_world.store.topic_by_name("kubernetes").id
    periods = [(W, NOW), (T0, NOW), (T0 + 0.5 * DAY, W + 2.25 * DAY), (NOW - 250 * DAY, NOW)]
    for since, until in periods:
        for topic_id in (None, k8s):
            for name, read in cohort_reads(since, until, topic_id).items():
                lite, pg = both(worlds, read)
                assert pg == lite, (name, since, until, topic_id)
    same = {
        "employees": lambda s: s.employee_reach_summary(T0, NOW),
        "employees k8s": lambda s: s.employee_reach_summary(T0, NOW, "Kubernetes"),
        "employee reach": lambda s: s.employee_reach(T0, NOW),
        "employee posts": lambda s: s.recent_employee_posts("U0AAA"),
        "declared": lambda s: s.declared_topics(),
        "handles": lambda s: s.employee_handles(),
        "totals": lambda s: s.metric_totals(),
        "labels": lambda s: s.post_source_labels(1),
        "due feeds": lambda s: s.due_voice_feeds(["x", "github"], NOW, 10),
        "no networks": lambda s: s.due_voice_feeds([], NOW, 10),
    }
    for name, read in same.items():
        lite, pg = both(worlds, read)
        assert pg == lite, name


@pytest.mark.parametrize("what", ["conversations", "engagements", "people"])
def test_the_exports_are_the_same_on_both_engines(worlds, what) -> None:
    def rows(since: float, until: float | None):
        return lambda s: [tuple(r) for r in s.export(what, since, until)]

    for since, until in [(0, None), (W, None), (T0 - DAY, W)]:
        lite, pg = both(worlds, rows(since, until))
        assert pg == lite, (since, until)
        assert lite or since != 0  # every export has rows


def test_a_postgresql_export_reads_a_batch_at_a_time_from_a_server_cursor(worlds) -> None:
    lite, pg = worlds
    rows = iter(pg.store.export("engagements", 0))
    first = next(rows)
    [cursor] = pg.store.all("SELECT name, is_holdable FROM pg_cursors")
    assert cursor["name"].startswith("hark_export_") and cursor["is_holdable"]
    rest = list(rows)
    assert pg.store.all("SELECT name FROM pg_cursors") == []  # closed once read
    assert [first, *rest] == [tuple(r) for r in lite.store.export("engagements", 0)]
