"""The poll cycle: schedule, backoff, conditional GET, admins told once, dedupe, the parse pool."""

from __future__ import annotations

import random

from bot.config import parse_config
from bot.fetch.client import Fetcher
from bot.match.relevance import Relevance
from bot.models import Post, SourceSpec
from bot.poll.poller import MAX_INTERVAL, Poller
from bot.store import Store
from bot.store.ingest import IncomingPost
from bot.store.sources import MAX_BACKOFF
from tests.support.feeds import pub_date, rss

ADMIN = "U0MARKETER"
DAY = 86400.0


def _item(n: int, title: str = "k8s question", hours_ago: float = 1) -> dict[str, str]:
    return {
        "title": f"{title} {n}",
        "link": f"https://forum.example.com/t/{n}",
        "guid": f"t-{n}",
        "pubDate": pub_date(hours_ago),
    }


def _at(h, when: float) -> None:
    h.store.clock = lambda: when


def _admin_dms(h) -> list[str]:
    return [c.args["text"] for c in h.fake.calls("chat.postMessage") if c.args["channel"] == ADMIN]


def test_a_source_down_for_a_day_is_reported_to_admins_once_per_failure_streak(
    harness_factory, feeds
):
    feeds.set("/feed.xml", b"", status=500)
    h = harness_factory([feeds.url("/feed.xml")])
    start = h.store.now()
    for hours in range(0, 49, 6):  # two days of failures, a poll every 6 h
        _at(h, start + hours * 3600)
        h.poll()
    (dm,) = _admin_dms(h)
    assert dm.startswith(":warning: Source 1 (") and "has failed for a day" in dm
    assert "answered 500 Internal Server Error" in dm
    row = h.store.source(1)
    assert (row.consecutive_failures, row.failure_reported) == (9, 1)

    # It recovers: the streak ends, and so does the report.
    feeds.set("/feed.xml", rss([_item(1)]))
    _at(h, start + 50 * 3600)
    h.poll()
    row = h.store.source(1)
    assert (row.consecutive_failures, row.failing_since, row.failure_reported) == (
        0,
        None,
        0,
    )
    # A new streak of a day is a new report.
    feeds.set("/feed.xml", b"", status=500)
    for hours in range(51, 51 + 25, 6):
        _at(h, start + hours * 3600)
        h.poll()
    assert len(_admin_dms(h)) == 2


def test_failures_back_off_exponentially_and_honour_retry_after(harness_factory, feeds):
    feeds.set("/feed.xml", b"", status=503)
    h = harness_factory([feeds.url("/feed.xml")])
    now = h.store.now()
    _at(h, now)
    waits = []
    for _ in range(7):
        h.poll()
        waits.append(h.store.source(1).next_check_at - now)
    every = 600
    for failures, wait in enumerate(waits, start=1):
        expected = min(MAX_BACKOFF, every * 2 ** (failures - 1))
        assert 0.9 * expected <= wait <= 1.1 * expected  # ±10 % jitter
    feeds.set("/feed.xml", b"", status=429, headers={"Retry-After": "7200"})
    h.store.set_source_enabled(1, True)  # resets the schedule, keeps the streak
    h.poll()
    row = h.store.source(1)
    assert row.next_check_at - now >= 0.9 * MAX_BACKOFF
    assert "polled too often" in row.last_error


def test_304_skips_parsing_and_feed_ttl_and_max_age_stretch_the_interval(harness_factory, feeds):
    body = rss([_item(1)]).replace(b"<channel>", b"<channel><ttl>120</ttl>")
    feeds.set("/feed.xml", body, etag='"v1"')
    h = harness_factory([feeds.url("/feed.xml")])
    now = h.store.now()
    _at(h, now)
    h.poll()
    wait = h.store.source(1).next_check_at - now
    assert 0.9 * 7200 <= wait <= 1.1 * 7200  # <ttl>120</ttl>: two hours, not ten minutes
    # Same ETag, different bytes: a 304 means nothing is parsed, so the broken body
    # behind it can do no harm and the source stays healthy.
    feeds.set("/feed.xml", b"<html>broken", etag='"v1"')
    report = h.services.poller.poll(h.store.sources())
    assert [s.status for s in report.sources] == ["not-modified"]
    assert h.store.source(1).consecutive_failures == 0
    assert feeds.requests[-1].headers["if-none-match"] == '"v1"'
    # Cache-Control max-age is honoured too, but never beyond MAX_INTERVAL.
    feeds.set("/feed.xml", rss([_item(1)]), headers={"Cache-Control": "max-age=86400"})
    h.poll()
    wait = h.store.source(1).next_check_at - now
    assert 0.9 * MAX_INTERVAL <= wait <= 1.1 * MAX_INTERVAL


def test_changed_guid_with_the_same_link_is_not_posted_again(harness_factory, feeds):
    feeds.set("/feed.xml", rss([_item(1)]))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()
    assert len(h.fake.calls("chat.postMessage")) == 1
    moved = dict(_item(1), guid="t-1-renumbered")
    feeds.set("/feed.xml", rss([moved, _item(2)]))
    h.poll()
    assert len(h.fake.calls("chat.postMessage")) == 2  # only item 2 is new
    assert h.store.one("SELECT count(*) AS n FROM posts")["n"] == 2


def test_one_broken_source_does_not_stop_the_others(harness_factory, feeds):
    feeds.set("/good.xml", rss([_item(1)]))
    feeds.set("/bad.xml", b"<rss><channel><item><title>t</title></item>" + b"\0" * 10)
    feeds.set("/gone.xml", b"", status=404)
    h = harness_factory([feeds.url("/bad.xml"), feeds.url("/gone.xml"), feeds.url("/good.xml")])
    report = h.services.poller.poll_due()
    statuses = {s.label.rsplit("/", 1)[-1]: s.status for s in report.sources}
    assert statuses["good.xml"] == "new" and statuses["gone.xml"] == "failed"
    assert [s.source_id for s in report.sources] == [1, 2, 3]  # in source order
    h.services.publisher.deliver()
    assert len(h.fake.calls("chat.postMessage")) == 1


def _config(urls: list[str]):
    return parse_config(
        {
            "topics": [{"name": "kubernetes", "query": "k8s OR kubernetes", "channel": "C0K8S"}],
            "sources": [{"url": u} for u in urls],
            "network": {"allow_hosts": ["127.0.0.1"]},
        }
    )


def test_a_large_cycle_parses_in_worker_processes_with_the_same_result(tmp_path, feeds):
    urls = [feeds.url(f"/{n}.xml") for n in range(12)]
    for n in range(len(urls)):
        # Each feed repeats the previous one's item: dedupe across sources still holds.
        feeds.set(f"/{n}.xml", rss([_item(n), _item(n + 1)]))
    results = {}
    for processes in (0, 2):
        config = _config(urls)
        store = Store(str(tmp_path / f"p{processes}.db"))
        store.sync_config_topics(config.topics)
        store.sync_config_sources(config.sources)
        with Fetcher(allow_hosts=config.allow_hosts) as fetcher:
            poller = Poller(
                store,
                Relevance(store, config),
                fetcher,
                parse_processes=processes,
                pool_min_sources=1,
            )
            report = poller.poll_due()
        assert {s.status for s in report.sources} == {"new"}
        results[processes] = store.all(
            "SELECT p.link, p.text, p.site, p.content_hash, count(*) AS seen FROM posts p "
            "JOIN post_sources ps ON ps.post_id = p.id GROUP BY p.id ORDER BY p.link"
        )
        results[processes] = [tuple(r) for r in results[processes]]
        store.close()
    assert results[0] == results[2]
    assert len(results[0]) == 13 and sum(r[-1] for r in results[0]) == 24


def test_batch_store_agrees_with_one_post_at_a_time(tmp_path):
    """store_source_posts finds the same posts given a whole feed or one post at a time."""
    rng = random.Random(7)
    links = [f"https://e.com/{n}" for n in range(6)] + [None]
    feeds = [
        [
            Post(
                guid=rng.choice([None, f"g{rng.randrange(8)}"]),
                link=rng.choice(links),
                title=f"title {rng.randrange(5)}",
                text="body",
            )
            for _ in range(rng.randrange(1, 8))
        ]
        for _ in range(40)
    ]
    outcomes = []
    for batched in (False, True):
        store = Store(str(tmp_path / f"b{batched}.db"))
        sources = [store.add_source(SourceSpec("feed", f"https://s{n}.com/", 600)) for n in (1, 2)]
        seen = []
        for index, posts in enumerate(feeds):
            source = sources[index % 2]
            items = [IncomingPost(p, "e.com", f"h-{p.title}") for p in posts]
            if batched:
                stored = store.store_source_posts(source, items, source_kind="feed")
            else:
                stored = [  # one post at a time
                    store.store_source_posts(source, [i], source_kind="feed")[0] for i in items
                ]
            seen.append([(s.id, s.is_new) for s in stored])
        sightings = store.all("SELECT post_id, source_id FROM post_sources ORDER BY 1, 2")
        outcomes.append((seen, [tuple(r) for r in sightings]))
        store.close()
    assert outcomes[0] == outcomes[1]


def test_a_post_whose_text_was_skipped_is_never_inserted(tmp_path):
    """Skipped text means "looked known"; if it is not known after all, it waits for the
    next poll (when its text is read) rather than being stored without text."""
    store = Store(str(tmp_path / "s.db"))
    source = store.add_source(SourceSpec("feed", "https://s.com/", 600))
    known = Post(guid="g1", link="https://e.com/1", title="t", text="body")
    store.store_source_posts(source, [IncomingPost(known, "e.com", "h1")], source_kind="feed")
    looked_known = [
        IncomingPost(Post(guid="g1", link="https://e.com/1", title="", text=""), "", None),
        IncomingPost(Post(guid="g9", link="https://e.com/9", title="", text=""), "", None),
    ]
    first, gone = store.store_source_posts(source, looked_known, source_kind="feed")
    assert first is not None and not first.is_new and gone is None
    assert store.one("SELECT count(*) AS n FROM posts")["n"] == 1
    assert store.known_identities(source, ["g1", "g9"], ["https://e.com/1", "https://x/"]) == (
        {"g1"},
        {"https://e.com/1"},
    )
    store.close()


def test_a_source_that_fails_to_store_is_undone_alone_in_a_grouped_commit(harness_factory, feeds):
    # The writer commits several sources at once, each in a savepoint: a source whose
    # storing fails half-way leaves none of its posts, the others keep theirs.
    feeds.set("/a.xml", rss([_item(1), _item(2)]))
    feeds.set("/bad.xml", rss([_item(3), _item(4, title="boom k8s")]))
    feeds.set("/c.xml", rss([_item(5)]))
    h = harness_factory([feeds.url("/a.xml"), feeds.url("/bad.xml"), feeds.url("/c.xml")])
    # A real refusal from the database, on the bad feed's second post only.
    sqlite = h.store.dialect.name == "sqlite"
    if sqlite:
        h.store.conn.execute(
            """CREATE TRIGGER boom BEFORE INSERT ON posts WHEN new.title LIKE 'boom%'
               BEGIN SELECT RAISE(ABORT, 'refused'); END"""
        )
    else:
        h.store.conn.execute(
            """CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                 IF NEW.title LIKE 'boom%' THEN RAISE EXCEPTION 'refused'; END IF;
                 RETURN NEW;
               END $$"""
        )
        h.store.conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION boom()"
        )
    report = h.services.poller.poll_due()
    statuses = {s.label.rsplit("/", 1)[-1]: s.status for s in report.sources}
    assert statuses == {"a.xml": "new", "bad.xml": "failed", "c.xml": "new"}
    links = {r[0] for r in h.store.conn.execute("SELECT link FROM posts")}
    assert links == {f"https://forum.example.com/t/{n}" for n in (1, 2, 5)}
    assert not h.store.conn.in_transaction
    bad = h.store.source(2)
    assert bad.consecutive_failures == 1 and not bad.seeded
    # Nothing of the bad feed waits to be indexed; the others are indexed.
    if sqlite:
        assert h.store.conn.execute("SELECT count(*) FROM posts_fts_pending").fetchone()[0] == 0
    assert h.store.search_posts("k8s")[0] == 3
    h.services.publisher.deliver()
    assert len(h.fake.calls("chat.postMessage")) == 3
