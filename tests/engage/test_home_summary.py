"""What the App Home shows a person, computed by home_summary from the store: registered or not,
what waits on their topics, what they claimed, and their month's claims and medians."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.engage.home import HomeSummary, MonthNumbers, home_summary, month_start
from tests.support.harness import seed_conversation

MARCH_15 = datetime(2026, 3, 15, 12, tzinfo=UTC).timestamp()


def test_a_month_starts_on_the_first_at_midnight_utc() -> None:
    assert month_start(MARCH_15) == datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    assert month_start(datetime(2026, 3, 1, tzinfo=UTC).timestamp()) == month_start(MARCH_15)


def test_someone_not_registered_sees_nothing_waiting(harness_factory) -> None:
    h = harness_factory()
    seed_conversation(h)
    assert home_summary(h.store, "U0SME2") == HomeSummary(registered=False)


def test_waiting_then_mine_with_the_months_figures(harness_factory) -> None:
    h = harness_factory()
    h.store.clock = lambda: MARCH_15
    h.store.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {})
    cid = seed_conversation(h)
    seed_conversation(h, topic="billing", link="https://forum.example.com/t/bill")

    before = home_summary(h.store, "U0SME1")
    assert before.registered and before.topics == ["kubernetes"]
    assert (len(before.waiting), before.mine, before.month) == (1, [], MonthNumbers())

    h.store.clock = lambda: MARCH_15 + 120
    assert h.services.engagement.claim(cid, "U0SME1").ok
    after = home_summary(h.store, "U0SME1")
    assert (len(after.waiting), len(after.mine)) == (0, 1)
    assert after.month == MonthNumbers(claims=1, replies=0, median_to_claim=120.0)
