"""Storing posts: the one path by which a post enters the store, a poll's worth at a time.

Identity is (source, GUID), then canonical link, then content hash: the same link on
HN and Reddit is one post, delivered by two sources. A cold cycle over thousands of
feeds stores tens of thousands of posts, so a whole feed is stored at once: one query
per identity key for the whole feed, inserts only for what is new, and one
``executemany`` for the sightings of posts Hark already knew. The rules apply in feed
order (a post earlier in the feed is known to the ones after it), so storing a feed
at once and storing it one post at a time agree (tests/poll/test_poller.py).
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from bot.models import Post
from bot.store.base import StoreBase
from bot.store.engine import connect_postgres, database_errors, is_postgres

# Keys per IN (...) list (a query may hold three lists); SQLite's limit is far
# higher, but long statements gain nothing.
_CHUNK = 500
# The key of the transaction lock storing posts takes on PostgreSQL: the bytes of
# "harkpost" as a bigint (the migrations' and the leader's locks have their own).
INGEST_LOCK = int.from_bytes(b"harkpost", "big")


@dataclass(frozen=True)
class StoredPost:
    id: int
    is_new: bool  # first time Hark heard of this post from any source


@dataclass(frozen=True)
class IncomingPost:
    """A post as a poll heard it, with the keys computed where it was parsed."""

    post: Post
    site: str
    # None: the text was not extracted because the post looked known (by GUID or
    # link); such a post is only ever matched, never inserted.
    content_hash: str | None


class IngestStore(StoreBase):
    def store_source_posts(
        self, source_id: int, items: Sequence[IncomingPost], *, source_kind: str
    ) -> list[StoredPost | None]:
        """Record each post once; one StoredPost per item, in order.

        Identity is (source, GUID), then canonical link, then content hash. A known
        post heard again gains this source as a sighting. An item without a content
        hash that turns out unknown after all (deleted since it was looked up) is left
        out (None): its source offers it again at the next poll, text and all.
        """
        now = self.now()
        with self.transaction() as conn:
            # Looked up, then inserted: on PostgreSQL two writers storing the same link at
            # once would both insert, so storing waits for the other writer (SQLite's
            # BEGIN IMMEDIATE already lets one writer in at a time).
            serialize = self.dialect.xact_lock()
            if serialize:
                conn.execute(serialize, (INGEST_LOCK,))
            by_guid, by_link, by_hash = _identities(conn, source_id, items)
            # Posts this source has already been seen delivering: a second sighting of
            # one of them is ignored, and so is the GUID it carried.
            sighted = set(
                _lookup(
                    conn,
                    "SELECT post_id AS key, post_id AS id FROM post_sources "
                    "WHERE source_id = ? AND post_id IN ({marks})",
                    (source_id,),
                    {*by_guid.values(), *by_link.values(), *by_hash.values()},
                )
            )
            stored: list[StoredPost | None] = []
            firsts: list[tuple[int, int, str | None, float]] = []  # new posts' sightings
            # Ids for the posts that may be new, reserved in one statement, and the new
            # posts written in one batch: not one INSERT … RETURNING each (a round trip
            # per post on PostgreSQL, a statement per post on SQLite).
            fresh = _reserved_ids(
                conn, self.dialect.reserve_ids("posts"), items, by_guid, by_link, by_hash
            )
            new_posts: list[tuple[object, ...]] = []
            again: list[tuple[int, int, str | None, float]] = []  # known posts' sightings
            for item in items:
                post = item.post
                post_id = by_guid.get(post.guid) if post.guid else None
                if post_id is None and post.link:
                    post_id = by_link.get(post.link)
                if post_id is None and item.content_hash:
                    post_id = by_hash.get(item.content_hash)
                if post_id is None and item.content_hash is None:
                    stored.append(None)
                    continue
                if post_id is not None:
                    # A GUID that changed with the same link is the same post: the
                    # sighting remembers the new GUID too (DO NOTHING keeps the first).
                    again.append((post_id, source_id, post.guid, now))
                    if post_id not in sighted and not (post.guid and post.guid in by_guid):
                        sighted.add(post_id)
                        if post.guid:
                            by_guid[post.guid] = post_id
                    stored.append(StoredPost(post_id, False))
                    continue
                post_id = next(fresh)
                new_posts.append((post_id, *_post_values(item, source_kind, now)))
                firsts.append((post_id, source_id, post.guid, now))
                sighted.add(post_id)
                if post.guid:
                    by_guid[post.guid] = post_id
                if post.link:
                    by_link[post.link] = post_id
                by_hash.setdefault(item.content_hash, post_id)
                stored.append(StoredPost(post_id, True))
            if new_posts:
                conn.executemany(
                    f"INSERT INTO posts (id, {_POST_COLUMNS}) VALUES (?, {_POST_MARKS})", new_posts
                )
            # A new post's sighting can clash with nothing (its GUID was not found and
            # the post did not exist), so writing them before the others keeps the
            # outcome of writing each in feed order.
            conn.executemany(
                "INSERT INTO post_sources (post_id, source_id, guid, seen_at) VALUES (?, ?, ?, ?)",
                firsts,
            )
            conn.executemany(
                "INSERT INTO post_sources (post_id, source_id, guid, seen_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                again,
            )
            # Full-text indexing waits for a batch (SearchStore.index_pending_posts):
            # queued in this transaction, so no stored post is ever left out of it.
            # PostgreSQL indexes as it stores (a generated tsvector column): no queue.
            if self.dialect.name == "sqlite":
                conn.executemany(
                    "INSERT INTO posts_fts_pending (post_id) VALUES (?)",
                    [(first[0],) for first in firsts],
                )
        return stored

    def known_identities(
        self, source_id: int, guids: Sequence[str], links: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        """Of these, the GUIDs this source has delivered and the links Hark has stored."""
        return known_identities(self.conn, source_id, guids, links)


def known_identities(
    conn: sqlite3.Connection, source_id: int, guids: Sequence[str], links: Sequence[str]
) -> tuple[set[str], set[str]]:
    """``IngestStore.known_identities`` on any connection (a parse worker's read-only one)."""
    known_guids = _lookup(
        conn,
        "SELECT guid AS key, post_id AS id FROM post_sources "
        "WHERE source_id = ? AND guid IN ({marks})",
        (source_id,),
        set(guids),
    )
    known_links = _lookup(
        conn, "SELECT link AS key, id FROM posts WHERE link IN ({marks})", (), set(links)
    )
    return {str(g) for g in known_guids}, {str(link) for link in known_links}


class StoreError(Exception):
    """Reading the store failed (a locked or missing SQLite file, a PostgreSQL server that
    refuses): what ``IdentityReader`` raises, so callers outside the store import neither
    sqlite3 nor psycopg."""


class IdentityReader:
    """A parse worker process's read-only view of the store: which of a feed's GUIDs and
    links are known already (``known_identities``). ``path`` is HARK_DB: a SQLite file or
    a postgresql:// URL. Opening and reading raise ``StoreError``."""

    def __init__(self, path: str) -> None:
        try:
            self._conn = open_reader(path)
        except database_errors() as exc:
            raise StoreError(str(exc)) from exc

    def __call__(
        self, source_id: int, guids: Sequence[str], links: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        try:
            return known_identities(self._conn, source_id, guids, links)
        except database_errors() as exc:
            raise StoreError(str(exc)) from exc


def open_reader(path: str) -> sqlite3.Connection:
    """A read-only connection to the store, for a parse worker process: the SQLite file
    opened read-only, or a PostgreSQL connection of its own (not pooled)."""
    if is_postgres(path):
        conn: Any = connect_postgres(path)
        return cast("sqlite3.Connection", conn)  # sqlite3's surface (bot/store/engine.py)
    conn = sqlite3.connect(
        f"file:{urllib.parse.quote(path)}?mode=ro", uri=True, timeout=30, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    return conn


def _identities(
    conn: sqlite3.Connection, source_id: int, items: Sequence[IncomingPost]
) -> tuple[dict[object, int], dict[object, int], dict[object, int]]:
    """Posts already known by this source's GUID, by link and by content hash: one query
    per ``_CHUNK`` items rather than one per key."""
    by_guid: dict[object, int] = {}
    by_link: dict[object, int] = {}
    by_hash: dict[object, int] = {}
    found = {"g": by_guid, "l": by_link, "h": by_hash}
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        guids = list({i.post.guid for i in chunk if i.post.guid})
        links = list({i.post.link for i in chunk if i.post.link})
        hashes = list({i.content_hash for i in chunk if i.content_hash})
        # A kind with no keys in this chunk is left out: PostgreSQL refuses ``IN ()``.
        parts: list[str] = []
        params: list[object] = []
        if guids:
            parts.append(
                "SELECT 'g' AS kind, guid AS key, post_id AS id FROM post_sources"
                f" WHERE source_id = ? AND guid IN ({','.join('?' * len(guids))})"
            )
            params += [source_id, *guids]
        if links:
            parts.append(
                "SELECT 'l' AS kind, link AS key, id FROM posts"
                f" WHERE link IN ({','.join('?' * len(links))})"
            )
            params += links
        if hashes:
            parts.append(
                "SELECT 'h' AS kind, content_hash AS key, min(id) AS id FROM posts"
                f" WHERE content_hash IN ({','.join('?' * len(hashes))}) GROUP BY content_hash"
            )
            params += hashes
        if not parts:
            continue
        for row in conn.execute(" UNION ALL ".join(parts), params):
            found[row["kind"]][row["key"]] = int(row["id"])
    return by_guid, by_link, by_hash


def _lookup(
    conn: sqlite3.Connection, sql: str, first: tuple[object, ...], keys: Iterable[object]
) -> dict[object, int]:
    """``key -> id`` for every key found, querying ``_CHUNK`` keys at a time."""
    wanted = list(keys)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = sql.format(marks=",".join("?" * len(chunk)))
        for row in conn.execute(query, (*first, *chunk)):
            found[row["key"]] = int(row["id"])
    return found


_POST_COLUMNS = (
    "link, content_hash, title, text, author, site, source_kind,"
    " lang, published_at, first_seen_at, metrics, thread_id"
)
_POST_MARKS = ", ".join("?" * 12)


def _post_values(item: IncomingPost, source_kind: str, now: float) -> tuple[object, ...]:
    post = item.post
    return (
        post.link,
        item.content_hash,
        post.title,
        post.text,
        post.author,
        item.site,
        source_kind,
        post.lang,
        post.published.timestamp() if post.published else None,
        now,
        json.dumps(post.metrics) if post.metrics else "{}",  # most posts have none
        post.thread_id,
    )


def _reserved_ids(
    conn: sqlite3.Connection,
    reserve: str,
    items: Sequence[IncomingPost],
    by_guid: dict[object, int],
    by_link: dict[object, int],
    by_hash: dict[object, int],
) -> Iterator[int]:
    """Fresh post ids, as many as the items none of whose keys is known (at most that
    many are new; ids left unused are simply never taken)."""
    unknown = sum(
        1
        for item in items
        if item.content_hash is not None
        and not (item.post.guid and item.post.guid in by_guid)
        and not (item.post.link and item.post.link in by_link)
        and item.content_hash not in by_hash
    )
    if not unknown:
        return iter(())
    return iter([int(row[0]) for row in conn.execute(reserve, (unknown,)).fetchall()])
