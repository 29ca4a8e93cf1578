"""Sources, ingest and the replay guard, each on its own store: the config's sources synced,
the poll schedule (success clears the streak, failure backs off, reported once); a post
recorded once however many sources or polls bring it; a request signature answered once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import Post, SourceSpec
from bot.store.ingest import IncomingPost, IngestStore, known_identities, open_reader
from bot.store.replays import KEEP_SECONDS, ReplaysStore
from bot.store.sources import MAX_BACKOFF, SourcesStore

NOW = 1_800_000_000.0
FEED = SourceSpec("feed", "https://forum.example.com/feed.xml", 600, "forum")


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "hark.db")


@pytest.fixture
def sources(path: str):
    store = SourcesStore(path, clock=lambda: NOW)
    yield store
    store.close()


def test_sync_keeps_command_sources_and_disables_dropped_config_ones(sources) -> None:
    other = SourceSpec("feed", "https://blog.example.com/feed.xml", 3600, "")
    sources.sync_config_sources([FEED, other])
    added = sources.add_source(SourceSpec("x", "kubernetes -is:retweet", 900, ""))
    sources.sync_config_sources([FEED])
    enabled = {s.target: s.from_config for s in sources.sources(enabled_only=True)}
    assert enabled == {FEED.target: True, "kubernetes -is:retweet": False}
    assert sources.source(added).kind == "x"
    assert sources.source_by_target("feed", other.target).enabled is False


def test_a_failure_backs_off_and_a_success_clears_the_streak(sources) -> None:
    source_id = sources.add_source(FEED)
    assert [s.id for s in sources.due_sources()] == [source_id]  # new: due at once
    first = sources.record_poll_failure(source_id, "HTTP 503")
    second = sources.record_poll_failure(source_id, "HTTP 503", retry_after=10 * MAX_BACKOFF)
    assert (first.consecutive_failures, second.consecutive_failures) == (1, 2)
    assert first.failing_since == NOW and second.last_error == "HTTP 503"
    assert NOW + 600 * 0.9 <= first.next_check_at <= NOW + 600 * 1.1  # every, +-10 % jitter
    # Retry-After beyond the longest back-off is capped to it.
    assert NOW + MAX_BACKOFF * 0.9 <= second.next_check_at <= NOW + MAX_BACKOFF * 1.1
    assert sources.due_sources() == []
    assert sources.mark_failure_reported(source_id) is True
    assert sources.mark_failure_reported(source_id) is False  # admins hear once a streak
    sources.record_poll_success(source_id, etag='"v2"', last_modified=None, next_in=600)
    ok = sources.source(source_id)
    assert (ok.consecutive_failures, ok.failing_since, ok.last_error, ok.etag) == (
        0,
        None,
        None,
        '"v2"',
    )
    assert ok.seeded and ok.last_success_at == NOW
    sources.force_all_due()
    assert [s.id for s in sources.due_sources()] == [source_id]


def incoming(guid: str, link: str, text: str = "body") -> IncomingPost:
    post = Post(guid=guid, link=link, title="Pods restart", text=text)
    return IncomingPost(post, "forum.example.com", f"hash-{text}")


def test_a_post_is_recorded_once_by_guid_then_link_then_content(path: str, sources) -> None:
    one = sources.add_source(FEED)
    two = sources.add_source(SourceSpec("feed", "https://mirror.example.com/feed.xml", 600, ""))
    ingest = IngestStore(path, clock=lambda: NOW)
    try:
        [first] = ingest.store_source_posts(
            one, [incoming("g1", "https://f.example/t/1")], source_kind="feed"
        )
        assert first is not None and first.is_new
        [again] = ingest.store_source_posts(
            one, [incoming("g1", "https://f.example/t/1")], source_kind="feed"
        )
        [by_link] = ingest.store_source_posts(
            two, [incoming("m9", "https://f.example/t/1")], source_kind="feed"
        )
        [by_hash] = ingest.store_source_posts(
            two, [incoming("m10", "https://f.example/other")], source_kind="feed"
        )
        assert {p.id for p in (again, by_link, by_hash) if p} == {first.id}
        assert not any(p.is_new for p in (again, by_link, by_hash) if p)
        assert ingest.known_identities(
            one, ["g1", "g2"], ["https://f.example/t/1", "https://x"]
        ) == (
            {"g1"},
            {"https://f.example/t/1"},
        )
        reader = open_reader(path)  # what a parse worker process opens
        try:
            assert known_identities(reader, two, ["m9", "g1"], []) == ({"m9"}, set())
        finally:
            reader.close()
    finally:
        ingest.close()


def test_a_signature_is_answered_once_within_the_window(path: str) -> None:
    clock = [NOW]
    replays = ReplaysStore(path, clock=lambda: clock[0])
    try:
        assert replays.first_delivery("v0=abc") is True
        assert replays.first_delivery("v0=abc") is False
        assert replays.first_delivery("v0=def") is True
        clock[0] = NOW + KEEP_SECONDS + 1
        assert replays.prune_signatures(clock[0]) == 2
        assert replays.seen_signature_count() == 0
        assert replays.first_delivery("v0=abc") is True  # its timestamp fails Bolt's check by now
    finally:
        replays.close()
