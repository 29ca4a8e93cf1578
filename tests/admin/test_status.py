"""/hark topics, sources and status as the status module renders them from the store: within
Block Kit's limits, failing sources first, feed URLs redacted unless an admin asks, long lists
cut with a count of what is not shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.admin import status
from bot.admin.status import SOURCES_SHOWN
from bot.blocks.admin import answer_message
from bot.models import SourceSpec
from bot.store import Store
from tests.support.blockkit import validate_blocks
from tests.support.mentions import text_leaves

SECRET_FEED = "https://user:pw@feeds.example.com/f.xml?token=abc"


# The answers are data (bot/answer.py); /hark renders them with bot/blocks/admin.py.
def topics_listing(store: Store) -> dict:
    return answer_message(status.topics_listing(store))


def sources_listing(store: Store, *, reveal: bool = False) -> dict:
    return answer_message(status.sources_listing(store, reveal=reveal))


def status_report(store: Store) -> dict:
    return answer_message(status.status_report(store))


def text_of(message: dict) -> str:
    assert validate_blocks(message["blocks"]) == []
    return "\n".join(text_leaves(message["blocks"]))


@pytest.fixture
def empty_store(tmp_path: Path):
    store = Store(str(tmp_path / "hark.db"))
    yield store
    store.close()


def test_an_empty_store_says_where_topics_and_sources_come_from(empty_store: Store) -> None:
    assert "Add them under `topics:` in the config file." in text_of(topics_listing(empty_store))
    sources = text_of(sources_listing(empty_store))
    assert "`/hark sources add <kind> <value> [every]` (admins)" in sources
    status = text_of(status_report(empty_store))
    assert "sources: 0 in all, 0 failing" in status and "last successful poll: never" in status


def test_topics_with_their_channel_and_query(harness_factory) -> None:
    h = harness_factory()
    listing = topics_listing(h.store)
    assert listing["text"] == "2 topics"
    shown = text_of(listing)
    # channels as Slack links them, as the confirmation of `/hark topics add` shows them
    assert "*kubernetes* → <#C0K8S> — `(kubernetes OR k8s) -hiring`" in shown
    assert '*billing* → <#C0BILL> — `invoice OR "billing portal"`' in shown


def test_failing_sources_first_and_urls_redacted_unless_revealed(harness_factory, feeds) -> None:
    feeds.set("/ok.xml", b"<rss version='2.0'><channel><title>t</title></channel></rss>")
    h = harness_factory(sources=[feeds.url("/ok.xml"), feeds.url("/gone.xml")])
    h.poll()
    paused = h.store.add_source(SourceSpec("feed", SECRET_FEED, 600, ""))
    h.store.set_source_enabled(paused, False)
    listing = sources_listing(h.store)
    assert listing["text"] == "3 sources, 1 failing"
    lines = text_of(listing).splitlines()
    assert lines[0] == "*Sources* — 3 in all, 1 failing, 1 paused"
    assert "/gone.xml — :red_circle: failing for" in lines[1]
    assert ":large_green_circle: ok" in lines[2]
    assert lines[3] == (
        f"`{paused}` https://feeds.example.com/f.xml?… — :double_vertical_bar: paused "
        f"(`/hark sources resume {paused}`)"
    )
    assert "user:pw" not in text_of(listing) and "token=abc" not in text_of(listing)
    assert SECRET_FEED in text_of(sources_listing(h.store, reveal=True))
    status = text_of(status_report(h.store))
    # the same counts as /hark sources (it said "2 sources, 1 failing": the paused one left out)
    assert "sources: 3 in all, 1 failing, 1 paused" in status


def test_a_long_list_is_cut_with_a_count(empty_store: Store) -> None:
    for i in range(SOURCES_SHOWN + 5):
        empty_store.add_source(SourceSpec("feed", f"https://feeds.example.com/{i}.xml", 600, ""))
    listing = sources_listing(empty_store)
    shown = text_of(listing)
    assert shown.endswith("…and 5 more not shown.")
    assert shown.count("not checked yet") == SOURCES_SHOWN
