"""Employee voice: poll registered people's public feeds, record their on-topic posts.

Every registered blog, Mastodon and Bluesky account has a public feed. Hark reads
it about once an hour (conditional GET, through the same guarded :class:`Fetcher`
as the sources), and records the posts that mention the company or match a topic
as the company's reach. These posts are never sent to a channel: the person sees
them (``/register show``, App Home) and the digest counts them.

X has no public feed; its API (``X_BEARER_TOKEN``) bills per post read, so X
accounts are not polled here.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bot.fetch.client import Fetcher, FetchError, FetchResult
from bot.match.engine import Document, Matcher
from bot.match.relevance import Relevance
from bot.models import Post, VoiceFeedDue
from bot.parse.feeds import FeedError, ParsedFeed, parse_feed
from bot.parse.normalize import site_of
from bot.store import Store

log = logging.getLogger(__name__)

POLLED_NETWORKS = ("blog", "mastodon", "bluesky")
EVERY = 3600.0  # a person's feed is read about once an hour
MAX_BACKOFF = 86400.0
MAX_AGE_DAYS = 30  # older posts are not "new reach"; a first read records only the recent
BATCH = 25  # feeds per tick, so a tick stays short; the rest wait for the next one
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def voice_feed_url(network: str, handle: str) -> str | None:
    """The public feed of a canonical handle, or None when the network has none."""
    if network == "blog":
        return handle
    if network == "mastodon":
        user, _, instance = handle.lstrip("@").partition("@")
        return f"https://{instance}/@{user}.rss" if user and instance else None
    if network == "bluesky":
        return f"https://bsky.app/profile/{handle}/rss"
    return None


@dataclass
class VoiceReport:
    """One pass: feeds read, posts recorded, and the feeds that failed (with why)."""

    checked: int = 0
    recorded: int = 0
    failed: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class _Read:
    row: VoiceFeedDue
    url: str
    result: FetchResult | None = None
    feed: ParsedFeed | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None


class EmployeeVoice:
    """Reads due account feeds and records the posts that count as reach."""

    def __init__(
        self,
        store: Store,
        relevance: Relevance,
        fetcher: Fetcher,
        company: str,
        *,
        every: float = EVERY,
        batch: int = BATCH,
        workers: int = 4,
    ) -> None:
        self.store = store
        self.relevance = relevance
        self.fetcher = fetcher
        self.company = company
        self.every = every
        self.batch = batch
        self.workers = workers

    def poll_due(self) -> VoiceReport:
        """Read the feeds whose time has come; safe to call as often as one likes."""
        report = VoiceReport()
        rows = self.store.due_voice_feeds(POLLED_NETWORKS, self.store.now(), self.batch)
        reads = []
        for row in rows:
            url = row.url or voice_feed_url(row.network, row.handle)
            if url:
                reads.append(_Read(row, url))
        if not reads:
            return report
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(reads)))) as pool:
            for read in pool.map(self._read, reads):
                self._record(read, report)
        return report

    # -- I/O (pool threads) -------------------------------------------------------------

    def _read(self, read: _Read) -> _Read:
        row = read.row
        same_url = row.url == read.url
        try:
            read.result = self.fetcher.fetch(
                read.url,
                etag=row.etag if same_url else None,
                last_modified=row.last_modified if same_url else None,
            )
            if read.result.body is None:  # 304
                return read
            try:
                read.feed = parse_feed(read.result.body, read.result.url)
            except FeedError as exc:
                discovered = None
                if row.network == "blog":
                    discovered = feed_link_in_html(read.result.body, read.result.url)
                if discovered is None:
                    read.error = exc.message
                    return read
                # A blog's home page: read the feed it announces, and poll that from now on.
                read.url = discovered
                read.result = self.fetcher.fetch(discovered)
                if read.result.body is not None:
                    read.feed = parse_feed(read.result.body, read.result.url)
        except FetchError as exc:
            read.error, read.permanent, read.retry_after = (
                exc.message,
                exc.permanent,
                exc.retry_after,
            )
        except FeedError as exc:
            read.error = exc.message
        return read

    # -- recording (calling thread) -----------------------------------------------------

    def _record(self, read: _Read, report: VoiceReport) -> None:
        row = read.row
        now = self.store.now()
        report.checked += 1
        if read.error is not None:
            failures = row.failures + 1
            wait = MAX_BACKOFF if read.permanent else min(MAX_BACKOFF, self.every * 2**failures)
            wait = max(wait, read.retry_after or 0)
            report.failed[(row.user_id, row.network)] = read.error
            log.info("voice feed of %s (%s) failed: %s", row.user_id, row.network, read.error)
            self.store.record_voice_check(
                row.user_id,
                row.network,
                row.handle,
                url=read.url,
                etag=row.etag,
                last_modified=row.last_modified,
                next_check_at=now + wait,
                error=read.error,
                failures=failures,
            )
            return
        if read.feed is not None:
            matcher, _ = self.relevance.matcher()
            for post in read.feed.posts:
                report.recorded += self._record_post(row, post, matcher, now)
        result = read.result
        self.store.record_voice_check(
            row.user_id,
            row.network,
            row.handle,
            url=read.url,
            etag=result.etag if result else None,
            last_modified=result.last_modified if result else None,
            next_check_at=now + self.every,
            error=None,
            failures=0,
        )

    def _record_post(self, row: VoiceFeedDue, post: Post, matcher: Matcher, now: float) -> int:
        link = post.link or post.guid
        if not link:
            return 0
        published = post.published.timestamp() if post.published else None
        if published is not None and now - published > MAX_AGE_DAYS * 86400:
            return 0
        doc = Document(
            title=post.title,
            body=post.text,
            author=post.author,
            site=site_of(post.link) if post.link else "",
            source=row.network,
            lang=post.lang,
        )
        mentions_company = bool(self.company) and self.company in self.relevance.mentions(doc)
        topics = [m.topic for m in matcher.match(doc)]
        if not mentions_company and not topics:
            return 0
        recorded = self.store.record_employee_post(
            row.user_id,
            row.network,
            link=link[:2000],
            title=(post.title or post.text)[:300],
            published_at=published,
            mentions_company=mentions_company,
            topics=topics,
        )
        return int(recorded)


class _AlternateFeed(HTMLParser):
    """Finds ``<link rel="alternate" type="application/rss+xml" href="…">`` in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link" or self.href is not None:
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        rels = a.get("rel", "").lower().split()
        if "alternate" in rels and a.get("type", "").lower().split(";")[0] in _FEED_TYPES:
            self.href = a.get("href") or None


def feed_link_in_html(body: bytes, base_url: str) -> str | None:
    """The feed a web page announces (its first alternate RSS/Atom/JSON link), absolute."""
    finder = _AlternateFeed()
    try:
        finder.feed(body[:262_144].decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - a page we can't read simply announces nothing
        return None
    if not finder.href:
        return None
    url = urljoin(base_url, finder.href.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None
