"""/hark test and /hark search are open to everyone: each call's cost is bounded (query size,
CPU per test, calls per person per minute), and the person is told kindly."""

from __future__ import annotations

import json

import pytest

from bot.admin import topics as topic_commands
from bot.models import Post, SourceSpec
from bot.parse.normalize import content_hash
from bot.store import IncomingPost


def _said(h) -> str:
    return json.dumps(h.last_response())


def _store_posts(h, n: int) -> None:
    source = h.store.add_source(SourceSpec("feed", "https://posts.example/feed", 600, "posts"))
    for i in range(n):
        title, text = f"kubernetes question {i}", f"pod {i} restarts"
        post = Post(guid=f"g{i}", link=f"https://posts.example/{i}", title=title, text=text)
        h.store.store_source_posts(
            source,
            [IncomingPost(post, "posts.example", content_hash(title, text))],
            source_kind="feed",
        )


@pytest.mark.parametrize(
    ("query", "why"),
    [
        # 150 two-letter words OR-ed: under the parser's 1,000 characters.
        (" OR ".join(a + b for a in "abcdef" for b in "abcdefghijklmnopqrstuvwxy"), "150 words"),
        (" OR ".join(f"pre{i}*" for i in range(100)), "(100 ending in `*`)"),
    ],
)
def test_a_huge_query_is_refused_before_any_work(harness_factory, query, why):
    h = harness_factory()
    h.command("/hark", f"test {query}")
    said = _said(h)
    assert why in said and "up to 40 (10 with `*`)" in said and "Nothing was run" in said


def test_each_person_may_test_or_search_a_few_times_a_minute(harness_factory):
    h = harness_factory()
    for i in range(topic_commands.QUERIES_PER_MINUTE):
        h.command("/hark", "search kubernetes" if i % 2 else "test kubernetes")
        assert "Try again in" not in _said(h)
    h.command("/hark", "test kubernetes")
    said = _said(h)
    assert "You have run 6 tests and searches in the last minute" in said
    assert "Try again in" in said and "nothing was run" in said
    h.command("/hark", "search kubernetes")
    assert "Try again in" in _said(h)
    h.command("/hark", "test kubernetes", user_id="U0SME2")  # someone else is not held up
    assert "Try again in" not in _said(h) and "would match" in _said(h)


def test_a_test_stops_at_its_cpu_budget_and_says_how_far_it_looked(harness_factory, monkeypatch):
    h = harness_factory()
    _store_posts(h, 25)
    monkeypatch.setattr(topic_commands, "TEST_CPU_SECONDS", 0.0)  # spent at the first look
    monkeypatch.setattr(topic_commands, "TEST_CHECK_EVERY", 10)
    h.command("/hark", "test kubernetes")
    said = _said(h)
    assert "would match *10* of 10 posts" in said
    assert "the newest 10 looked at: a test stops after 0 s of work" in said
