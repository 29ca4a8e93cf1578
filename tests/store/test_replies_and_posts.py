"""Reply drafts and the reply watcher's schedule (RepliesStore), and stored posts' upkeep
(PostsStore), each on its own store over a database the app filled."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from bot.store.posts import PostsStore
from bot.store.replies import RepliesStore
from tests.support.feeds import rss
from tests.support.harness import seed_conversation

NOW = 1_800_000_000.0


def test_a_draft_per_person_last_one_kept(harness_and_alone) -> None:
    h, open_alone = harness_and_alone
    cid = seed_conversation(h)
    replies = open_alone(RepliesStore)
    assert replies.draft(cid, "U0SME1") == ""
    replies.save_draft(cid, "U0SME1", "first try")
    replies.save_draft(cid, "U0SME1", "better")
    replies.save_draft(cid, "U0SME2", "mine")
    assert (replies.draft(cid, "U0SME1"), replies.draft(cid, "U0SME2")) == ("better", "mine")


def test_the_watch_schedule_counts_looks_and_failures_and_keeps_validators(
    harness_and_alone,
) -> None:
    h, open_alone = harness_and_alone
    cid = seed_conversation(h)
    assert h.services.engagement.claim(cid, "U0SME1").ok
    replies = open_alone(RepliesStore)
    [due] = replies.due_reply_watches(NOW, claimed_since=NOW - 3600, limit=10)
    assert (due.id, due.owner, due.checks) == (cid, "U0SME1", None)  # never looked at
    replies.schedule_reply_watch(cid, NOW + 600, error="HTTP 503", etag='"v1"')
    watch = replies.reply_watch(cid)
    assert (watch.checks, watch.failures, watch.last_error, watch.etag) == (
        1,
        1,
        "HTTP 503",
        '"v1"',
    )
    assert replies.due_reply_watches(NOW, claimed_since=NOW - 3600, limit=10) == []
    replies.schedule_reply_watch(cid, NOW + 1200, last_modified="Mon, 02 Mar 2026 09:00:00 GMT")
    watch = replies.reply_watch(cid)
    assert (watch.checks, watch.failures, watch.last_error, watch.etag) == (2, 0, None, '"v1"')
    assert [w.id for w in replies.due_reply_watches(NOW + 1200, NOW - 3600, 10)] == [cid]
    assert replies.reply_watch(cid + 1) is None


def test_purge_keeps_posts_that_became_conversations(harness_factory, feeds) -> None:
    dated = format_datetime(datetime.fromtimestamp(NOW - 60, UTC))
    items = [
        {"title": "Sourdough tips", "link": "https://forum.example.com/t/2", "pubDate": dated},
        {"title": "k8s pods restart", "link": "https://forum.example.com/t/1", "pubDate": dated},
    ]
    feeds.set("/f.xml", rss(items))
    h = harness_factory(sources=[feeds.url("/f.xml")])
    h.store.clock = lambda: NOW
    h.poll()
    posts = PostsStore(h.store.path, clock=lambda: NOW)
    try:
        totals = posts.metric_totals()
        assert (
            totals["posts_heard"],
            totals["conversations_waiting"] + totals["conversations_posted"],
        ) == (2, 1)
        assert posts.purge_posts(before=NOW) == 0  # both first seen at NOW: not before it
        assert posts.purge_posts(before=NOW + 1, batch=1) == 1  # the sourdough post only
        assert posts.metric_totals()["posts_heard"] == 1
        [row] = posts.all("SELECT id FROM posts")
        assert posts.post_source_labels(row["id"]) == ["Test feed"]  # the feed's title
    finally:
        posts.close()
