"""Slash-command text is made plain before any parser sees it: control characters go, and
Slack's escaped tokens (manifest `should_escape: true`) become what the person typed or
picked: a channel's ID, a user's ID, a link's URL."""

from __future__ import annotations

import json

import pytest

from bot.ops.commandtext import plain_command_text


@pytest.mark.parametrize(
    ("sent", "plain"),
    [
        ("kubernetes", "kubernetes"),
        ("kube\x00rnetes", "kubernetes"),
        ("a\x01b\x1fc\x7fd\x9fe", "abcde"),
        ("two\nlines\tand tab", "two\nlines\tand tab"),
        ("k8s <#C0K8S|devops> kubernetes", "k8s C0K8S kubernetes"),
        ("k8s <#C0K8S|> kubernetes", "k8s C0K8S kubernetes"),  # Slack may omit the name
        ("k8s <#C0K8S> kubernetes", "k8s C0K8S kubernetes"),
        ("<@U0SME1|sam> <@W0GRID>", "U0SME1 W0GRID"),
        ("add <https://example.com/feed.xml>", "add https://example.com/feed.xml"),
        ("add <https://example.com/f?a=1&amp;b=2>", "add https://example.com/f?a=1&b=2"),
        ("add <https://example.com/x|the feed>", "add https://example.com/x"),
        # Text Slack auto-linked: what the person typed (the label), not Slack's URL.
        ("bluesky <http://alice.bsky.social|alice.bsky.social>", "bluesky alice.bsky.social"),
        (
            "mastodon <mailto:k8s@mastodon.social|k8s@mastodon.social>",
            "mastodon k8s@mastodon.social",
        ),
        ("ping <!here> and <!subteam^S0OPS|@ops>", "ping @here and @ops"),
        ("a &lt;b&gt; &amp;amp; c", "a <b> &amp; c"),  # typed characters, unescaped once
        ("no <token here", "no <token here"),
    ],
)
def test_plain_command_text(sent, plain):
    assert plain_command_text(sent) == plain


@pytest.fixture
def h(harness_factory):
    return harness_factory()


def test_a_nul_in_search_text_gets_a_normal_answer(h):
    response = h.command("/hark", "search crash\x00loop", user_id="U0MARKETER")
    assert response.status == 200
    assert h.last_response()["text"] == "No stored post contains all of: `crashloop`."


def test_topics_add_with_a_picked_channel(h):
    h.command("/hark", "topics add k8s <#C0DEVOPS|devops> kubernetes", user_id="U0MARKETER")
    assert "Added topic" in json.dumps(h.last_response())
    assert h.store.topic_by_name("k8s").channel == "C0DEVOPS"


def test_sources_add_with_a_linked_url(h, feeds):
    feeds.set("/feed.xml", b"<rss version='2.0'><channel><title>k8s</title></channel></rss>")
    url = feeds.url("/feed.xml?tag=k8s&lang=en")
    sent = url.replace("&", "&amp;")  # as Slack escapes it inside the link
    h.command("/hark", f"sources add <{sent}>", user_id="U0MARKETER")
    answer = json.dumps(h.last_response())
    assert "Added" in answer, answer
    assert url in [row.target for row in h.store.sources()]


def test_a_query_with_an_ampersand_is_stored_as_typed(h):
    # Slack escapes a typed "&" as "&amp;" when should_escape is on; the query is AT&T's.
    h.command("/hark", 'topics add att <#C0ATT|att> "AT&amp;T" OR k8s', user_id="U0MARKETER")
    assert "Added topic" in json.dumps(h.last_response())
    query = h.store.topic_by_name("att").query
    assert "AT&T" in query and "&amp;" not in query
