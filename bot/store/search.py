"""Reading stored posts for /hark search (FTS5) and /hark test (recent posts)."""

from __future__ import annotations

import sqlite3

from bot.store.base import StoreBase

_POST_COLUMNS = (
    "p.id, p.title, p.text, p.author, p.site, p.source_kind, p.lang, p.link, p.first_seen_at"
)


class SearchStore(StoreBase):
    def recent_posts(self, since: float, limit: int = 20_000) -> list[sqlite3.Row]:
        """Posts first seen at or after ``since``, newest first, at most ``limit``."""
        return self.all(
            f"SELECT {_POST_COLUMNS} FROM posts p WHERE p.first_seen_at >= ? "
            "ORDER BY p.first_seen_at DESC LIMIT ?",
            (since, limit),
        )

    def search_posts(self, fts_query: str, limit: int = 10) -> tuple[int, list[sqlite3.Row]]:
        """How many posts match an FTS5 query (built by Hark, never raw user text), and the best.

        Best is FTS5's bm25 rank, ties broken by the newest.
        """
        total = self.one(
            "SELECT count(*) AS n FROM posts_fts WHERE posts_fts MATCH ?", (fts_query,)
        )
        rows = self.all(
            f"""SELECT {_POST_COLUMNS} FROM posts_fts f JOIN posts p ON p.id = f.rowid
                WHERE posts_fts MATCH ? ORDER BY f.rank, p.first_seen_at DESC LIMIT ?""",
            (fts_query, limit),
        )
        return (int(total["n"]) if total else 0), rows
