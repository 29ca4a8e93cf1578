"""X search without the corpus: the monthly read budget, counted per calendar month, stops
polling before a request; X's refusals become FetchErrors the poller reschedules by."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.fetch.client import FetchError
from bot.models import SourceSpec
from bot.poll.xsearch import XSearch, month_key, next_month_start
from bot.store import Store
from tests.support.fakex import FakeXApi

MARCH_15 = datetime(2026, 3, 15, 12, tzinfo=UTC).timestamp()


@pytest.fixture
def x_api() -> Iterator[FakeXApi]:
    api = FakeXApi()
    yield api
    api.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    made = Store(str(tmp_path / "hark.db"))
    made.clock = lambda: MARCH_15
    yield made
    made.close()


def search(store: Store, url: str, budget: int = 1000) -> tuple[XSearch, object]:
    source_id = store.add_source(SourceSpec("x", "kubernetes -is:retweet", 900, "config"))
    return XSearch(store, "bearer", api_url=url, max_reads_per_month=budget, timeout=5), (
        store.source(source_id)
    )


def test_months_are_calendar_months_in_utc() -> None:
    assert month_key(MARCH_15) == "2026-03"
    assert next_month_start(MARCH_15) == datetime(2026, 4, 1, tzinfo=UTC).timestamp()
    december = datetime(2026, 12, 31, 23, 59, tzinfo=UTC).timestamp()
    assert next_month_start(december) == datetime(2027, 1, 1, tzinfo=UTC).timestamp()


def test_reads_are_counted_and_a_spent_budget_stops_before_asking_x(
    store: Store, x_api: FakeXApi
) -> None:
    x_api.body = {
        "data": [
            {"id": "1", "text": "k8s help?", "author_id": "9", "edit_history_tweet_ids": ["1"]}
        ],
        "meta": {"result_count": 1, "newest_id": "1"},
    }
    xsearch, source = search(store, x_api.url, budget=20)
    posts, newest = xsearch(source)
    assert [p.guid for p in posts] == ["1"] and newest == "1"
    assert store.x_reads("2026-03") == 1
    store.add_x_reads("2026-03", 10)  # 11 used: 9 left, under X's smallest page of 10
    with pytest.raises(FetchError) as spent:
        xsearch(source)
    assert x_api.requests == 1
    assert spent.value.message == (
        "the monthly X read budget (20 posts) is used up; X polling resumes on 2026-04-01. "
        "Raise x.max_reads_per_month in the config to read more."
    )
    assert spent.value.retry_after == next_month_start(MARCH_15) - MARCH_15


@pytest.mark.parametrize(
    ("status", "message", "permanent"),
    [
        (401, "X refused the bearer token (401); check X_BEARER_TOKEN", True),
        (503, "X answered 503", False),
    ],
)
def test_x_refusals_become_fetch_errors(
    store: Store, x_api: FakeXApi, status: int, message: str, permanent: bool
) -> None:
    x_api.status, x_api.body = status, {"title": "refused", "detail": "no", "status": status}
    xsearch, source = search(store, x_api.url)
    with pytest.raises(FetchError) as refused:
        xsearch(source)
    assert (refused.value.message, refused.value.status) == (message, status)
    assert refused.value.permanent is permanent


def test_x_out_of_reach_is_a_fetch_error(store: Store) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    xsearch, source = search(store, f"http://127.0.0.1:{port}/2/")
    with pytest.raises(FetchError, match=r"X is unreachable \(ConnectionError\)"):
        xsearch(source)
