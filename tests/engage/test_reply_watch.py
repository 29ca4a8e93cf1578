"""Verified replies: a claimed conversation's thread is read like a feed, and a reply by the
owner's registered handle marks it replied, verified, with the reply's link."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.engage.reply_watch import (
    Thread,
    handle_of,
    reply_by,
    reply_in_x,
    stackoverflow_authors,
    thread_of,
)
from bot.parse.feeds import parse_feed, parse_x_search
from tests.support.corpus import corpus_file
from tests.support.harness import run_periodic, seed_conversation

FIXTURES = Path(__file__).parents[1] / "fixtures" / "engagement"
REDDIT_COMMENTS = (FIXTURES / "reddit_comments.xml").read_bytes()


def so_question() -> bytes:
    """A real Stack Overflow question feed (question 28509965 and its answers)."""
    return corpus_file("feeds", "real", "stackoverflow.xml").read_bytes()


T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC).timestamp()  # the card is posted
POST_PATH = "/r/devops/comments/abc123/k8s_pods_keep_restarting/"


@pytest.mark.parametrize(
    ("link", "kind", "thread_id", "expected"),
    [
        (
            "https://www.reddit.com/r/devops/comments/abc123/k8s_help/",
            "reddit",
            "abc123",
            Thread("reddit", "https://www.reddit.com/r/devops/comments/abc123/k8s_help/.rss"),
        ),
        (
            "https://old.reddit.com/r/devops/comments/abc123/k8s_help",
            "feed",
            None,
            Thread("reddit", "https://old.reddit.com/r/devops/comments/abc123/k8s_help.rss"),
        ),
        ("https://www.reddit.com/r/devops/", "reddit", None, None),  # a subreddit, not a post
        (
            "https://stackoverflow.com/questions/28509965/setuptools-development-requirements",
            "stackoverflow",
            None,
            Thread("stackoverflow", "https://stackoverflow.com/feeds/question/28509965"),
        ),
        (
            "https://serverfault.com/questions/42/why",
            "feed",
            None,
            Thread("stackoverflow", "https://serverfault.com/feeds/question/42"),
        ),
        (
            "https://blog.example.com/post",  # an HN link post: the thread is the HN item
            "hn",
            "4242",
            Thread("hn", "https://hnrss.org/item?id=4242"),
        ),
        (
            "https://news.ycombinator.com/item?id=77",
            "feed",
            None,
            Thread("hn", "https://hnrss.org/item?id=77"),
        ),
        (
            "https://x.com/someone/status/1578516068309794817",
            "x",
            "1578510000000000000",
            Thread("x", conversation_id="1578510000000000000"),
        ),
        ("https://x.com/someone/status/99", "feed", None, Thread("x", conversation_id="99")),
        ("https://blog.example.com/post", "feed", None, None),  # a blog: no thread to watch
        (None, "feed", None, None),
    ],
)
def test_thread_of(link, kind, thread_id, expected):
    assert thread_of(link, kind, thread_id) == expected


@pytest.mark.parametrize(
    ("network", "author", "handle"),
    [
        ("reddit", "/u/Alice_K8s", "u/alice_k8s"),
        ("reddit", "alice", "u/alice"),
        ("x", "@Alice (Alice Liddell)", "@alice"),
        ("hn", "Pg", "pg"),
    ],
)
def test_handle_of(network, author, handle):
    assert handle_of(network, author) == handle


def test_reddit_reply_by_handle_skips_others_and_the_post():
    posts = parse_feed(REDDIT_COMMENTS, "https://www.reddit.com" + POST_PATH + ".rss").posts
    found = reply_by(
        posts, "reddit", "u/alice_k8s", exclude_link="https://www.reddit.com" + POST_PATH
    )
    assert found is not None and found.link.endswith("/kx2bbb/")
    assert reply_by(posts, "reddit", "u/carol", exclude_link=None) is None
    # The poster's own post is not a reply to it.
    link = "https://www.reddit.com" + POST_PATH
    assert reply_by(posts, "reddit", "u/op_person", exclude_link=link) is None


def test_stackoverflow_answers_are_matched_by_user_id():
    question_feed = so_question()
    ids = stackoverflow_authors(question_feed)
    question = "https://stackoverflow.com/questions/28509965/setuptools-development-requirements"
    assert ids == {question: "212343", question + "/28842733": "302898"}
    posts = parse_feed(question_feed, "https://stackoverflow.com/feeds/question/28509965").posts
    found = reply_by(posts, "stackoverflow", "302898", exclude_link=question, author_ids=ids)
    assert found is not None and found.link == question + "/28842733"
    assert reply_by(posts, "stackoverflow", "212343", exclude_link=question, author_ids=ids) is None
    assert stackoverflow_authors(b"<not xml") == {}


def x_conversation_payload(conversation_id: str, reply_by_username: str) -> dict:
    """The corpus search/recent response, shaped as a ``conversation_id:`` search answers
    with ``expansions=author_id``: each post carries author and conversation ids."""
    payload = copy.deepcopy(
        json.loads(corpus_file("x", "search_recent_tweets.json").read_text())["body"]
    )
    for i, tweet in enumerate(payload["data"]):
        tweet["conversation_id"] = conversation_id
        tweet["author_id"] = "2244994945" if i == 3 else "783214"
        tweet["created_at"] = "2022-10-07T22:36:12.000Z"
    payload["data"][-1]["id"] = conversation_id  # the opening post, by someone else
    payload["includes"] = {
        "users": [
            {"id": "783214", "name": "Twitter", "username": "Twitter"},
            {"id": "2244994945", "name": "Alice", "username": reply_by_username},
        ]
    }
    return payload


def test_x_reply_from_a_search_payload():
    conversation = "1578511538419212288"
    payload = x_conversation_payload(conversation, "Alice_Acme")
    posts = parse_x_search(payload)
    found = reply_in_x(posts, "@alice_acme", conversation)
    assert found is not None
    assert found.link == "https://x.com/Alice_Acme/status/1578514558372618243"
    assert reply_in_x(posts, "@bob", conversation) is None
    assert reply_in_x(posts, "@alice_acme", "1") is None  # another conversation


def _reddit_conversation(h, feeds, handle: str | None = "u/alice_k8s") -> int:
    feeds.set(POST_PATH + ".rss", REDDIT_COMMENTS, etag='"c1"')
    h.store.clock = lambda: T0
    if handle:
        h.store.save_person("U0SME1", {"name": "Alice"}, ["kubernetes"], {"reddit": handle})
    cid = seed_conversation(
        h,
        link=feeds.url(POST_PATH),
        source_kind="reddit",
        thread_id="abc123",
        title="k8s pods keep restarting",
    )
    h.click("claim", cid, user_id="U0SME1")
    return cid


def test_a_served_reddit_comments_feed_verifies_the_reply(harness_factory, feeds):
    h = harness_factory()
    cid = _reddit_conversation(h, feeds)
    h.store.clock = lambda: T0 + 3600

    assert run_periodic(h, "Verifier") == [cid]

    assert feeds.paths() == [POST_PATH + ".rss"]
    row = h.store.conversation(cid)
    reply = "https://www.reddit.com" + POST_PATH + "kx2bbb/"
    assert (row.state, row.reply_verified, row.reply_url) == ("replied", 1, reply)
    assert row.replied_at == datetime(2026, 3, 2, 10, 15, tzinfo=UTC).timestamp()
    assert [(e.action, e.user_id, e.detail) for e in h.store.engagements(cid)] == [
        ("claim", "U0SME1", ""),
        ("reply_verified", "U0SME1", reply),
    ]
    status = str(h.fake.last("chat.update").args["blocks"])
    assert "Replied by <@U0SME1> after 45 min (verified)" in status
    # Done: the thread is not read again.
    h.store.clock = lambda: T0 + 7200
    assert run_periodic(h, "Verifier") == []
    assert len(feeds.requests) == 1


def test_self_reported_reply_is_upgraded_to_verified(harness_factory, feeds):
    h = harness_factory()
    cid = _reddit_conversation(h, feeds)
    h.store.clock = lambda: T0 + 1800
    values = {"reply_url": {"value": {"type": "plain_text_input", "value": "https://r.example/x"}}}
    h.submit("reply_submit", values, metadata={"conversation_id": cid, "channel": "C0K8S"})
    assert "(self-reported)" in str(h.fake.last("chat.update").args["blocks"])
    h.store.clock = lambda: T0 + 3600
    assert run_periodic(h, "Verifier") == [cid]
    row = h.store.conversation(cid)
    assert row.reply_verified == 1 and row.reply_url.endswith("/kx2bbb/")
    assert row.replied_at == T0 + 1800  # the self-reported time is kept
    assert "(verified)" in str(h.fake.last("chat.update").args["blocks"])


def test_no_reply_yet_is_looked_at_again_later_with_validators(harness_factory, feeds):
    h = harness_factory()
    cid = _reddit_conversation(h, feeds, handle="u/carol")
    h.store.clock = lambda: T0 + 600
    assert run_periodic(h, "Verifier") == []
    assert h.store.conversation(cid).state == "claimed"
    assert run_periodic(h, "Verifier") == []  # not due again yet
    assert len(feeds.requests) == 1
    h.store.clock = lambda: T0 + 600 + 15 * 60
    assert run_periodic(h, "Verifier") == []
    assert feeds.requests[-1].headers.get("if-none-match") == '"c1"'
    assert h.store.reply_watch(cid).checks == 2


def test_an_owner_without_a_handle_is_not_fetched_for(harness_factory, feeds):
    h = harness_factory()
    cid = _reddit_conversation(h, feeds, handle=None)
    h.store.clock = lambda: T0 + 600
    assert run_periodic(h, "Verifier") == []
    assert feeds.requests == []
    assert h.store.reply_watch(cid).next_check_at == T0 + 600 + 6 * 3600


def test_a_failing_thread_backs_off(harness_factory, feeds):
    h = harness_factory()
    cid = _reddit_conversation(h, feeds)
    feeds.set(POST_PATH + ".rss", b"gone", status=503)
    h.store.clock = lambda: T0 + 600
    assert run_periodic(h, "Verifier") == []
    watch = h.store.reply_watch(cid)
    assert watch.failures == 1 and "503" in watch.last_error
    assert watch.next_check_at == T0 + 600 + 2 * 15 * 60
    assert h.store.conversation(cid).state == "claimed"


def test_stackoverflow_question_feed_verifies_an_answer(harness_factory, feeds):
    question_feed = so_question()
    h = harness_factory()
    feeds.set("/feeds/question/28509965", question_feed, content_type="application/atom+xml")
    h.store.save_person("U0SME1", {"name": "Sean"}, [], {"stackoverflow": "302898"})
    cid = seed_conversation(
        h,
        link=feeds.url("/questions/28509965/setuptools-development-requirements"),
        source_kind="stackoverflow",
        title="Setuptools development requirements (k8s)",
    )
    h.click("claim", cid, user_id="U0SME1")
    assert run_periodic(h, "Verifier") == [cid]
    row = h.store.conversation(cid)
    assert row.reply_url == (
        "https://stackoverflow.com/questions/28509965/setuptools-development-requirements/28842733"
    )


def test_x_conversation_search_verifies_the_reply(harness_factory, feeds):
    conversation = "1578511538419212288"
    payload = x_conversation_payload(conversation, "Alice_Acme")
    feeds.set("/2/tweets/search/recent", json.dumps(payload).encode(), "application/json")
    h = harness_factory(X_BEARER_TOKEN="test-bearer", X_API_URL=feeds.url("/2/"))
    h.store.save_person("U0SME1", {"name": "Alice"}, [], {"x": "@alice_acme"})
    cid = seed_conversation(
        h,
        link=f"https://x.com/someone/status/{conversation}",
        source_kind="x",
        thread_id=conversation,
        title="",
        text="Is anyone running k8s on Acme Cloud?",
    )
    h.click("claim", cid, user_id="U0SME1")

    assert run_periodic(h, "Verifier") == [cid]

    query = parse_qs(urlsplit(feeds.requests[-1].path).query)["query"][0]
    assert query == f"conversation_id:{conversation} from:alice_acme"  # only the owner's posts
    assert feeds.requests[-1].headers["authorization"] == "Bearer test-bearer"
    row = h.store.conversation(cid)
    assert row.reply_url == "https://x.com/Alice_Acme/status/1578514558372618243"
    assert row.reply_verified == 1
