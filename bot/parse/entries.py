"""From what a parser found to normalized Posts: the mapping both parser paths share.

Both XML paths and the JSON Feed reader hand entries over as ``RawEntry``
values and finish through ``finish_feed``, so the same rules (links, GUIDs,
dates, limits, HN/Reddit figures) apply whichever parser ran. Figures no
parser exposes (TTL, comment counts, the feed's language) are read from the
raw bytes by ``read_extras``.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from bot.models import Post
from bot.parse.normalize import canonical_url, clean_line, html_to_text
from bot.parse.preflight import scannable

TEXT_LIMIT = 20_000
TITLE_LIMIT = 300
AUTHOR_LIMIT = 200
MAX_TTL = 30 * 86400

_LANGUAGE = re.compile(rb"<(?:\w+:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*<")
_XML_LANG = re.compile(rb"""\sxml:lang\s*=\s*["']([A-Za-z]{2,3})""")
HAS_ENTRIES = re.compile(rb"<(?:[\w-]+:)?(?:item|entry)[\s>/]")
_COUNTS = re.compile(rb"<(?:slash:comments|thr:total)>\s*(\d+)\s*<")
_TTL = re.compile(rb"<ttl>\s*(\d+)\s*</ttl>", re.IGNORECASE)
_SY_PERIOD = re.compile(rb"<(?:\w+:)?updatePeriod>\s*(\w+)\s*<")
_SY_FREQUENCY = re.compile(rb"<(?:\w+:)?updateFrequency>\s*(\d+)\s*<")
_PERIODS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "monthly": 2592000,
    "yearly": 31536000,
}
_LOOKS_LIKE_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-f]+|\w+);")
_EMAIL_NAME = re.compile(r"^\S+@\S+\s+\((.+)\)$")
_HN_ITEM = re.compile(r"news\.ycombinator\.com/item\?id=(\d+)")
_REDDIT_POST = re.compile(r"reddit\.com/r/[^/]+/comments/([a-z0-9]+)")
_HN_POINTS = re.compile(r"\bPoints: (\d+)")
_HN_COMMENTS = re.compile(r"# Comments: (\d+)")


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title, its posts and how often it asks to be polled."""

    title: str
    posts: list[Post]
    ttl_seconds: int | None  # RSS <ttl>, or sy:updatePeriod / sy:updateFrequency
    parser: str  # "fast", "feedparser" or "json" (JSON Feed, read directly)
    # Indexes of posts whose text was not extracted (already known; see finish_feed).
    skipped: frozenset[int] = frozenset()


@dataclass(frozen=True)
class FeedExtras:
    """What every parser path takes from the raw bytes, so they cannot disagree on it."""

    ttl_seconds: int | None
    comment_counts: list[int | None] | None  # per entry, in document order
    language: str | None  # the channel's <language> / dc:language / root xml:lang


NO_EXTRAS = FeedExtras(None, None, None)


@dataclass(frozen=True)
class RawEntry:
    """One entry as a parser gave it, before normalization."""

    guid: str | None
    link: str | None
    title: str | None
    html: str | None
    author: str | None
    published: datetime | None
    lang: str | None
    comments: str | None = None
    plain_text: bool = False  # text that is not HTML (JSON Feed content_text)


# Given every entry's (guid, link) identity, which entries are already known (their
# text is then not extracted). See ``finish_feed``.
KnownEntries = Callable[[list[tuple[str | None, str | None]]], set[int]]


def finish_feed(
    title: Any,
    raws: list[RawEntry],
    url: str,
    extras: FeedExtras,
    parser: str,
    known: KnownEntries | None = None,
) -> ParsedFeed:
    """Normalize every entry into a Post and wrap them with the feed's title and TTL.

    HTML to text is most of the cost of reading a feed, and a feed mostly repeats
    entries Hark already has. With ``known``, entries it names become Posts with
    only their GUID, link and date, listed in ``ParsedFeed.skipped``; everything
    else is as without it.
    """
    counts = extras.comment_counts
    if counts is not None and len(counts) != len(raws):
        counts = None  # the cheap item scan and the parser disagree: trust neither
    identities = [_identity(raw, url) for raw in raws]
    skipped = frozenset(known(identities)) if known and identities else frozenset()
    posts = [
        _to_post(raw, guid, link, counts[i] if counts else None, with_text=i not in skipped)
        for i, (raw, (guid, link)) in enumerate(zip(raws, identities))
    ]
    return ParsedFeed(title_text(title), posts, extras.ttl_seconds, parser, skipped)


def _identity(raw: RawEntry, base_url: str) -> tuple[str | None, str | None]:
    """The entry's GUID and canonical link, as Hark stores them."""
    guid = clean_line(raw.guid, 2000) or None
    link = _absolute_link(raw.link, base_url)
    # An entry without a link whose guid is a URL: that URL is the permalink.
    if link is None and guid and guid.startswith(("http://", "https://")):
        link = _absolute_link(guid, base_url)
    if guid is None:
        # Same rule as fastfeedparser, applied to both paths: the link
        # identifies an entry that has no guid.
        guid = clean_line(raw.link, 2000) or None
    return guid, link


def _to_post(
    raw: RawEntry,
    guid: str | None,
    link: str | None,
    comment_count: int | None,
    *,
    with_text: bool,
) -> Post:
    if not with_text:
        # Known already: only its identity is needed, to recognize it.
        return Post(guid=guid, link=link, title="", text="", published=raw.published)
    if raw.plain_text:
        text = clean_line(html.unescape(raw.html or ""), TEXT_LIMIT)
    else:
        text = html_to_text(raw.html or "", TEXT_LIMIT)
    metrics: dict[str, int] = {}
    if comment_count is not None:
        metrics["comments"] = comment_count
    thread_id = None
    for candidate in (raw.comments, raw.link, guid):
        if candidate and (hn := _HN_ITEM.search(candidate)):
            thread_id = hn.group(1)
            # hnrss.org puts the figures in the description.
            if points := _HN_POINTS.search(text):
                metrics["score"] = int(points.group(1))
            if comments := _HN_COMMENTS.search(text):
                metrics["comments"] = int(comments.group(1))
            break
        if candidate and (reddit := _REDDIT_POST.search(candidate)):
            thread_id = reddit.group(1)
            break
    return Post(
        guid=guid,
        link=link,
        title=title_text(raw.title),
        text=text,
        author=_author_name(raw.author),
        published=raw.published,
        lang=language(raw.lang),
        metrics=metrics,
        thread_id=thread_id,
    )


def _absolute_link(link: str | None, base_url: str) -> str | None:
    """The canonical absolute http(s) link, or None (javascript:, mailto:, junk)."""
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    if base_url and not link.startswith(("http://", "https://")):
        link = urljoin(base_url, link)
    link = canonical_url(link)
    return link if link.startswith(("http://", "https://")) else None


def title_text(title: Any) -> str:
    """A title as one plain line, capped; titles that carry markup are read as HTML."""
    if not isinstance(title, str):
        return ""
    if _LOOKS_LIKE_HTML.search(title):
        return html_to_text(title, TITLE_LIMIT)
    return clean_line(title, TITLE_LIMIT)


def _author_name(author: str | None) -> str:
    name = clean_line(author, AUTHOR_LIMIT)
    # RSS <author> is "email (Name)": keep the name, not the address.
    match = _EMAIL_NAME.match(name)
    return match.group(1) if match else name


def language(lang: Any) -> str | None:
    """Primary language subtag, lower-case ("en-US" -> "en"); None if unknown."""
    if not isinstance(lang, str):
        return None
    primary = lang.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def iso_utc(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string; naive means UTC, as feedparser reads it."""
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Whole seconds, as feedparser gives them: the paths must agree, and
    # nothing in Hark needs sub-second publication times.
    stamp = stamp.replace(microsecond=0)
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


# --- figures read from the raw bytes ---------------------------------------------------


def read_extras(data: bytes) -> FeedExtras:
    """TTL, per-entry comment counts and language, straight from the document's bytes."""
    head = _channel_head(data)
    return FeedExtras(_ttl_seconds(head), _comment_counts(data), _feed_language(head))


def _channel_head(data: bytes) -> bytes:
    """The feed's own elements: what precedes the first entry, within 64 KB."""
    head = scannable(data[:65536])
    first_entry = HAS_ENTRIES.search(head)
    return head[: first_entry.start()] if first_entry else head


def _ttl_seconds(head: bytes) -> int | None:
    """The polling interval the feed asks for, from its channel header."""
    if ttl := _TTL.search(head):
        return min(int(ttl.group(1)) * 60, MAX_TTL)
    period = _SY_PERIOD.search(head)
    if period and (seconds := _PERIODS.get(period.group(1).decode().lower())):
        frequency = _SY_FREQUENCY.search(head)
        times = max(int(frequency.group(1)), 1) if frequency else 1
        return min(seconds // times, MAX_TTL)
    return None


def _feed_language(head: bytes) -> str | None:
    """The feed-wide language: <language>, <dc:language>, else the root's xml:lang."""
    found = _LANGUAGE.search(head) or _XML_LANG.search(head)
    return found.group(1).decode("ascii") if found else None


def _comment_counts(data: bytes) -> list[int | None] | None:
    """slash:comments / thr:total of each entry, in order; None if the feed has none.

    Neither parser exposes both, so the raw items are scanned; ``finish_feed``
    drops the result if the scan and the parser count entries differently.
    """
    if b"slash:comments>" not in data and b"thr:total>" not in data:
        return None
    # Each entry runs from its start tag to the next one: linear, even when
    # a hostile document never closes its items.
    starts = [m.start() for m in HAS_ENTRIES.finditer(data)] + [len(data)]
    counts: list[int | None] = []
    for start, end in itertools.pairwise(starts):
        found = _COUNTS.search(data, start, end)
        counts.append(int(found.group(1)) if found else None)
    return counts
