"""read_feed and ParsePool: a feed's posts with their sites and content hashes; entries the
store already has skip text extraction; the same answers on the calling thread and in a
worker process; bytes that are not a feed are a FeedError either way."""

from __future__ import annotations

import pytest

from bot.match.engine import Document
from bot.parse.feeds import FeedError
from bot.parse.normalize import content_hash
from bot.poll.pool import ParsePool, default_processes, read_feed
from tests.support.feeds import rss

URL = "https://forum.example.com/feed.xml"
BODY = rss(
    [
        {
            "title": "Pods restart",
            "link": "https://forum.example.com/t/1",
            "guid": "g1",
            "description": "&lt;p&gt;My k8s pod restarts&lt;/p&gt;",
        },
        {
            "title": "Billing portal down",
            "link": "https://Blog.Example.com/p/2",
            "guid": "g2",
            "description": "invoice trouble",
        },
    ]
)


def test_posts_come_with_their_site_and_content_hash() -> None:
    read = read_feed(BODY, URL)
    assert [p.title for p in read.feed.posts] == ["Pods restart", "Billing portal down"]
    assert read.sites == ["forum.example.com", "blog.example.com"]
    assert read.hashes == [content_hash(p.title, p.text) for p in read.feed.posts]
    assert read.feed.skipped == frozenset()


def test_entries_already_stored_skip_extraction() -> None:
    asked = []

    def lookup(source_id: int, guids: list[str], links: list[str]):
        asked.append((source_id, guids, links))
        return {"g1"}, {"https://blog.example.com/p/2"}  # one by GUID, one by stored link

    read = read_feed(BODY, URL, source_id=7, lookup=lookup)
    assert asked == [
        (7, ["g1", "g2"], ["https://forum.example.com/t/1", "https://blog.example.com/p/2"])
    ]
    assert read.feed.skipped == frozenset({0, 1})
    assert read.hashes == [None, None] and read.sites == ["", ""]
    assert [p.text for p in read.feed.posts] == ["", ""]


def test_without_a_source_the_lookup_is_not_asked() -> None:
    def lookup(*args):
        raise AssertionError("no lookup without a source id")

    assert read_feed(BODY, URL, lookup=lookup).feed.skipped == frozenset()


def test_the_inline_pool_reads_on_the_calling_thread_with_the_lookup() -> None:
    with ParsePool(0, lookup=lambda source_id, guids, links: ({"g2"}, set())) as pool:
        read = pool.read(BODY, URL, source_id=1)
        assert read.feed.skipped == frozenset({1})
        with pytest.raises(FeedError):
            pool.read(b"<html><body>a web page</body></html>", URL)


def test_a_worker_process_answers_what_the_calling_thread_would(tmp_path) -> None:
    missing_store = str(tmp_path / "no-such-dir" / "hark.db")  # the worker reads without lookups
    with ParsePool(1, db_path=missing_store) as pool:
        read = pool.read(BODY, URL, source_id=1)
        assert read == read_feed(BODY, URL)
        with pytest.raises(FeedError) as refused:
            pool.read(b"<html><body>a web page</body></html>", URL)
        assert "looks like HTML" in refused.value.message


def test_default_processes_is_at_most_four() -> None:
    assert 0 <= default_processes() <= 4


def test_new_posts_are_matched_and_tagged_where_they_are_parsed(harness_factory) -> None:
    from bot.match.relevance import Relevance

    h = harness_factory()
    relevance = Relevance(h.store, h.settings.config)
    body = rss(
        [
            {"title": "k8s pods restart, Globex support silent", "link": "https://a.example/1"},
            {"title": "Billing portal down", "link": "https://a.example/2", "guid": "old"},
        ]
    )
    known = lambda source_id, guids, links: ({"old"}, set())
    with ParsePool(0, lookup=known, scanner=relevance.scanner()) as pool:
        [hit_post, skipped] = pool.read(body, URL, source_id=1).matches
    assert skipped is None  # known: not extracted, not matched
    [hit] = hit_post.hits
    assert (hit.topic, hit.channel) == ("kubernetes", "C0K8S")
    assert hit_post.mentions == {"Globex"}
    [expected] = relevance.evaluate(
        Document("k8s pods restart, Globex support silent", "", site="a.example", source="feed"),
        metrics={},
        age_hours=5,
    )
    assert (hit.score(5), hit.why) == (expected.rank.score, expected.rank.why)


def test_a_topic_added_between_cycles_is_matched_by_the_next_cycles_workers(
    harness_factory,
) -> None:
    from bot.match.relevance import Relevance

    h = harness_factory()
    relevance = Relevance(h.store, h.settings.config)
    body = rss([{"title": "Our terraform state is locked", "link": "https://a.example/3"}])
    with ParsePool(1, scanner=relevance.scanner()) as pool:
        assert pool.read(body, URL, source_id=1).matches[0].hits == ()
    assert h.store.add_topic("iac", "terraform", "C0IAC")  # what /hark topics add does
    with ParsePool(1, scanner=relevance.scanner()) as pool:
        [found] = pool.read(body, URL, source_id=1).matches
    assert [(hit.topic, hit.channel) for hit in found.hits] == [("iac", "C0IAC")]
    h.store.add_mute("phrase", "state is locked", "U0MARKETER")  # a mute is honoured too
    with ParsePool(1, scanner=relevance.scanner()) as pool:
        assert pool.read(body, URL, source_id=1).matches[0].hits == ()


def test_a_cycle_that_parses_nothing_compiles_no_scanner() -> None:
    def compile_now():
        raise AssertionError("compiled for a cycle of 304s")

    with ParsePool(1, scanner=compile_now) as pool:
        pass  # no feed read: no scanner, no worker process
    with ParsePool(0, scanner=compile_now) as pool, pytest.raises(AssertionError):
        pool.read(BODY, URL)  # the first feed with news compiles it


def _main_file() -> str | None:
    import sys

    return getattr(sys.modules["__main__"], "__file__", None)  # set when main was re-run


def test_workers_do_not_import_the_main_module(tmp_path) -> None:
    # Under `hark` the main module is bot.cli, the whole app: a worker needs none of it.
    with ParsePool(2, db_path=str(tmp_path / "hark.db")) as pool:
        started = pool._started()
        assert [started.submit(_main_file).result() for _ in range(4)] == [None] * 4


def _parent_pid() -> int:
    import os

    return os.getppid()


def test_workers_fork_from_one_server_that_outlives_the_cycle(tmp_path) -> None:
    # Each worker once started a fresh interpreter and imported the parse path (~0.4 s of
    # CPU, every large cycle); now one fork server imports it once and every worker of
    # every cycle is a fork of it, not of Hark's own (threaded) process.
    import os

    parents = []
    for _cycle in range(2):
        with ParsePool(2, db_path=str(tmp_path / "hark.db")) as pool:
            started = pool._started()
            parents += [started.submit(_parent_pid).result() for _ in range(4)]
    assert os.getpid() not in parents
    assert len(set(parents)) == 1


def test_workers_have_the_parse_path_before_their_first_feed(tmp_path) -> None:
    # Hark itself imports the parse path only when a feed has something to read (a cycle
    # of 304s needs none of it); the fork server imports it once for every worker.
    with ParsePool(1, db_path=str(tmp_path / "hark.db")) as pool:
        started = pool._started()
        assert started.submit(eval, "'bot.parse.feeds' in __import__('sys').modules").result()
