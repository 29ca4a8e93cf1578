"""Stored posts: reading one, the sources that delivered it, its company/competitor
mentions, and purging old ones. Storing them is ingest.py's."""

from __future__ import annotations

from collections.abc import Iterable

from bot.store.base import StoreBase


class PostsStore(StoreBase):
    def post_source_labels(self, post_id: int) -> list[str]:
        """Labels of every source that delivered the post, oldest first."""
        rows = self.all(
            """SELECT CASE WHEN s.label != '' THEN s.label
                          WHEN s.feed_title != '' THEN s.feed_title ELSE s.target END AS label
               FROM post_sources ps JOIN sources s ON s.id = ps.source_id
               WHERE ps.post_id = ? ORDER BY ps.seen_at, s.id""",
            (post_id,),
        )
        return list(dict.fromkeys(r["label"] for r in rows))

    def record_mentions(self, post_id: int, entities: Iterable[str]) -> None:
        self.conn.executemany(
            "INSERT INTO post_mentions (post_id, entity) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(post_id, e) for e in entities],
        )

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
