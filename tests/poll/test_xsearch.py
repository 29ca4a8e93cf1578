"""X recent search through tweepy against a local fake X API (the corpus's real response)."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.corpus import CORPUS, corpus_reason
from tests.support.fakex import FakeXApi

SAMPLE = CORPUS / "x" / "search_recent_tweets.json"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason=corpus_reason(SAMPLE))


def corpus_sample() -> dict:
    """The corpus's real search answer, with what a real expanded request also returns."""
    body = json.loads(SAMPLE.read_text())["body"]
    for tweet in body["data"]:
        tweet.update(
            author_id="42",
            conversation_id=tweet["id"],
            lang="en",
            created_at="2022-10-07T22:42:12.000Z",
        )
    body["data"][0]["text"] = "Try <!channel> &amp; kubernetes"
    body["includes"] = {
        "users": [
            {
                "id": "42",
                "username": "tweepy",
                "name": "Tweepy",
                "public_metrics": {"followers_count": 1234},
            }
        ]
    }
    return body


@pytest.fixture
def fake_x():
    server = FakeXApi(corpus_sample(), bearer="x-token")
    yield server
    server.close()


CONFIG = """
topics:
  - name: tweepy
    query: 'tweepy OR kubernetes'
    channel: C0K8S
sources:
  - x: 'tweepy -is:retweet'
x: {max_reads_per_month: %d}
"""


def test_x_search_posts_and_uses_since_id(harness_factory, fake_x):
    h = harness_factory(config=CONFIG % 1000, X_BEARER_TOKEN="x-token", X_API_URL=fake_x.url)
    h.store.clock = lambda: 1665183000.0  # just after the sample was recorded
    h.poll()
    first = fake_x.queries[0]
    assert first["query"] == ["tweepy -is:retweet"] and "since_id" not in first
    assert first["expansions"] == ["author_id"]
    posts = h.fake.calls("chat.postMessage")
    assert len(posts) == 10
    text = json.dumps([p.args["blocks"] for p in posts])
    assert "x.com/tweepy/status/1578516068309794817" in text
    assert "@tweepy (Tweepy)" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    h.poll()
    assert fake_x.queries[1]["since_id"] == ["1578516068309794817"]
    assert len(h.fake.calls("chat.postMessage")) == 10  # nothing twice
    assert h.store.x_reads("2022-10") == 20


def test_rate_limit_reschedules_instead_of_sleeping(harness_factory, fake_x):
    h = harness_factory(config=CONFIG % 1000, X_BEARER_TOKEN="x-token", X_API_URL=fake_x.url)
    fake_x.rate_limited = True
    started = time.monotonic()
    h.poll()
    assert time.monotonic() - started < 5  # no thread slept until the reset
    (source,) = h.store.sources()
    assert "rate limit" in source.last_error
    assert source.next_check_at - h.store.now() >= 500  # after the reset (600 s, jittered)


def test_monthly_budget_stops_x_polling(harness_factory, fake_x):
    h = harness_factory(config=CONFIG % 15, X_BEARER_TOKEN="x-token", X_API_URL=fake_x.url)
    h.poll()  # reads 10 of 15
    h.poll()  # 5 left: less than one page, so X is not asked
    assert len(fake_x.queries) == 1
    (source,) = h.store.sources()
    assert "monthly X read budget (15 posts) is used up" in source.last_error
    h.command("/hark", "status", user_id="U0MARKETER")
    assert "X posts read this month: 10 of 15" in str(h.last_response()["blocks"])


def test_without_token_x_sources_say_why(harness_factory):
    h = harness_factory(config=CONFIG % 1000)
    h.poll()
    (source,) = h.store.sources()
    assert source.last_error == "X_BEARER_TOKEN is not set; X sources are not polled"
