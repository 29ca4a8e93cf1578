"""finish_feed and its rules, which every parser path shares: identity (GUID, then link),
absolute canonical links, titles and authors as plain lines, dates in UTC, HN and Reddit
figures, known entries left unextracted; and the figures read_extras takes from raw bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.parse.entries import (
    MAX_TTL,
    NO_EXTRAS,
    FeedExtras,
    RawEntry,
    finish_feed,
    iso_utc,
    language,
    read_extras,
    title_text,
)

FEED = "https://forum.example.com/feed.xml"


def raw(**fields) -> RawEntry:
    fields = {"guid": None, "link": None, "title": None, "html": None, "author": None} | fields
    return RawEntry(**{"published": None, "lang": None} | fields)


def test_identity_is_the_guid_and_the_canonical_absolute_link() -> None:
    feed = finish_feed(
        "Forum",
        [
            raw(guid=" g-1 ", link="/t/1?utm_source=rss"),
            raw(link="https://forum.example.com/t/2"),  # no guid: the link stands for it
            raw(guid="https://forum.example.com/t/3"),  # no link: a URL guid is the permalink
            raw(guid="g-4", link="javascript:alert(1)"),  # not http(s): no link
        ],
        FEED,
        NO_EXTRAS,
        "fast",
    )
    assert [(p.guid, p.link) for p in feed.posts] == [
        ("g-1", "https://forum.example.com/t/1"),
        ("https://forum.example.com/t/2", "https://forum.example.com/t/2"),
        ("https://forum.example.com/t/3", "https://forum.example.com/t/3"),
        ("g-4", None),
    ]
    assert (feed.title, feed.parser, feed.skipped) == ("Forum", "fast", frozenset())


def test_text_author_language_and_date_are_normalized() -> None:
    when = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    [post] = finish_feed(
        "<b>Forum</b> &amp; friends",
        [
            raw(
                guid="1",
                title="Pods <em>restart</em>",
                html="<p>My pod &lt;restarts&gt;</p><script>x()</script>",
                author="sam@example.com (Sam Expert)",
                published=when,
                lang="en-US",
            )
        ],
        FEED,
        NO_EXTRAS,
        "feedparser",
    ).posts
    assert post.title == "Pods restart"
    assert "My pod <restarts>" in post.text and "x()" not in post.text
    assert (post.author, post.lang, post.published) == ("Sam Expert", "en", when)


def test_plain_text_entries_are_not_read_as_html() -> None:
    [post] = finish_feed(
        "",
        [raw(guid="1", html="a <b> is not bold &amp; stays", plain_text=True)],
        FEED,
        NO_EXTRAS,
        "json",
    ).posts
    assert post.text == "a <b> is not bold & stays"


def test_hacker_news_and_reddit_threads_and_figures() -> None:
    hn, reddit, counted = finish_feed(
        "",
        [
            raw(
                guid="hn",
                link="https://example.com/article",
                comments="https://news.ycombinator.com/item?id=4242",
                html="<p>Points: 57</p><p># Comments: 12</p>",
            ),
            raw(guid="rd", link="https://www.reddit.com/r/kubernetes/comments/abc123/pods/"),
            raw(guid="c", link="https://blog.example.com/p"),
        ],
        FEED,
        FeedExtras(None, [None, None, 7], None),
        "fast",
    ).posts
    assert (hn.thread_id, hn.metrics) == ("4242", {"score": 57, "comments": 12})
    assert (reddit.thread_id, reddit.metrics) == ("abc123", {})
    assert (counted.thread_id, counted.metrics) == (None, {"comments": 7})


def test_comment_counts_that_disagree_with_the_parser_are_dropped() -> None:
    posts = finish_feed(
        "", [raw(guid="1"), raw(guid="2")], FEED, FeedExtras(None, [3], None), "fast"
    ).posts
    assert [p.metrics for p in posts] == [{}, {}]


def test_known_entries_keep_only_their_identity_and_date() -> None:
    when = datetime(2026, 3, 2, tzinfo=UTC)
    asked: list[list[tuple[str | None, str | None]]] = []

    def known(identities):
        asked.append(identities)
        return {0}

    feed = finish_feed(
        "",
        [
            raw(guid="old", link="https://e.com/1", title="Old", html="<p>old</p>", published=when),
            raw(guid="new", link="https://e.com/2", title="New", html="<p>new</p>"),
        ],
        FEED,
        NO_EXTRAS,
        "fast",
        known=known,
    )
    assert asked == [[("old", "https://e.com/1"), ("new", "https://e.com/2")]]
    old, new = feed.posts
    assert (old.guid, old.link, old.title, old.text, old.published) == (
        "old",
        "https://e.com/1",
        "",
        "",
        when,
    )
    assert (new.title, new.text) == ("New", "new") and feed.skipped == frozenset({0})


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("  Two\nlines  ", "Two lines"),
        ("AT&T <b>rocks</b>", "AT&T rocks"),
        ("x" * 400, "x" * 299 + "…"),  # capped at 300 characters, the cut shown
        (None, ""),
        (42, ""),
    ],
)
def test_title_text(title, expected: str) -> None:
    assert title_text(title) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en-US", "en"), ("pt_BR", "pt"), (" DE ", "de"), ("haw", "haw"), ("x", None), ("e1", None)]
    + [(None, None), ("", None)],
)
def test_language_is_the_primary_subtag(lang, expected) -> None:
    assert language(lang) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02T09:30:15.123Z", datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)),
        ("2026-03-02T11:30:00+02:00", datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),
        ("2026-03-02T09:30:00", datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),  # naive is UTC
        ("last Tuesday", None),
        ("", None),
        (None, None),
    ],
)
def test_iso_utc(value, expected) -> None:
    got = iso_utc(value)
    assert got == expected
    if got is not None:
        assert got.utcoffset() == timedelta(0) and got.tzinfo is UTC


def test_read_extras_takes_ttl_counts_and_language_from_the_bytes() -> None:
    doc = (
        b'<rss xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
        b"<language>en-gb</language><ttl>15</ttl>"
        b"<item><slash:comments>4</slash:comments></item><item></item>"
        b"<item><slash:comments> 0 </slash:comments></item></channel></rss>"
    )
    assert read_extras(doc) == FeedExtras(900, [4, None, 0], "en-gb")


def test_read_extras_syndication_period_atom_language_and_caps() -> None:
    sy = b"<rss><channel><sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency></channel></rss>"
    assert read_extras(sy) == FeedExtras(21600, None, None)
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><entry/></feed>'
    assert read_extras(atom).language == "fr"
    slow = b"<rss><channel><ttl>999999</ttl></channel></rss>"
    assert read_extras(slow).ttl_seconds == MAX_TTL
    # A <ttl> inside an entry is the entry's business, not the feed's.
    assert (
        read_extras(b"<rss><channel><item><ttl>5</ttl></item></channel></rss>").ttl_seconds is None
    )
