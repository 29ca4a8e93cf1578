"""parse_x_search: an X API v2 search response (tweets plus the users expansion) as Posts."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.parse.xposts import parse_x_search

PAYLOAD = {
    "data": [
        {
            "id": "1800000000000000001",
            "author_id": "42",
            "text": "k8s pods &amp; &lt;CrashLoopBackOff&gt; again\n\nhelp?",
            "created_at": "2026-03-02T09:30:00.000Z",
            "lang": "en",
            "conversation_id": "1799999999999999999",
            "public_metrics": {"like_count": 3, "retweet_count": 1, "reply_count": 0},
        },
        {
            "id": "1800000000000000002",
            "author_id": "404",  # not in includes
            "text": "no author known",
            "lang": "und",
            "public_metrics": {"like_count": True, "quote_count": "7"},  # not numbers: dropped
        },
        {"text": "a tweet without an id is skipped"},
        "not even an object",
    ],
    "includes": {
        "users": [
            {
                "id": "42",
                "username": "sam_expert",
                "name": "Sam Expert",
                "public_metrics": {"followers_count": 1200, "following_count": 5},
            }
        ]
    },
}


def test_tweets_become_posts_with_author_link_date_and_figures() -> None:
    first, second = parse_x_search(PAYLOAD)
    assert first.guid == "1800000000000000001"
    assert first.link == "https://x.com/sam_expert/status/1800000000000000001"
    assert first.title == ""
    assert first.text == "k8s pods & <CrashLoopBackOff> again help?"  # unescaped, one line
    assert first.author == "@sam_expert (Sam Expert)"
    assert first.published == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert first.lang == "en"
    assert first.thread_id == "1799999999999999999"
    assert first.metrics == {"likes": 3, "reposts": 1, "replies": 0, "followers": 1200}

    assert second.link == "https://x.com/i/web/status/1800000000000000002"
    assert (second.author, second.lang, second.published, second.thread_id) == (
        "",
        None,
        None,
        None,
    )
    assert second.metrics == {}


def test_a_username_without_a_name_and_an_empty_response() -> None:
    payload = {
        "data": [{"id": "7", "author_id": "1", "text": "hi"}],
        "includes": {"users": [{"id": "1", "username": "anon"}]},
    }
    [post] = parse_x_search(payload)
    assert post.author == "@anon"
    assert parse_x_search({"meta": {"result_count": 0}}) == []
