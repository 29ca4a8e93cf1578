"""Posts, their identity across sources, and the company/competitor mentions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import Post
from bot.store.base import StoreBase


@dataclass(frozen=True)
class StoredPost:
    id: int
    is_new: bool  # first time Hark heard of this post from any source


class PostsStore(StoreBase):
    def store_post(
        self, source_id: int, post: Post, *, site: str, source_kind: str, content_hash: str
    ) -> StoredPost:
        """Record a post once: identity is (source, GUID), then canonical link, then content hash.

        A known post heard from another source gains that source (the same link on HN
        and Reddit is one conversation).
        """
        now = self.now()
        with self.transaction() as conn:
            row = None
            if post.guid:
                row = conn.execute(
                    "SELECT post_id AS id FROM post_sources WHERE source_id = ? AND guid = ?",
                    (source_id, post.guid),
                ).fetchone()
            if row is None and post.link:
                row = conn.execute("SELECT id FROM posts WHERE link = ?", (post.link,)).fetchone()
            if row is None:
                row = conn.execute(
                    "SELECT id FROM posts WHERE content_hash = ? LIMIT 1", (content_hash,)
                ).fetchone()
            if row is not None:
                post_id = int(row["id"])
                # A GUID that changed with the same link is the same post: remember
                # the new GUID too (OR IGNORE keeps the first one per source).
                conn.execute(
                    """INSERT OR IGNORE INTO post_sources (post_id, source_id, guid, seen_at)
                       VALUES (?, ?, ?, ?)""",
                    (post_id, source_id, post.guid, now),
                )
                return StoredPost(post_id, False)
            cur = conn.execute(
                """INSERT INTO posts (link, content_hash, title, text, author, site, source_kind,
                                      lang, published_at, first_seen_at, metrics, thread_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    post.link,
                    content_hash,
                    post.title,
                    post.text,
                    post.author,
                    site,
                    source_kind,
                    post.lang,
                    post.published.timestamp() if post.published else None,
                    now,
                    json.dumps(post.metrics),
                    post.thread_id,
                ),
            )
            post_id = int(cur.lastrowid)
            conn.execute(
                "INSERT INTO post_sources (post_id, source_id, guid, seen_at) VALUES (?, ?, ?, ?)",
                (post_id, source_id, post.guid, now),
            )
            return StoredPost(post_id, True)

    def post(self, post_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM posts WHERE id = ?", (post_id,))

    def post_source_labels(self, post_id: int) -> list[str]:
        """Labels of every source that delivered the post, oldest first."""
        rows = self.all(
            """SELECT CASE WHEN s.label != '' THEN s.label ELSE s.target END AS label
               FROM post_sources ps JOIN sources s ON s.id = ps.source_id
               WHERE ps.post_id = ? ORDER BY ps.seen_at, s.id""",
            (post_id,),
        )
        return list(dict.fromkeys(r["label"] for r in rows))

    def record_mentions(self, post_id: int, entities: Iterable[str]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO post_mentions (post_id, entity) VALUES (?, ?)",
            [(post_id, e) for e in entities],
        )

    def count_posts(self, since: float, until: float) -> int:
        row = self.one(
            "SELECT count(*) AS n FROM posts WHERE first_seen_at >= ? AND first_seen_at < ?",
            (since, until),
        )
        return int(row["n"])

    def purge_posts(self, before: float, batch: int = 5000) -> int:
        """Delete posts first seen before ``before`` that never became a conversation.

        Conversations (and so the engagement history the digest reads) are kept whatever
        their age. Deletes in batches so a large purge never holds the write lock long.
        """
        total = 0
        while True:
            cur = self.conn.execute(
                """DELETE FROM posts WHERE id IN (
                     SELECT p.id FROM posts p
                     WHERE p.first_seen_at < ?
                       AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.post_id = p.id)
                     LIMIT ?)""",
                (before, batch),
            )
            total += cur.rowcount
            if cur.rowcount < batch:
                return total

    def metric_totals(self) -> dict[str, int]:
        """Totals for /metrics, each one cheap (indexed or a table count)."""
        row = self.one(
            """SELECT (SELECT count(*) FROM posts) AS posts_heard,
                      (SELECT count(*) FROM conversations WHERE sent_at IS NOT NULL)
                        AS conversations_posted,
                      (SELECT count(*) FROM conversations WHERE deliver = 1 AND sent_at IS NULL)
                        AS conversations_waiting,
                      (SELECT count(*) FROM engagements WHERE action = 'claim') AS claims,
                      (SELECT count(*) FROM engagements WHERE action = 'reply') AS replies"""
        )
        return {k: int(row[k]) for k in row.keys()}  # noqa: SIM118 (sqlite3.Row)
