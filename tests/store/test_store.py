"""The store: migrations, post identity, the outbox, compare-and-set, source health."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from bot.models import Post, SourceSpec, Topic
from bot.store import IncomingPost, Store, StoredPost


@pytest.fixture
def store(tmp_path):
    s = Store(str(tmp_path / "t.db"))
    s.clock = lambda: 1_000_000.0
    yield s
    s.close()


def _post(guid="g1", link="https://e.com/1", title="Title", text="Body") -> Post:
    return Post(
        guid=guid, link=link, title=title, text=text, published=datetime(2026, 11, 1, tzinfo=UTC)
    )


def _store_post(
    store: Store, source_id: int, post: Post, *, site: str, source_kind: str, content_hash: str
) -> StoredPost:
    """One post through the poller's path (a feed of one)."""
    [stored] = store.store_source_posts(
        source_id, [IncomingPost(post, site, content_hash)], source_kind=source_kind
    )
    assert stored is not None
    return stored


def _source(store: Store, url: str = "https://e.com/feed") -> int:
    return store.add_source(SourceSpec("feed", url, 600, ""))


def test_migrations_can_be_rerun(tmp_path):
    path = str(tmp_path / "m.db")
    Store(path).close()
    again = Store(path)
    assert (
        next(r["name"] for r in again.all("SELECT name FROM _sqlite_migrations ORDER BY id"))
        == "m001_core"
    )
    assert again.one("PRAGMA journal_mode")[0] == "wal"
    again.close()


def test_identity_guid_then_link_then_hash(store):
    a, b = _source(store), _source(store, "https://other.com/feed")
    first = _store_post(store, a, _post(), site="e.com", source_kind="feed", content_hash="h1")
    assert first.is_new
    # same GUID, same source: same post
    assert not _store_post(
        store, a, _post(), site="e.com", source_kind="feed", content_hash="h1"
    ).is_new
    # GUID changed, same link: same post
    changed = _store_post(
        store, a, _post(guid="g2"), site="e.com", source_kind="feed", content_hash="h9"
    )
    assert changed.id == first.id and not changed.is_new
    # same link from another source: same post, both sources remembered
    other = _store_post(
        store, b, _post(guid="x"), site="e.com", source_kind="feed", content_hash="h1"
    )
    assert other.id == first.id
    assert len(store.post_source_labels(first.id)) == 2
    # no link, same content hash: same post
    nolink = _post(guid=None, link=None)
    assert not _store_post(store, b, nolink, site="", source_kind="feed", content_hash="h1").is_new
    # different everything: a new post
    assert _store_post(
        store,
        a,
        _post("g3", "https://e.com/3"),
        site="e.com",
        source_kind="feed",
        content_hash="h3",
    ).is_new


def _conversation(store: Store) -> int:
    store.sync_config_topics([Topic("k8s", "k8s", "C0K8S")])
    source = _source(store)
    post = _store_post(store, source, _post(), site="e.com", source_kind="feed", content_hash="h")
    topic_id = store.topic_by_name("k8s").id
    cid = store.record_conversation(
        post.id, topic_id, channel="C0K8S", score=1, why="", deliver=True
    )
    assert (
        store.record_conversation(post.id, topic_id, channel="C0K8S", score=1, why="", deliver=True)
        is None
    )
    return cid


def test_outbox_order_and_sent(store):
    cid = _conversation(store)
    assert [r.id for r in store.outbox()] == [cid]
    store.mark_sending(cid)
    store.mark_sent(cid, "123.456")
    assert store.outbox() == []
    assert store.conversation(cid).ts == "123.456"


def test_concurrent_claims_leave_one_owner(store):
    cid = _conversation(store)
    winners: list[str] = []
    barrier = threading.Barrier(16)

    def claim(user: str) -> None:
        barrier.wait()
        if store.change_state(
            cid,
            user_id=user,
            action="claim",
            expect_states=("new",),
            state="claimed",
            owner=user,
            claimed_at=store.now(),
        ):
            winners.append(user)

    threads = [threading.Thread(target=claim, args=(f"U{i:04d}",)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    assert store.conversation(cid).owner == winners[0]
    assert [(e.user_id, e.action) for e in store.engagements(cid)] == [(winners[0], "claim")]


def test_change_state_refuses_unknown_columns(store):
    cid = _conversation(store)
    with pytest.raises(ValueError):
        store.change_state(cid, user_id="U1", action="x", expect_states=("new",), ts="1")


def test_failures_back_off_and_recover(store):
    sid = _source(store)
    first = store.record_poll_failure(sid, "answered 500")
    second = store.record_poll_failure(sid, "answered 500")
    assert second.consecutive_failures == 2
    # exponential: the second wait is about twice the first (jitter is +-10 %)
    assert second.next_check_at - 1_000_000 > (first.next_check_at - 1_000_000) * 1.5
    assert store.mark_failure_reported(sid) and not store.mark_failure_reported(sid)
    store.record_poll_success(sid, etag='"e"', last_modified=None, next_in=600)
    row = store.source(sid)
    assert row.consecutive_failures == 0 and row.last_error is None and row.etag == '"e"'
    assert row.failure_reported == 0 and row.seeded == 1


def test_retry_after_is_honoured(store):
    sid = _source(store)
    row = store.record_poll_failure(sid, "429", retry_after=3000)
    assert row.next_check_at - 1_000_000 >= 3000 * 0.9


def test_config_sync_keeps_command_sources(store):
    store.sync_config_sources([SourceSpec("feed", "https://a.com/f", 600, "")])
    manual = _source(store, "https://manual.com/f")
    store.sync_config_sources([SourceSpec("feed", "https://b.com/f", 600, "")])
    enabled = {r.target for r in store.sources(enabled_only=True)}
    assert enabled == {"https://b.com/f", "https://manual.com/f"}
    assert store.source(manual).enabled == 1


def test_topics_version_changes_with_topics(store):
    before = store.topics_version()
    store.sync_config_topics([Topic("k8s", "k8s", "C0K8S")])
    assert store.topics_version() != before


def test_due_sources_follow_the_clock(store):
    sid = _source(store)
    assert [r.id for r in store.due_sources()] == [sid]
    store.record_poll_success(sid, etag=None, last_modified=None, next_in=600)
    assert store.due_sources() == []
    store.clock = lambda: 1_000_000.0 + 700
    assert [r.id for r in store.due_sources()] == [sid]
