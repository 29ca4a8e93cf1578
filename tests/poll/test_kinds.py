"""Short source forms expand to the public feed behind them; bad ones say how to write them."""

from __future__ import annotations

import pytest

from bot.poll.kinds import SourceError, expand_source, origin_of


@pytest.mark.parametrize(
    ("kind", "value", "target", "label"),
    [
        ("reddit", "r/devops", "https://www.reddit.com/r/devops/new/.rss", "r/devops"),
        (
            "reddit",
            "acme cloud",
            "https://www.reddit.com/search.rss?q=acme+cloud&sort=new",
            "Reddit search “acme cloud”",
        ),
        ("hn", "kubernetes", "https://hnrss.org/newest?q=kubernetes", "HN “kubernetes”"),
        ("stackoverflow", "C#", "https://stackoverflow.com/feeds/tag/c%23", "Stack Overflow [c#]"),
        (
            "mastodon",
            "kubernetes@mastodon.social",
            "https://mastodon.social/tags/kubernetes.rss",
            "#kubernetes@mastodon.social",
        ),
        (
            "bluesky",
            "@Alice.bsky.social",
            "https://bsky.app/profile/alice.bsky.social/rss",
            "Bluesky @alice.bsky.social",
        ),
        (
            "youtube",
            "UC" + "a" * 22,
            "https://www.youtube.com/feeds/videos.xml?channel_id=UC" + "a" * 22,
            "YouTube UC" + "a" * 22,
        ),
        (
            "github",
            "kubernetes/kubernetes",
            "https://github.com/kubernetes/kubernetes/releases.atom",
            "GitHub kubernetes/kubernetes",
        ),
    ],
)
def test_short_forms(kind, value, target, label):
    spec = expand_source(kind, value)
    assert (spec.kind, spec.target, spec.label) == ("feed", target, label)


def test_x_is_a_query():
    spec = expand_source("x", '"acme cloud" -is:retweet')
    assert (spec.kind, spec.target) == ("x", '"acme cloud" -is:retweet')


@pytest.mark.parametrize(
    ("kind", "value", "hint"),
    [
        ("mastodon", "kubernetes", "kubernetes@mastodon.social"),
        ("youtube", "acme", "UC followed by 22"),
        ("github", "just-owner", "owner/repo"),
        ("url", "example.com/feed", "http(s) URL"),
        ("stackoverflow", "two words", "kubernetes"),
        ("reddit", "", "r/devops"),
        ("telegram", "x", "is not a kind of source Hark knows"),
    ],
)
def test_bad_forms_say_how(kind, value, hint):
    with pytest.raises(SourceError) as info:
        expand_source(kind, value)
    assert hint in str(info.value)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://www.reddit.com/r/devops/new/.rss", "reddit"),
        ("https://hnrss.org/newest?q=x", "hn"),
        ("https://news.ycombinator.com/rss", "hn"),
        ("https://stackoverflow.com/feeds/tag/go", "stackoverflow"),
        ("https://mastodon.social/tags/k8s.rss", "mastodon"),
        ("https://blog.example.com/feed", "feed"),
        ("https://notreddit.com/feed", "feed"),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin
