"""Parse feed bytes into Posts (RSS 0.9x/2.0, RSS 1.0/RDF, Atom, JSON Feed) — pure.

Two XML parsers sit behind ``parse_feed``: fastfeedparser (lxml plus a native
extractor, far faster) and feedparser (slow, the most forgiving). The fast one
runs first; feedparser runs only when the fast one fails or finds nothing in a
document that plainly has entries. ``tests/test_feeds.py`` proves both agree on
every corpus feed (count, link, guid, date), so which one ran does not change
what Hark stores.

Safety does not depend on either parser: size and entity declarations are
checked on the bytes first (``bot.parse.preflight``), and parsers only ever get
bytes (feedparser in a BytesIO: given a bare ``bytes`` it first tries it as a
*file name*). Both parser paths map their entries to Posts through
``bot.parse.entries``. X responses are read by ``bot.parse.xposts`` (re-exported here).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any, Literal

import fastfeedparser

from bot.parse.entries import (
    HAS_ENTRIES,
    NO_EXTRAS,
    TEXT_LIMIT,
    TITLE_LIMIT,
    FeedExtras,
    KnownEntries,
    ParsedFeed,
    RawEntry,
    finish_feed,
    iso_utc,
    read_extras,
)
from bot.parse.preflight import FeedError, check_document, not_a_feed, repaired, scannable
from bot.parse.xposts import parse_x_search

MAX_FEED_BYTES = 10 * 1024 * 1024

__all__ = [
    "MAX_FEED_BYTES",
    "TEXT_LIMIT",
    "TITLE_LIMIT",
    "FeedError",
    "ParsedFeed",
    "parse_feed",
    "parse_x_search",
    "scannable",
]


def parse_feed(
    data: bytes,
    url: str = "",
    *,
    max_bytes: int = MAX_FEED_BYTES,
    parser: Literal["auto", "fast", "feedparser"] = "auto",
    known: KnownEntries | None = None,
) -> ParsedFeed:
    """Parse one feed document into normalized Posts; raise FeedError if it is not one.

    ``url`` (the feed's final URL) resolves relative entry links. ``parser``
    forces "fast" or "feedparser" (tests and benchmarks); "auto" runs the fast
    parser and falls back to feedparser. ``known`` names entries whose text need
    not be extracted (see ``bot.parse.entries.finish_feed``).
    """
    data = bytes(data)
    if len(data) > max_bytes:
        raise FeedError(
            f"document is larger than {max_bytes:,} bytes ({len(data):,}); refusing to parse it."
        )
    if not data.strip().removeprefix(b"\xef\xbb\xbf").strip():
        raise FeedError("empty document: the server sent no feed.")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _parse_json_feed(data, url, known)
    # Checked after repair: the checks must see the bytes the parsers will see
    # (removing a control byte could join "<!EN\x01TITY" into a declaration).
    data = repaired(data)
    if check_document(data) == b"html":
        raise not_a_feed(data)
    extras = read_extras(data)
    if parser == "feedparser":
        return _read_with_feedparser(data, url, extras, known)
    try:
        fast = _read_with_fast(data, url, extras, known)
    except Exception as exc:  # any failure of the fast path: ask feedparser
        if parser == "fast":
            raise not_a_feed(data) from exc
        return _read_with_feedparser(data, url, extras, known)
    if parser == "fast" or fast.posts or not HAS_ENTRIES.search(data):
        return fast
    # No entries although the document has <item>/<entry> tags: let feedparser try.
    try:
        slow = _read_with_feedparser(data, url, extras, known)
    except FeedError:
        return fast
    return slow if len(slow.posts) > len(fast.posts) else fast


def _read_with_fast(
    data: bytes, url: str, extras: FeedExtras, known: KnownEntries | None = None
) -> ParsedFeed:
    # bytes only: given a str that starts with http, fastfeedparser fetches it.
    doc = fastfeedparser.parse(data, include_tags=False, include_enclosures=False)
    feed = doc.get("feed") or {}
    posts = []
    for entry in doc.get("entries") or []:
        contents = entry.get("content") or []
        body = next((c.get("value") for c in contents if c.get("value")), None)
        posts.append(
            RawEntry(
                guid=entry.get("id"),
                link=entry.get("link"),
                title=entry.get("title"),
                html=body or entry.get("description") or _media_description(entry),
                author=entry.get("author"),
                published=iso_utc(entry.get("published") or entry.get("updated")),
                lang=(contents[0].get("language") if contents else None) or extras.language,
                comments=entry.get("comments"),
            )
        )
    return finish_feed(feed.get("title"), posts, url, extras, "fast", known)


def _media_description(entry: dict[str, Any]) -> str | None:
    """media:description (YouTube and podcast feeds keep their only text there)."""
    for media in entry.get("media_content") or []:
        if media.get("description"):
            return media["description"]
    return None


def _read_with_feedparser(
    data: bytes, url: str, extras: FeedExtras, known: KnownEntries | None = None
) -> ParsedFeed:
    import feedparser  # the fallback: imported when first needed

    headers = {"content-location": url} if url else None
    try:
        # A file object, never bytes/str: feedparser opens those as file names or URLs.
        doc = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            sanitize_html=False,  # all markup is stripped later anyway
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser is the last resort: its failure means "not a feed"
        raise not_a_feed(data) from exc
    if not doc.entries and not doc.get("version"):
        raise not_a_feed(data)
    posts = []
    for entry in doc.entries:
        contents = entry.get("content") or []
        body = next((c.get("value") for c in contents if c.get("value")), None)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        posts.append(
            RawEntry(
                guid=entry.get("id"),
                link=entry.get("link"),
                title=entry.get("title"),
                html=body or entry.get("summary"),
                # Atom <author> with <email> becomes "name (email)" in .author.
                author=(entry.get("author_detail") or {}).get("name") or entry.get("author"),
                published=datetime(*stamp[:6], tzinfo=UTC) if stamp else None,
                lang=(contents[0].get("language") if contents else None) or extras.language,
                comments=entry.get("comments"),
            )
        )
    return finish_feed(doc.feed.get("title"), posts, url, extras, "feedparser", known)


def _parse_json_feed(data: bytes, url: str, known: KnownEntries | None = None) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), read directly: it is already data."""
    try:
        doc = json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"not a feed: invalid JSON ({type(exc).__name__}).") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("not a feed: JSON, but not a JSON Feed (no items list).")
    feed_lang = doc.get("language")
    raws = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue
        # 1.1 has "authors" lists, 1.0 one "author"; the feed's apply when an item has none.
        authors = [
            *(item.get("authors") or [item.get("author")]),
            *(doc.get("authors") or [doc.get("author")]),
        ]
        author = next(
            (a.get("name") for a in authors if isinstance(a, dict) and a.get("name")), None
        )
        html_body = item.get("content_html") or item.get("summary")
        guid = item.get("id")
        raws.append(
            RawEntry(
                guid=str(guid) if guid is not None else None,
                link=item.get("url") or item.get("external_url"),
                title=item.get("title"),
                html=html_body if html_body else item.get("content_text"),
                plain_text=not html_body,
                author=author if isinstance(author, str) else None,
                published=iso_utc(item.get("date_published") or item.get("date_modified")),
                lang=item.get("language") or feed_lang,
            )
        )
    return finish_feed(doc.get("title"), raws, url, NO_EXTRAS, "json", known)
