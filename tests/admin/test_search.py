"""/hark search: FTS5 over stored posts, kept in step by triggers; user syntax is inert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.support.feeds import rss


def _items():
    when = format_datetime(datetime.now(UTC) - timedelta(hours=1))
    return [
        {
            "title": "CrashLoopBackOff on my pod",
            "link": "https://s.example/1",
            "guid": "1",
            "description": "kubelet keeps restarting it",
            "pubDate": when,
        },
        {
            "title": "Café &amp;lt;!channel&amp;gt; crashloop",
            "link": "https://s.example/2",
            "guid": "2",
            "pubDate": when,
        },
        {"title": "Sourdough starter", "link": "https://s.example/3", "guid": "3", "pubDate": when},
    ]


def test_search_finds_stored_posts_with_links_and_escapes(harness_factory, feeds):
    feeds.set("/feed.xml", rss(_items()))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()
    h.command("/hark", "search kubelet", user_id="U0SME1")
    answer = h.answer_text()
    assert "*1* stored posts" in answer
    assert "<https://s.example/1|CrashLoopBackOff on my pod>" in answer
    h.command("/hark", "search cafe", user_id="U0SME1")  # diacritics folded
    answer = h.answer_text()
    assert "s.example/2" in answer and "<!channel>" not in answer and "&lt;!channel&gt;" in answer
    h.command("/hark", "search sourdough kubelet", user_id="U0SME1")  # every word required
    assert "No stored post contains all of" in h.answer_text()


def test_fts_syntax_from_users_is_quoted_not_run(harness_factory, feeds):
    feeds.set("/feed.xml", rss(_items()))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()
    for text in (
        'search title:sourdough OR "',
        "search NEAR(a b) *",
        "search sourdough)",
        "search -x ^y",
    ):
        response = h.command("/hark", text.replace('"', ""), user_id="U0SME1")
        assert response.status == 200
        answer = h.answer_text()
        assert ":warning:" not in answer or "Give some words" in answer
    h.command("/hark", "search sourdough OR kubelet", user_id="U0SME1")
    assert "No stored post" in h.answer_text()  # OR is a word here, not an operator
    h.command("/hark", "search ?? !!", user_id="U0SME1")
    assert "Give some words" in h.answer_text()


def test_index_follows_updates_and_deletes(harness_factory, feeds):
    feeds.set("/feed.xml", rss(_items()))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()
    h.store.conn.execute("UPDATE posts SET title = 'Rye bread' WHERE link = 'https://s.example/3'")
    assert h.store.search_posts('"sourdough"')[0] == 0
    assert h.store.search_posts('"rye"')[0] == 1
    h.store.conn.execute("DELETE FROM posts WHERE link = 'https://s.example/3'")
    assert h.store.search_posts('"rye"')[0] == 0
