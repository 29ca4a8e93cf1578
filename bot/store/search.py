"""Reading stored posts for /hark search and /hark test (recent posts), and indexing new
posts for the search in batches.

The search takes a person's words and finds the posts containing all of them; each
engine builds its own query from the words, so no user syntax reaches either.
SQLite: FTS5. A post is indexed after it is stored, with the others stored since: ingest
queues it in ``posts_fts_pending`` and ``index_pending_posts`` indexes the queue in one
statement (per-row indexing cost the poller's writer most of a cold cycle, issue 14). The
poller empties the queue at the end of every cycle, and a search first indexes what
waits, so a search finds every post stored before it.
PostgreSQL: the generated ``posts.search`` tsvector (bot/store/schema_pg.py) and its GIN
index, up to date with the row; ``index_pending_posts`` has nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import HeardPost
from bot.store import rows as typed
from bot.store.base import StoreBase

# Posts indexed per transaction: one batch of a cold cycle holds the write lock
# for a fraction of a second.
INDEX_BATCH = 2000
# Words a search uses at most (the rest are ignored).
MAX_WORDS = 20

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

    def search_posts(
        self, words: Sequence[str] | str, limit: int = 10
    ) -> tuple[int, list[HeardPost]]:
        """How many stored posts contain every one of ``words`` (a person's words, split on
        spaces when one string; the first MAX_WORDS count), and the best ``limit`` of them.

        Words are only ever words: quotes, ``OR``, ``*`` or ``col:`` find themselves (or
        nothing), never change the query. Best is FTS5's bm25 rank on SQLite and
        ``ts_rank_cd`` on PostgreSQL, ties broken by the newest.
        """
        found = (words.split() if isinstance(words, str) else [*words])[:MAX_WORDS]
        if not found:
            return 0, []
        if self.dialect.name == "sqlite":
            self.index_pending_posts()
            match = " ".join('"' + w.replace('"', '""') + '"' for w in found)
            total = self.one(
                "SELECT count(*) AS n FROM posts_fts WHERE posts_fts MATCH ?", (match,)
            )
            best = self.all(
                f"""SELECT {_POST_COLUMNS} FROM posts_fts f JOIN posts p ON p.id = f.rowid
                    WHERE posts_fts MATCH ? ORDER BY f.rank, p.first_seen_at DESC LIMIT ?""",
                (match, limit),
            )
        else:
            # plainto_tsquery reads plain text: every word required, no operators. Folded
            # (hark_fold, bot/store/schema_pg.py): "cafe" and "café" both find "café", as
            # FTS5's remove_diacritics does on SQLite.
            text = " ".join(found)
            total = self.one(
                "SELECT count(*) AS n FROM posts p WHERE p.search @@ plainto_tsquery('simple', hark_fold(?))",
                (text,),
            )
            best = self.all(
                f"""SELECT {_POST_COLUMNS} FROM posts p
                    CROSS JOIN plainto_tsquery('simple', hark_fold(?)) AS q
                    WHERE p.search @@ q
                    ORDER BY ts_rank_cd(p.search, q) DESC, p.first_seen_at DESC LIMIT ?""",
                (text, limit),
            )
        return (int(total["n"]) if total else 0), typed.many(HeardPost, best)

    def index_pending_posts(self, batch: int = INDEX_BATCH) -> int:
        """Index every queued post for the search, ``batch`` per transaction; return how many.

        Each batch is one statement and leaves the queue in the same transaction, so a
        crash leaves a post either indexed or still queued, never both or neither.
        PostgreSQL indexes each post as it is stored: nothing waits, 0.
        """
        if self.dialect.name != "sqlite":
            return 0
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
