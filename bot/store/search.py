"""Reading stored posts for /hark search (FTS5) and /hark test (recent posts), and
indexing new posts for the search in batches.

A post is indexed after it is stored, with the others stored since: ingest queues it in
``posts_fts_pending`` and ``index_pending_posts`` indexes the queue in one statement
(per-row indexing cost the poller's writer most of a cold cycle, issue 14). The poller
empties the queue at the end of every cycle, and a search first indexes what waits, so
a search finds every post stored before it.
"""

from __future__ import annotations

from bot.models import HeardPost
from bot.store import rows as typed
from bot.store.base import StoreBase

# Posts indexed per transaction: one batch of a cold cycle holds the write lock
# for a fraction of a second.
INDEX_BATCH = 2000

# In HeardPost's field order (recent_posts builds them positionally).
_POST_COLUMNS = (
    "p.id, p.title, p.text, p.author, p.site, p.source_kind, p.lang, p.link, p.first_seen_at, "
    "p.published_at"
)


class SearchStore(StoreBase):
    def recent_posts(self, since: float, limit: int = 20_000) -> list[HeardPost]:
        """Posts first seen at or after ``since``, newest first, at most ``limit``."""
        found = self.conn.execute(
            f"SELECT {_POST_COLUMNS} FROM posts p WHERE p.first_seen_at >= ? "
            "ORDER BY p.first_seen_at DESC LIMIT ?",
            (since, limit),
        )
        # Up to 20,000 posts for /hark test: built from plain tuples, in column order.
        found.row_factory = None
        return [HeardPost(*r) for r in found]

    def search_posts(self, fts_query: str, limit: int = 10) -> tuple[int, list[HeardPost]]:
        """How many posts match an FTS5 query (built by Hark, never raw user text), and the best.

        Best is FTS5's bm25 rank, ties broken by the newest.
        """
        self.index_pending_posts()
        total = self.one(
            "SELECT count(*) AS n FROM posts_fts WHERE posts_fts MATCH ?", (fts_query,)
        )
        best = self.all(
            f"""SELECT {_POST_COLUMNS} FROM posts_fts f JOIN posts p ON p.id = f.rowid
                WHERE posts_fts MATCH ? ORDER BY f.rank, p.first_seen_at DESC LIMIT ?""",
            (fts_query, limit),
        )
        return (int(total["n"]) if total else 0), typed.many(HeardPost, best)

    def index_pending_posts(self, batch: int = INDEX_BATCH) -> int:
        """Index every queued post for the search, ``batch`` per transaction; return how many.

        Each batch is one statement and leaves the queue in the same transaction, so a
        crash leaves a post either indexed or still queued, never both or neither.
        """
        total = 0
        while self.one("SELECT 1 FROM posts_fts_pending LIMIT 1") is not None:
            with self.transaction() as conn:
                last = conn.execute(
                    "SELECT max(post_id) FROM (SELECT post_id FROM posts_fts_pending"
                    " ORDER BY post_id LIMIT ?)",
                    (batch,),
                ).fetchone()[0]
                if last is None:  # another thread emptied it meanwhile
                    break
                conn.execute(
                    """INSERT INTO posts_fts (rowid, title, text, author)
                       SELECT p.id, p.title, p.text, p.author
                       FROM posts_fts_pending q JOIN posts p ON p.id = q.post_id
                       WHERE q.post_id <= ? ORDER BY q.post_id""",
                    (last,),
                )
                total += conn.execute(
                    "DELETE FROM posts_fts_pending WHERE post_id <= ?", (last,)
                ).rowcount
        return total
