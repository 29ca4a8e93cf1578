"""Parse feed bytes on every core: a process pool for the large poll cycles.

Parsing and normalizing are pure Python for the most part, so threads share
one core (the GIL). A cycle with many feeds to read hands their bytes to a
small pool of worker processes instead; the poller's calling thread, which
stores and matches, then has its core to itself. Small cycles (the usual
tick: a few sources due) parse on the fetching thread, which costs no process
start-up.

Workers are forked from a fork server ("forkserver"), a single-threaded process
that imported this module once: forking Hark's own process, which runs Bolt's and
the scheduler's threads, could copy a lock some thread holds. The server starts
with the first large cycle (about what one spawned worker cost: this module's
imports) and lives as long as Hark; every worker after it, of that cycle and of
every later one, is a fork that imports nothing. The pool itself lives for one
cycle (``ParsePool`` is a context manager), so no worker outlives the poll that
needed it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from bot.match.engine import Document
from bot.match.ranking import aged_score
from bot.match.relevance import MatchSpec, Scanner
from bot.models import Post
from bot.parse.normalize import content_hash, site_of
from bot.parse.preflight import FeedError
from bot.store.ingest import IdentityReader, StoreError

if TYPE_CHECKING:
    from bot.parse.feeds import ParsedFeed

# The parse path (fastfeedparser, lxml, dateutil: about 40 ms of imports) is imported by
# the first feed that has something to read, and by the fork server before it forks any
# worker (``_context``): a cycle of 304s imports none of it.
_PARSE_PATH = "bot.parse.feeds"

log = logging.getLogger(__name__)

# (source id, GUIDs, links) -> the GUIDs that source delivered and the links Hark
# stored, among those given (``IngestStore.known_identities``).
KnownLookup = Callable[[int, list[str], list[str]], tuple[set[str], set[str]]]


@dataclass(frozen=True)
class TopicHit:
    """A topic a post matched, found where the post was parsed; ranked but not yet aged."""

    topic_id: int
    topic: str
    channel: str
    min_score: float
    base_score: float  # the rank before its age penalty (unrounded)
    why: str  # the card's one-line reason ("matched *k8s* in the title · asks a question")

    def score(self, age_hours: float | None) -> float:
        """The rank as ``rank_post`` gives it for a post ``age_hours`` old."""
        return aged_score(self.base_score, age_hours)


@dataclass(frozen=True)
class PostMatch:
    """What one scan of a post found: its topics (mutes applied) and the companies it names.

    The writer stores these as they are and matches nothing itself.
    """

    hits: tuple[TopicHit, ...]
    mentions: frozenset[str]


NO_MATCH = PostMatch((), frozenset())


@dataclass(frozen=True)
class ReadFeed:
    """A parsed feed plus each post's dedupe keys, computed where the parsing ran."""

    feed: ParsedFeed
    sites: list[str]  # per post: site_of(link), "" without a link
    # per post: content_hash(title, text), or None for a known post whose text was
    # not extracted (feed.skipped)
    hashes: list[str | None]
    # per post: its topics and mentions, or None for a known post (feed.skipped) or
    # when no matching was asked for
    matches: list[PostMatch | None] | None = None


def match_posts(
    scanner: Scanner,
    posts: Sequence[Post],
    sites: Sequence[str],
    origin: str,
    skipped: Collection[int] = (),
) -> list[PostMatch | None]:
    """Each post's topics and mentions, from one scan of it; None for ``skipped`` indexes."""
    found: list[PostMatch | None] = []
    for index, (post, site) in enumerate(zip(posts, sites)):
        if index in skipped:
            found.append(None)
            continue
        doc = Document(post.title, post.text, post.author, site, origin, post.lang)
        hits, mentions = scanner.scan(doc, post.metrics)
        if not hits and not mentions:
            found.append(NO_MATCH)
            continue
        found.append(
            PostMatch(
                tuple(
                    TopicHit(
                        h.topic.id,
                        h.topic.name,
                        h.topic.channel,
                        h.topic.min_score,
                        h.unaged,
                        " · ".join(h.reasons),
                    )
                    for h in hits
                ),
                frozenset(mentions),
            )
        )
    return found


def read_feed(
    body: bytes,
    url: str,
    source_id: int | None = None,
    lookup: KnownLookup | None = None,
    *,
    scanner: Scanner | None = None,
    origin: str = "feed",
) -> ReadFeed:
    """Parse ``body`` and compute what storing needs; raise FeedError if it is not one.

    With ``lookup``, entries Hark already has (this source's GUID, or any stored
    link) skip HTML-to-text, the costly part: a feed mostly repeats what it said.
    With ``scanner``, every other post is matched and tagged here (``matches``).
    """
    known = None
    if lookup is not None and source_id is not None:

        def known(identities: list[tuple[str | None, str | None]]) -> set[int]:
            guids = [guid for guid, _ in identities if guid]
            links = [link for _, link in identities if link]
            known_guids, known_links = lookup(source_id, guids, links)
            return {
                index
                for index, (guid, link) in enumerate(identities)
                if (guid and guid in known_guids) or (link and link in known_links)
            }

    from bot.parse.feeds import parse_feed

    feed = parse_feed(body, url, known=known)
    sites = [
        site_of(p.link) if p.link and index not in feed.skipped else ""
        for index, p in enumerate(feed.posts)
    ]
    return ReadFeed(
        feed,
        sites,
        [
            None if index in feed.skipped else content_hash(p.title, p.text)
            for index, p in enumerate(feed.posts)
        ],
        None if scanner is None else match_posts(scanner, feed.posts, sites, origin, feed.skipped),
    )


# In a worker process: its read-only connection to the store, opened at start-up,
# and the cycle's topics, names and mutes, compiled once.
_reader: IdentityReader | None = None
_scanner: Scanner | None = None


def _start_worker(db_path: str | None, spec: MatchSpec | None = None) -> None:
    global _reader, _scanner
    if spec is not None:
        _scanner = Scanner(spec)
    if db_path:
        try:
            _reader = IdentityReader(db_path)
        except StoreError as exc:
            log.warning("parse worker cannot read the store (%s); no known-entry lookups", exc)
            _reader = None  # no lookups: every entry's text is extracted, as without a store


def _read_in_worker(body: bytes, url: str, source_id: int | None, origin: str) -> ReadFeed:
    try:
        return read_feed(body, url, source_id, _reader, scanner=_scanner, origin=origin)
    except StoreError as exc:  # the lookup is an optimization: read the feed in full
        log.warning("known-entry lookup failed (%s); reading the feed in full", exc)
        return read_feed(body, url, scanner=_scanner, origin=origin)


@contextlib.contextmanager
def _without_main() -> Iterator[None]:
    """Workers started meanwhile do not import the ``__main__`` module (``hark``: bot.cli,
    and through it the whole app, about 0.4 s of CPU each): everything they run lives
    in this module, which is all they import."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _context() -> multiprocessing.context.BaseContext:
    """Fork from a server that preloads this module and the parse path; spawn where there is
    no fork server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # What the server imports before it forks anything (instead of ``__main__``, the
    # whole app under ``hark``); no effect once it runs.
    context.set_forkserver_preload([__name__, _PARSE_PATH])
    return context


def default_processes() -> int:
    """Worker processes for a large cycle: one per core, up to four; none on one core."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, 4)


class ParsePool:
    """``read(body, url, source_id)`` from any thread: in worker processes when enabled.

    ``processes`` < 1 parses on the calling thread with ``lookup`` (the store's
    own connection for that thread); worker processes open ``db_path`` read-only
    for the same lookups. The processes start on the first ``read``, so a cycle of
    304s starts none. With ``scanner``, each new post is matched and tagged where it
    was parsed (``ReadFeed.matches``): on the calling thread with ``scanner`` itself,
    in a worker with its own Scanner compiled once from ``scanner.spec``.
    """

    def __init__(
        self,
        processes: int,
        *,
        db_path: str | None = None,
        lookup: KnownLookup | None = None,
        scanner: Scanner | Callable[[], Scanner] | None = None,
    ) -> None:
        self.processes = processes
        self.db_path = db_path
        self.lookup = lookup
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        # A Scanner, or what makes one (``Relevance.scanner``): called when the first
        # feed with something in it arrives, so a cycle of 304s compiles nothing.
        self._scanner = scanner

    @property
    def scanner(self) -> Scanner | None:
        """The cycle's Scanner (compiled on first use), or None when not matching here."""
        with self._lock:
            if self._scanner is not None and not isinstance(self._scanner, Scanner):
                self._scanner = self._scanner()
            return self._scanner

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def read(
        self, body: bytes, url: str, source_id: int | None = None, *, origin: str = "feed"
    ) -> ReadFeed:
        """Parse one feed; raise FeedError for bytes that are not a feed.

        ``origin`` is the source's kind (``origin_of``), what ``source:`` queries see.
        """
        if self.processes < 1:
            return read_feed(body, url, source_id, self.lookup, scanner=self.scanner, origin=origin)
        pool = self._started()
        try:
            return pool.submit(_read_in_worker, body, url, source_id, origin).result()
        except BrokenProcessPool:
            # A worker died (killed, or a parser crashed on some document). The
            # feeds it held fail this cycle and are retried on their backoff; a
            # fresh pool serves the rest, and a hostile document never runs inline.
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise FeedError(
                "the parser process stopped while reading this feed; Hark will retry it."
            ) from None

    def _started(self) -> ProcessPoolExecutor:
        scanner = self.scanner
        with self._lock:
            if self._pool is None:
                pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=_context(),
                    initializer=_start_worker,
                    initargs=(self.db_path, scanner.spec if scanner else None),
                )
                with _without_main():  # the fork server, if it starts now, too
                    # Each submit that finds no idle worker starts one; a worker takes far
                    # longer to start than these submits, so this starts them all.
                    for started in [pool.submit(int) for _ in range(self.processes)]:
                        started.result()
                self._pool = pool
            return self._pool

    def close(self) -> None:
        """Stop the worker processes, if any started."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
