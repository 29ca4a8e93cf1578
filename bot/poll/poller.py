"""One poll cycle: due sources -> fetch -> parse -> store -> match -> outbox rows.

Fetching runs in a thread pool; parsing runs on the fetching thread, or for a
large cycle in worker processes (``bot.poll.pool``: parsing is CPU work the
GIL would serialize). Storing runs on the calling thread, the one writer: it
stores what the parse step found (each post's topics and mentions, ``PostMatch``)
and matches only the posts that step did not (X posts, a post that looked known).
Only a window of sources is in flight at a time, so a cycle over thousands of
feeds holds a few dozen parsed feeds in memory, not all of them.

The writer groups sources into one transaction of up to ``GROUP_SECONDS``, each
source in a savepoint (one that fails is undone alone), and commits early
whenever it would wait for a fetch. A crash loses at most the open group: its
sources' schedules roll back with their posts, so they are polled again. New
posts are indexed for /hark search in batches (``index_pending_posts``), the last
at the end of the cycle.

Every source fails alone: an error while fetching, parsing or storing one
becomes that source's health entry, and the cycle carries on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.fetch.client import Fetcher, FetchError
from bot.match.relevance import Relevance
from bot.models import Post, Source
from bot.parse.normalize import content_hash, site_of
from bot.parse.preflight import FeedError
from bot.poll.kinds import origin_of
from bot.poll.pool import ParsePool, PostMatch, default_processes, match_posts
from bot.poll.window import as_completed_in_window
from bot.store import Store
from bot.store.ingest import IncomingPost
from bot.store.sources import PollSuccess

log = logging.getLogger(__name__)

MIN_INTERVAL = 60.0
MAX_INTERVAL = 6 * 3600.0
FAILURE_REPORT_AFTER = 24 * 3600.0
# Sources in flight per worker: enough to keep every worker busy while the
# calling thread stores, few enough to bound memory.
WINDOW_PER_WORKER = 2
# Cycles with at least this many due sources parse in worker processes; smaller
# ones are not worth a process start-up.
POOL_MIN_SOURCES = 64
# Unchanged sources (a 304) have their schedule written this many at a time: one
# commit each would be most of a warm cycle's work. A crash loses at most these
# schedule updates, and those sources are simply checked again.
UNCHANGED_BATCH = 200
# The writer's transaction is committed once open this long (seconds), or as soon as
# it would wait for a fetch: a commit per source was a sixth of a cold cycle, and a
# longer group would keep Slack's writes (a Claim) waiting on the lock.
GROUP_SECONDS = 0.5
# New posts indexed for /hark search once this many wait (and at the end of a cycle).
INDEX_AFTER = 2000


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
    row: Source
    etag: str | None = None
    last_modified: str | None = None
    interval_hint: float | None = None
    error: str | None = None
    retry_after: float | None = None
    posts: list[Post] | None = None
    sites: list[str] | None = None  # per post, when computed where the feed was parsed
    hashes: list[str | None] | None = None  # None for a known post whose text was skipped
    # per post, what the parse step's matching found (None: not matched there)
    matches: list[PostMatch | None] | None = None
    cursor: str | None = None
    title: str = ""  # the feed's own title

    @property
    def unchanged(self) -> bool:  # a 304: only its schedule moves, written in batches
        return self.error is None and self.posts is None


class _Group:
    """The writer's open transaction: sources recorded since the last commit."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.opened = 0.0
        self.new_posts = 0  # stored since the last full-text batch

    def open(self) -> None:
        if not self.store.in_transaction():
            self.store.begin()
            self.opened = time.monotonic()

    def commit(self) -> None:
        self.store.commit()

    def after_source(self, new_posts: int) -> None:
        self.new_posts += new_posts
        if time.monotonic() - self.opened >= GROUP_SECONDS:
            self.commit()
        if self.new_posts >= INDEX_AFTER:
            self.commit()
            self.store.index_pending_posts()
            self.new_posts = 0


class Poller:
    """Polls due sources and records what is new and relevant."""

    def __init__(
        self,
        store: Store,
        relevance: Relevance,
        fetcher: Fetcher,
        *,
        backfill_hours: int = 24,
        workers: int = 16,
        parse_processes: int | None = None,
        pool_min_sources: int = POOL_MIN_SOURCES,
        x_search: Callable[[Source], tuple[list[Post], str | None]] | None = None,
        on_source_down: Callable[[Source], None] | None = None,
    ) -> None:
        self.store = store
        self.relevance = relevance
        self.fetcher = fetcher
        self.backfill_hours = backfill_hours
        self.workers = workers
        self.parse_processes = default_processes() if parse_processes is None else parse_processes
        self.pool_min_sources = pool_min_sources
        self.x_search = x_search
        self.on_source_down = on_source_down

    def poll_due(self) -> PollReport:
        """Poll every source whose time has come."""
        return self.poll(self.store.due_sources())

    def poll(self, rows: list[Source]) -> PollReport:
        """Fetch and parse ``rows`` in the pool; store each as it arrives, on this thread."""
        report = PollReport()
        if not rows:
            return report
        workers = max(1, min(self.workers, len(rows)))
        processes = self.parse_processes if len(rows) >= self.pool_min_sources else 0
        with (
            ParsePool(
                processes,
                db_path=self.store.path,
                lookup=self.store.known_identities,
                # Topics, names and mutes as they are now: matched where each post is
                # parsed, so this thread only writes.
                scanner=self.relevance.scanner,  # compiled when a feed has news
            ) as parser,
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hark-poll") as pool,
        ):
            unchanged: list[PollSuccess] = []
            group = _Group(self.store)
            try:
                for fetched in as_completed_in_window(
                    pool,
                    lambda row: self._fetch_one(row, parser),
                    iter(rows),
                    workers * WINDOW_PER_WORKER,
                    idle=group.commit,
                ):
                    if not fetched.unchanged:  # a cycle of 304s opens none per source
                        group.open()
                    outcome = self._record(fetched, report, unchanged)
                    report.sources.append(outcome)
                    group.after_source(outcome.new_posts)
            finally:
                # Each recorded source is whole (its savepoint), so what the group
                # holds is kept even when the cycle ends early; a failed commit undoes it.
                try:
                    self._flush_unchanged(unchanged, at_least=1)
                    group.commit()
                finally:
                    self.store.rollback()
            # Every post stored this cycle is found by /hark search from now on.
            self.store.index_pending_posts()
        # The pool's threads have ended (the with block joined them): close the store
        # connections they opened, or every cycle would leave its workers' files open.
        self.store.close_dead()
        report.sources.sort(key=lambda outcome: outcome.source_id)
        return report

    # -- I/O and parsing (pool threads) -------------------------------------------------

    def _fetch_one(self, row: Source, parser: ParsePool) -> _Fetched:
        try:
            if row.kind == "x":
                return self._search_x(row, parser)
            return self._fetch_feed(row, parser)
        except Exception as exc:  # a bug met by one source must not end the cycle
            log.exception("source %s: unexpected error", row.id)
            return _Fetched(row, error=f"Hark failed while reading this source ({exc!r:.200}).")

    def _fetch_feed(self, row: Source, parser: ParsePool) -> _Fetched:
        try:
            result = self.fetcher.fetch(row.target, etag=row.etag, last_modified=row.last_modified)
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
            read = parser.read(result.body, result.url, row.id, origin=origin_of(row.target))
        except FeedError as exc:
            fetched.error = exc.message
            return fetched
        fetched.posts, fetched.sites, fetched.hashes = read.feed.posts, read.sites, read.hashes
        fetched.title = read.feed.title or ""
        fetched.matches = read.matches
        if read.feed.ttl_seconds:
            fetched.interval_hint = max(fetched.interval_hint or 0, read.feed.ttl_seconds)
        return fetched

    def _search_x(self, row: Source, parser: ParsePool) -> _Fetched:
        if self.x_search is None:
            return _Fetched(row, error="X_BEARER_TOKEN is not set; X sources are not polled")
        try:
            posts, cursor = self.x_search(row)
        except FetchError as exc:
            return _Fetched(row, error=exc.message, retry_after=exc.retry_after)
        sites = [_site(p) for p in posts]
        matches = None if parser.scanner is None else match_posts(parser.scanner, posts, sites, "x")
        return _Fetched(row, posts=posts, sites=sites, matches=matches, cursor=cursor)

    # -- storing and matching (calling thread) ------------------------------------------

    def _record(
        self, fetched: _Fetched, report: PollReport, unchanged: list[PollSuccess]
    ) -> SourceOutcome:
        row = fetched.row
        label = row.label or row.target
        if fetched.error is None:
            try:
                return self._record_success(fetched, report, label, unchanged)
            except Exception as exc:  # rolled back; the source is retried on the backoff
                log.exception("source %s: storing its posts failed", row.id)
                fetched.error = f"Hark could not store this source's posts ({exc!r:.200})."
        return self._record_failure(fetched, label)

    def _record_failure(self, fetched: _Fetched, label: str) -> SourceOutcome:
        row = fetched.row
        error = fetched.error or "unknown error"
        updated = self.store.record_poll_failure(row.id, error, retry_after=fetched.retry_after)
        log.warning("source %s failed: %s", row.id, error)
        down_for = self.store.now() - (updated.failing_since or self.store.now())
        if (
            down_for >= FAILURE_REPORT_AFTER
            and self.on_source_down
            and self.store.mark_failure_reported(row.id)
        ):
            # Telling the admins talks to Slack: not while holding the write lock.
            self.store.commit()
            self.on_source_down(updated)
        return SourceOutcome(row.id, label, "failed", error=error)

    def _record_success(
        self, fetched: _Fetched, report: PollReport, label: str, unchanged: list[PollSuccess]
    ) -> SourceOutcome:
        row = fetched.row
        interval = float(row.every_seconds)
        if fetched.interval_hint:
            # Honour a feed's TTL / Cache-Control, within sane bounds.
            interval = max(interval, min(MAX_INTERVAL, fetched.interval_hint))
        outcome = SourceOutcome(row.id, label, "not-modified" if fetched.posts is None else "new")
        success = PollSuccess(
            row.id,
            fetched.etag,
            fetched.last_modified,
            fetched.cursor,
            max(MIN_INTERVAL, interval),
        )
        if fetched.posts is None:
            # Nothing changed: only the schedule moves, written with others in one go.
            unchanged.append(success)
            self._flush_unchanged(unchanged, at_least=UNCHANGED_BATCH)
            return outcome
        # One savepoint per source: its posts, matches and schedule land together.
        with self.store.savepoint():
            queued = self._store_posts(fetched, outcome)
            self.store.record_poll_successes([success])
            if fetched.title and fetched.title != row.feed_title:
                self.store.record_feed_title(row.id, fetched.title)
        report.queued.extend(queued)
        return outcome

    def _flush_unchanged(self, unchanged: list[PollSuccess], *, at_least: int) -> None:
        """Write the schedules of unchanged sources once ``at_least`` are waiting."""
        if len(unchanged) >= at_least:
            with self.store.savepoint():
                self.store.record_poll_successes(unchanged)
            unchanged.clear()

    def _store_posts(self, fetched: _Fetched, outcome: SourceOutcome) -> list[int]:
        """Store the source's posts with what matching found; return the conversations
        to send."""
        row, posts = fetched.row, fetched.posts or []
        sites = fetched.sites or [_site(p) for p in posts]
        hashes: list[str | None] = fetched.hashes or [content_hash(p.title, p.text) for p in posts]
        matches = fetched.matches or [None] * len(posts)
        origin = "x" if row.kind == "x" else origin_of(row.target)
        stored = self.store.store_source_posts(
            row.id,
            [IncomingPost(p, site, digest) for p, site, digest in zip(posts, sites, hashes)],
            source_kind=origin,
        )
        outcome.posts = len(posts)
        # A source's first poll records what it already holds without posting it,
        # except what is newer than the backfill window.
        first_poll = not row.seeded
        now = self.store.now()
        queued: list[int] = []
        for post, site, match, known in zip(posts, sites, matches, stored):
            if known is None or not known.is_new:
                continue
            outcome.new_posts += 1
            age_hours = (now - post.published.timestamp()) / 3600 if post.published else None
            if match is None:  # not matched where it was parsed (no scanner given)
                [match] = match_posts(self.relevance.scanner(), [post], [site], origin)
            if match is None or not (match.hits or match.mentions):
                continue
            if match.mentions:
                self.store.record_mentions(known.id, match.mentions)
            deliver = not first_poll or (age_hours is not None and age_hours <= self.backfill_hours)
            for hit in match.hits:
                score = hit.score(age_hours)
                send = deliver and score >= hit.min_score
                conversation_id = self.store.record_conversation(
                    known.id,
                    hit.topic_id,
                    channel=hit.channel,
                    score=score,
                    why=hit.why,
                    deliver=send,
                )
                outcome.relevant += 1
                if conversation_id is not None and send:
                    queued.append(conversation_id)
        return queued


def _site(post: Post) -> str:
    return site_of(post.link) if post.link else ""
