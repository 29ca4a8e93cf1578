"""parse_feed on hostile fixtures, on generated extremes, and on the real-world corpus.

Fixtures in tests/fixtures/feeds state their own expectation (an ``Expect:``
line, or ``_expect`` in JSON), evaluated against ``feed``/``posts``/``error``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.parse import feeds
from bot.parse.feeds import FeedError, ParsedFeed, parse_feed, parse_x_search
from tests.support.corpus import CORPUS, corpus_file, corpus_reason

FIXTURES = Path(__file__).parents[1] / "fixtures" / "feeds"
CORPUS_FEEDS = sorted((CORPUS / "feeds" / "real").glob("*")) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(not CORPUS_FEEDS, reason=corpus_reason(CORPUS / "feeds" / "real"))

# Corpus feeds on which feedparser and fastfeedparser cannot agree, and why.
# parse_feed must use the fast path for these (feedparser finds nothing).
FEEDPARSER_FINDS_NOTHING = {
    "7ef13a42fa7e177a": "'<?xml?xml ... ??>' header and rss:-prefixed elements with no "
    "namespace declaration: feedparser gives up; fastfeedparser repairs the header",
    "malformed_rss_namespaced.xml": "the same breakage, as a minimal test case",
}


def _expectation(data: bytes) -> str:
    if data.lstrip().startswith(b"{"):
        return json.loads(data)["_expect"]
    found = re.search(rb"^Expect: (.*)$", data, re.MULTILINE)
    assert found, "fixture has no Expect: line"
    return found.group(1).decode()


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_fixture(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    feed: ParsedFeed | None = None
    error: str | None = None
    try:
        feed = parse_feed(data, url="https://example.com/feed.xml")
    except FeedError as exc:
        error = exc.message
    env = {"feed": feed, "posts": feed.posts if feed else [], "error": error}
    env |= {"datetime": datetime, "UTC": UTC}
    expectation = _expectation(data)
    # Our own fixture files, as feedparser does it: the expectation sits beside the case.
    assert eval(expectation, env), f"{expectation}\nfeed={feed}\nerror={error}"
    for post in env["posts"]:
        assert post.published is None or post.published.tzinfo == UTC


def _rss(items: str, title: str = "Generated") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}'
        f"</title><link>https://example.com/</link>{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize("body", [b"", b"   \r\n\t ", b"\xef\xbb\xbf"])
def test_empty_body(body: bytes) -> None:
    with pytest.raises(FeedError, match="empty document"):
        parse_feed(body)


def test_oversized_document_is_refused_before_parsing() -> None:
    with pytest.raises(FeedError, match=r"larger than 1,000 bytes \(1,001\)"):
        parse_feed(b" " * 1001, max_bytes=1000)


def test_giant_title_is_capped() -> None:
    data = _rss(f"<item><title>{'A' * 200_000}</title><link>https://e.com/1</link></item>")
    feed = parse_feed(data)
    assert len(feed.posts[0].title) == feeds.TITLE_LIMIT
    assert feed.posts[0].title.endswith("…")


def test_giant_content_is_capped() -> None:
    body = "<p>" + "word " * 200_000 + "</p>"
    feed = parse_feed(
        _rss(f"<item><title>t</title><description><![CDATA[{body}]]></description></item>")
    )
    assert len(feed.posts[0].text) == feeds.TEXT_LIMIT


def test_ten_thousand_entries_parse_on_the_fast_path() -> None:
    items = "".join(
        f"<item><title>Entry {i}</title><link>https://example.com/{i}?utm_source=rss</link>"
        f"<pubDate>Mon, 02 Feb 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;Text {i}"
        "&lt;/p&gt;</description></item>"
        for i in range(10_000)
    )
    feed = parse_feed(_rss(items))
    assert (len(feed.posts), feed.parser) == (10_000, "fast")
    assert feed.posts[-1].link == "https://example.com/9999"
    assert feed.posts[-1].text == "Text 9999"


def test_utf16_feed_is_read_and_utf16_bomb_is_refused() -> None:
    plain = _rss("<item><title>Ünïcödé</title><link>https://e.com/1</link></item>")
    utf16 = plain.replace(b'encoding="utf-8"', b'encoding="utf-16"').decode().encode("utf-16")
    assert parse_feed(utf16).posts[0].title == "Ünïcödé"
    bomb = (FIXTURES / "billion_laughs.xml").read_bytes().decode().encode("utf-16")
    with pytest.raises(FeedError, match="entity-expansion bomb"):
        parse_feed(bomb)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # A control byte splitting the keyword is removed before parsing; the
        # check runs on the repaired bytes, so it still sees the declaration.
        (b'<?xml version="1.0"?><!DOCTYPE r [<!EN\x01TITY a "b">]><rss/>', "entity-expansion"),
        (b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY', "UTF-7"),
        ("<?xml version='1.0' encoding='cp037'?><rss/>".encode("cp037"), "EBCDIC"),
        (b'<?xml version="1.0" encoding="IBM037"?><rss/>', "EBCDIC"),
    ],
)
def test_documents_the_safety_scan_cannot_read_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(data)


@pytest.mark.parametrize("path", [b"/etc/passwd", b"/dev/zero", b"file:///etc/passwd"])
def test_feedparser_never_opens_a_body_as_a_path_or_url(path: bytes) -> None:
    # Opened as a path, /dev/zero would never end and /etc/passwd would be read.
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(path, parser="feedparser")


def test_fast_parser_failure_falls_back_to_feedparser(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes, **options: Any) -> Any:
        raise ValueError("simulated fastfeedparser failure")

    monkeypatch.setattr(feeds.fastfeedparser, "parse", broken)
    feed = parse_feed(_rss("<item><title>t</title><link>https://e.com/1</link></item>"))
    assert (feed.parser, len(feed.posts)) == ("feedparser", 1)


def test_no_entries_from_the_fast_parser_in_a_document_with_items_falls_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        feeds.fastfeedparser, "parse", lambda data, **o: {"feed": {}, "entries": []}
    )
    feed = parse_feed(_rss("<item><title>t</title><link>https://e.com/1</link></item>"))
    assert (feed.parser, len(feed.posts)) == ("feedparser", 1)
    empty = parse_feed(_rss(""))
    assert (empty.parser, empty.posts) == ("fast", [])


def test_x_search_from_the_recorded_response() -> None:
    recorded = corpus_file("x", "search_recent_tweets.json")
    body = json.loads(recorded.read_text())["body"]
    posts = parse_x_search(body)
    assert len(posts) == len(body["data"]) == 10
    first = posts[0]
    assert first.guid == "1578516068309794817"
    assert first.link == "https://x.com/i/web/status/1578516068309794817"  # no user expansion
    assert first.text == "2022-10-07 22:42:12.637103 tweepy"
    assert (first.title, first.author, first.published, first.metrics) == ("", "", None, {})


def test_x_search_with_user_expansion_and_metrics() -> None:
    payload = {
        "data": [
            {
                "id": "20",
                "text": "Acme Cloud &amp; k8s \u202e<!channel>",
                "author_id": "7",
                "conversation_id": "19",
                "created_at": "2026-02-03T04:05:06.000Z",
                "lang": "en",
                "public_metrics": {"like_count": 5, "retweet_count": 2, "reply_count": 1},
            },
            {"id": "21", "text": "no author", "lang": "und"},
            {"text": "no id is skipped"},
        ],
        "includes": {
            "users": [
                {
                    "id": "7",
                    "username": "ada",
                    "name": "Ada L",
                    "public_metrics": {"followers_count": 1200},
                }
            ]
        },
    }
    first, second = parse_x_search(payload)
    assert first.link == "https://x.com/ada/status/20"
    assert first.author == "@ada (Ada L)"
    assert first.text == "Acme Cloud & k8s <!channel>"
    assert first.published == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert first.metrics == {"likes": 5, "reposts": 2, "replies": 1, "followers": 1200}
    assert (first.thread_id, first.lang) == ("19", "en")
    assert (second.link, second.lang, second.author) == ("https://x.com/i/web/status/21", None, "")


# --- the corpus: both parsers, every feed -------------------------------------------------


def _summary(path: Path, parser: str) -> tuple[str, Any]:
    """What must agree between parsers, as plain JSON data: per post (link, guid, date, text?).

    A feed that fails gives its error message (a string) instead of [parser, posts].
    """
    try:
        feed = parse_feed(path.read_bytes(), parser=parser)
    except FeedError as exc:
        return path.name, exc.message
    posts = [
        [p.link, p.guid, p.published.isoformat() if p.published else None, bool(p.title or p.text)]
        for p in feed.posts
    ]
    return path.name, [feed.parser, posts]


def _corpus_key() -> str:
    """Changes whenever the corpus, the parsing code or a parser library changes."""
    digest = hashlib.sha256()
    for path in CORPUS_FEEDS:
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    code = Path(feeds.__file__).parents[1]
    for name in (
        "parse/feeds.py",
        "parse/entries.py",
        "parse/preflight.py",
        "parse/normalize.py",
        "models.py",
    ):
        digest.update((code / name).read_bytes())
    for library in ("feedparser", "fastfeedparser", "lxml"):
        digest.update(importlib.metadata.version(library).encode())
    return digest.hexdigest()[:32]


@pytest.fixture(scope="module")
def by_feedparser(request: pytest.FixtureRequest) -> dict[str, Any]:
    # feedparser is the slow one (~20-40 s over the corpus on one core). Its summary is
    # kept in pytest's cache under a key of everything that could change it, so a rerun
    # with the same corpus, code and libraries reads it back; any change recomputes it.
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    key = f"hark/corpus-feedparser/{_corpus_key()}"
    cached = cache.get(key, None) if cache is not None else None
    if cached is not None:
        return cached
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        summary = dict(pool.map(partial(_summary, parser="feedparser"), CORPUS_FEEDS, chunksize=4))
    if cache is not None:
        cache.set(key, summary)
    return summary


@pytest.fixture(scope="module")
def by_fast() -> dict[str, Any]:
    return dict(_summary(path, "fast") for path in CORPUS_FEEDS)


@pytest.fixture(scope="module")
def by_auto() -> dict[str, Any]:
    return dict(_summary(path, "auto") for path in CORPUS_FEEDS)


def _identities(summary: Any) -> list[tuple[Any, ...]]:
    return [tuple(post[:3]) for post in summary[1]] if isinstance(summary, list) else []


@needs_corpus
def test_corpus_fast_and_feedparser_agree_entry_by_entry(
    by_fast: dict[str, Any], by_feedparser: dict[str, Any], by_auto: dict[str, Any]
) -> None:
    checked = 0
    disagreements = []
    for name, auto in by_auto.items():
        if name in FEEDPARSER_FINDS_NOTHING or (isinstance(auto, list) and auto[0] == "json"):
            continue
        fast, slow = _identities(by_fast[name]), _identities(by_feedparser[name])
        if fast != slow or _identities(auto) != slow:
            disagreements.append((name, len(fast), len(slow)))
        checked += len(slow)
    assert disagreements == []
    assert checked > 6000


@needs_corpus
def test_corpus_known_disagreements_still_hold(
    by_fast: dict[str, Any], by_feedparser: dict[str, Any], by_auto: dict[str, Any]
) -> None:
    for name in FEEDPARSER_FINDS_NOTHING:
        if name not in by_auto:
            continue
        assert _identities(by_feedparser[name]) == []
        assert len(_identities(by_fast[name])) > 0
        assert by_auto[name] == by_fast[name]


@needs_corpus
def test_corpus_goes_through_the_fast_path(by_auto: dict[str, Any]) -> None:
    parsers = [summary[0] for summary in by_auto.values()]
    assert all(isinstance(s, list) for s in by_auto.values())
    assert parsers.count("json") == 1
    assert parsers.count("fast") == len(parsers) - 1


@needs_corpus
def test_corpus_posts_have_text_links_and_dates_wherever_the_feed_has_them(
    by_auto: dict[str, Any], by_feedparser: dict[str, Any]
) -> None:
    problems = []
    for name, (_, posts) in by_auto.items():
        reference = by_feedparser[name][1] if isinstance(by_feedparser[name], list) else []
        if not reference:  # JSON Feed, or feedparser found nothing: judge the posts alone
            reference = [(True, None, True, False)] * len(posts)
        for index, ((link, guid, published, has_text), ref) in enumerate(zip(posts, reference)):
            if not has_text and ref[3]:
                problems.append((name, index, "no title or text"))
            if link is None and ref[0] is not None:
                problems.append((name, index, "no link"))
            if published is None and ref[2] is not None:
                problems.append((name, index, "no date"))
            if guid is None and link is not None:
                problems.append((name, index, "no guid"))
    assert problems == []
    total = sum(len(posts) for _, posts in by_auto.values())
    assert total == 6763


@needs_corpus
def test_corpus_json_feed() -> None:
    feed = parse_feed((CORPUS / "feeds" / "real" / "d4b7ab74da763119").read_bytes())
    assert (feed.parser, feed.title, len(feed.posts)) == ("json", "Human Who Codes", 10)
    assert all(p.link and p.published and p.title and p.text for p in feed.posts)
    assert {p.author for p in feed.posts} == {"Nicholas C. Zakas"}


@needs_corpus
def test_corpus_feed_that_declares_utf16_but_is_utf8() -> None:
    data = (CORPUS / "feeds" / "real" / "utf16_encoded.xml").read_bytes()
    assert b'encoding="utf-16"' in data[:100] and feeds.scannable(data) == data
    feed = parse_feed(data)
    assert [p.link for p in feed.posts] == ["https://example.com/entry1"]
    assert feed.posts[0].title and feed.posts[0].published


def test_known_entries_skip_text_extraction_and_nothing_else_changes() -> None:
    items = "".join(
        f"<item><title>Entry {i}</title><link>https://e.com/{i}?utm_source=x</link>"
        f"<guid>g{i}</guid><description>&lt;p&gt;Text {i}&lt;/p&gt;</description></item>"
        for i in range(4)
    )
    seen: list[list[tuple[str | None, str | None]]] = []

    def known(identities: list[tuple[str | None, str | None]]) -> set[int]:
        seen.append(identities)
        return {index for index, (guid, link) in enumerate(identities) if guid in ("g0", "g2")}

    full = parse_feed(_rss(items), "https://e.com/feed")
    lazy = parse_feed(_rss(items), "https://e.com/feed", known=known)
    # The identities offered are the ones Hark stores: canonical links, GUIDs.
    assert seen == [[(f"g{i}", f"https://e.com/{i}") for i in range(4)]]
    assert lazy.skipped == {0, 2} and full.skipped == frozenset()
    for index, (lazy_post, full_post) in enumerate(zip(lazy.posts, full.posts)):
        assert (lazy_post.guid, lazy_post.link) == (full_post.guid, full_post.link)
        if index in lazy.skipped:
            assert (lazy_post.title, lazy_post.text) == ("", "")
        else:
            assert lazy_post == full_post
