"""One poll cycle: due sources -> fetch -> parse -> store -> match -> outbox rows.

Fetching and parsing run in a thread pool (I/O and the parser); storing and
matching run on the calling thread, so one thread writes the posts.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.feeds import FeedError, ParsedFeed, parse_feed
from bot.fetch import Fetcher, FetchError
from bot.matching import Document
from bot.models import Post
from bot.normalize import content_hash, site_of
from bot.relevance import Relevance
from bot.sources import origin_of
from bot.store import Store

log = logging.getLogger(__name__)

MIN_INTERVAL = 60.0
MAX_INTERVAL = 6 * 3600.0
FAILURE_REPORT_AFTER = 24 * 3600.0


@dataclass
class SourceOutcome:
    source_id: int
    label: str
    status: str  # "new" | "not-modified" | "failed" | "skipped"
    posts: int = 0
    new_posts: int = 0
    relevant: int = 0
    error: str | None = None


@dataclass
class PollReport:
    sources: list[SourceOutcome] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)  # conversation ids waiting to be sent

    @property
    def failed(self) -> list[SourceOutcome]:
        return [s for s in self.sources if s.status == "failed"]


@dataclass
class _Fetched:
    row: sqlite3.Row
    feed: ParsedFeed | None = None
    etag: str | None = None
    last_modified: str | None = None
    interval_hint: float | None = None
    error: str | None = None
    retry_after: float | None = None
    posts: list[Post] | None = None
    cursor: str | None = None


SourceFetcher = Callable[[sqlite3.Row], _Fetched]


class Poller:
    """Polls due sources and records what is new and relevant."""

    def __init__(
        self,
        store: Store,
        relevance: Relevance,
        fetcher: Fetcher,
        *,
        backfill_hours: int = 24,
        workers: int = 8,
        x_search: Callable[[sqlite3.Row], tuple[list[Post], str | None]] | None = None,
        on_source_down: Callable[[sqlite3.Row], None] | None = None,
    ) -> None:
        self.store = store
        self.relevance = relevance
        self.fetcher = fetcher
        self.backfill_hours = backfill_hours
        self.workers = workers
        self.x_search = x_search
        self.on_source_down = on_source_down

    def poll_due(self) -> PollReport:
        """Poll every source whose time has come."""
        return self.poll(self.store.due_sources())

    def poll(self, rows: list[sqlite3.Row]) -> PollReport:
        report = PollReport()
        if not rows:
            return report
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(rows)))) as pool:
            for fetched in pool.map(self._fetch_one, rows):
                outcome = self._record(fetched, report)
                report.sources.append(outcome)
        return report

    # -- I/O and parsing (pool threads) -------------------------------------------------

    def _fetch_one(self, row: sqlite3.Row) -> _Fetched:
        if row["kind"] == "x":
            return self._search_x(row)
        try:
            result = self.fetcher.fetch(
                row["target"], etag=row["etag"], last_modified=row["last_modified"]
            )
        except FetchError as exc:
            return _Fetched(row, error=exc.message, retry_after=exc.retry_after)
        fetched = _Fetched(
            row,
            etag=result.etag,
            last_modified=result.last_modified,
            interval_hint=result.max_age,
        )
        if result.body is None:  # 304: nothing changed, nothing to parse
            return fetched
        try:
            fetched.feed = parse_feed(result.body, result.url)
        except FeedError as exc:
            fetched.error = exc.message
            return fetched
        fetched.posts = fetched.feed.posts
        if fetched.feed.ttl_seconds:
            fetched.interval_hint = max(fetched.interval_hint or 0, fetched.feed.ttl_seconds)
        return fetched

    def _search_x(self, row: sqlite3.Row) -> _Fetched:
        if self.x_search is None:
            return _Fetched(row, error="X_BEARER_TOKEN is not set; X sources are not polled")
        try:
            posts, cursor = self.x_search(row)
        except FetchError as exc:
            return _Fetched(row, error=exc.message, retry_after=exc.retry_after)
        return _Fetched(row, posts=posts, cursor=cursor)

    # -- storing and matching (calling thread) ------------------------------------------

    def _record(self, fetched: _Fetched, report: PollReport) -> SourceOutcome:
        row = fetched.row
        label = row["label"] or row["target"]
        if fetched.error is not None:
            updated = self.store.record_poll_failure(
                row["id"], fetched.error, retry_after=fetched.retry_after
            )
            log.warning("source %s failed: %s", row["id"], fetched.error)
            down_for = self.store.now() - (updated["failing_since"] or self.store.now())
            if (
                down_for >= FAILURE_REPORT_AFTER
                and self.on_source_down
                and self.store.mark_failure_reported(row["id"])
            ):
                self.on_source_down(updated)
            return SourceOutcome(row["id"], label, "failed", error=fetched.error)

        interval = float(row["every_seconds"])
        if fetched.interval_hint:
            # Honour a feed's TTL / Cache-Control, within sane bounds.
            interval = max(interval, min(MAX_INTERVAL, fetched.interval_hint))
        outcome = SourceOutcome(
            row["id"], label, "not-modified" if fetched.posts is None else "new"
        )
        if fetched.posts is not None:
            # A source's first poll records what it already holds without posting it,
            # except what is newer than the backfill window.
            first_poll = not row["seeded"]
            origin = "x" if row["kind"] == "x" else origin_of(row["target"])
            for post in fetched.posts:
                outcome.posts += 1
                queued = self._store_post(row["id"], post, origin, first_poll, outcome)
                report.queued.extend(queued)
        self.store.record_poll_success(
            row["id"],
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            cursor=fetched.cursor,
            next_in=max(MIN_INTERVAL, interval),
        )
        return outcome

    def _store_post(
        self, source_id: int, post: Post, origin: str, first_poll: bool, outcome: SourceOutcome
    ) -> list[int]:
        site = site_of(post.link) if post.link else ""
        stored = self.store.store_post(
            source_id,
            post,
            site=site,
            source_kind=origin,
            content_hash=content_hash(post.title, post.text),
        )
        if not stored.is_new:
            return []
        outcome.new_posts += 1
        now = self.store.now()
        age_hours = (now - post.published.timestamp()) / 3600 if post.published else None
        deliver = not first_poll or (age_hours is not None and age_hours <= self.backfill_hours)
        doc = Document(
            title=post.title,
            body=post.text,
            author=post.author,
            site=site,
            source=origin,
            lang=post.lang,
        )
        mentions = self.relevance.mentions(doc)
        if mentions:
            self.store.record_mentions(stored.id, mentions)
        queued: list[int] = []
        for hit in self.relevance.evaluate(doc, metrics=post.metrics, age_hours=age_hours):
            send = deliver and hit.rank.score >= hit.min_score
            conversation_id = self.store.record_conversation(
                stored.id,
                hit.topic_id,
                channel=hit.channel,
                score=hit.rank.score,
                why=hit.rank.why,
                deliver=send,
            )
            outcome.relevant += 1
            if conversation_id is not None and send:
                queued.append(conversation_id)
        return queued
