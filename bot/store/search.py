"""Reading stored posts for /hark search (FTS5) and /hark test (recent posts)."""

from __future__ import annotations

from bot.models import HeardPost
from bot.store import rows as typed
from bot.store.base import StoreBase

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
        total = self.one(
            "SELECT count(*) AS n FROM posts_fts WHERE posts_fts MATCH ?", (fts_query,)
        )
        best = self.all(
            f"""SELECT {_POST_COLUMNS} FROM posts_fts f JOIN posts p ON p.id = f.rowid
                WHERE posts_fts MATCH ? ORDER BY f.rank, p.first_seen_at DESC LIMIT ?""",
            (fts_query, limit),
        )
        return (int(total["n"]) if total else 0), typed.many(HeardPost, best)
