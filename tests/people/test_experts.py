"""Who could answer: registered people of the topic, available ones first, at most three;
a mention only for someone who opted in and is not away, else their name, escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.blocks.conversation import expert_label, expert_labels
from bot.people.experts import Expert, is_away, suggest_experts
from bot.store import Store

MARCH_15 = datetime(2026, 3, 15, 12, tzinfo=UTC).timestamp()
TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("away_until", "away"),
    [
        (None, False),
        ("", False),
        ("2026-03-14", False),
        ("2026-03-15", True),  # inclusive: back the day after
        ("2026-04-01", True),
        ("2026-04-01T00:00:00", True),
        ("next week", False),  # unreadable: here
    ],
)
def test_is_away(away_until: str | None, away: bool) -> None:
    assert is_away(away_until, TODAY) is away


@pytest.mark.parametrize(
    ("expert", "label"),
    [
        (Expert("U0SAM", "Sam", pingable=True, away=False), "<@U0SAM>"),
        (Expert("U0SAM", "Sam", pingable=False, away=False), "Sam"),
        (Expert("U0SAM", "Sam", pingable=True, away=True), "Sam (away)"),
        (Expert("U0SAM", "", pingable=False, away=False), "`U0SAM`"),
        (
            Expert("U0EVE", "<!here> Eve & co", pingable=False, away=False),
            "&lt;!here&gt; Eve &amp; co",
        ),
    ],
)
def test_expert_label(expert: Expert, label: str) -> None:
    assert expert_label(expert) == label


@pytest.fixture
def store(tmp_path: Path):
    made = Store(str(tmp_path / "hark.db"), clock=lambda: MARCH_15)
    yield made
    made.close()


def register(
    store: Store, user_id: str, name: str, *, pingable: bool = False, away: str = ""
) -> None:
    profile = {"name": name, "pingable": int(pingable), "away_until": away or None}
    store.save_person(user_id, profile, ["kubernetes"], {})


def test_available_people_first_at_most_three_the_excluded_left_out(store: Store) -> None:
    register(store, "U0A", "Ann", away="2026-03-20")
    register(store, "U0B", "Bob", pingable=True)
    register(store, "U0C", "Cat")
    register(store, "U0D", "Dan")
    register(store, "U0E", "Eve")
    store.save_person("U0F", {"name": "Fay"}, ["billing"], {})  # another topic
    found = suggest_experts(store, "kubernetes", exclude={"U0C"})
    assert [(e.user_id, e.away) for e in found] == [("U0B", False), ("U0D", False), ("U0E", False)]
    assert [e.user_id for e in suggest_experts(store, "kubernetes", limit=10)][-1] == "U0A"
    assert expert_labels(suggest_experts(store, "kubernetes")) == ("<@U0B>", "Cat", "Dan")
    assert suggest_experts(store, "astrology") == []
