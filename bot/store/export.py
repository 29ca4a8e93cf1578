"""``hark export``: conversations, engagements and people as rows, streamed."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from typing import Any

from bot.store.base import StoreBase
from bot.store.dialect import Dialect
from bot.store.engine import PgConnection, to_psycopg

# Rows a PostgreSQL export fetches at a time.
FETCH = 2000
_names = itertools.count(1)


class ExportStore(StoreBase):
    def export(
        self, what: str, since: float, until: float | None = None
    ) -> sqlite3.Cursor | StreamedRows:
        """Rows for ``hark export`` from ``since`` (before ``until`` when given), as
        tuples, streamed; ``description`` names the columns."""
        sql = _EXPORTS.get(what)
        if sql is None:
            raise ValueError(f"unknown export {what!r}; choose {', '.join(_EXPORTS)}")
        # No end: before infinity (both engines compare a float with it; PostgreSQL
        # cannot type a parameter that is only tested for NULL).
        until = float("inf") if until is None else until
        params = {"since": since, "until": until}
        conn = self.conn
        if isinstance(conn, PgConnection):
            return StreamedRows(conn, sql(self.dialect), params)
        cur = conn.cursor()
        cur.row_factory = None
        return cur.execute(sql(self.dialect), params)


class StreamedRows:
    """PostgreSQL's rows through a server-side cursor, ``FETCH`` at a time (psycopg's
    ordinary cursor would hold a year of rows in memory at once). WITH HOLD, as the
    connection autocommits: the cursor outlives the statement's transaction and is
    closed when the rows are read."""

    def __init__(self, conn: PgConnection, sql: str, params: dict[str, Any]) -> None:
        self._cursor = conn.raw.cursor(name=f"hark_export_{next(_names)}", withhold=True)
        self._cursor.itersize = FETCH
        self._cursor.execute(to_psycopg(sql), params)
        self.description = self._cursor.description

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        try:
            yield from self._cursor
        finally:
            self._cursor.close()


def _people(dialect: Dialect) -> str:
    # Each person's topics and accounts in one order on both engines (the order an
    # aggregate reads its rows in): topics case-insensitively, as SQLite's NOCASE key
    # reads them; accounts by network (one account per network).
    topics = dialect.string_agg("topic", "', '")
    accounts = dialect.string_agg("account", "' '")
    return f"""
        SELECT p.user_id, p.name, p.title, p.department, p.tags, p.languages, p.pingable,
               p.away_until,
               (SELECT {topics} FROM (SELECT topic FROM person_topics pt
                 WHERE pt.user_id = p.user_id ORDER BY lower(topic), topic) AS t) AS topics,
               (SELECT {accounts} FROM (SELECT network || ':' || handle AS account
                 FROM accounts a WHERE a.user_id = p.user_id ORDER BY network) AS a)
                 AS accounts,
               p.updated_at
        FROM people p
        WHERE p.updated_at >= :since AND p.updated_at < :until
        ORDER BY p.user_id"""


_EXPORTS = {
    "conversations": lambda dialect: (
        """
        SELECT c.id, t.name AS topic, p.title, p.link, p.author, p.site, c.score,
               c.created_at, c.sent_at, c.state, c.owner, c.claimed_at, c.replied_at,
               c.reply_url, c.reply_verified, c.ignored_at, c.ignore_reason
        FROM conversations c JOIN topics t ON t.id = c.topic_id JOIN posts p ON p.id = c.post_id
        WHERE c.created_at >= :since AND c.created_at < :until AND c.deliver = 1
        ORDER BY c.id"""
    ),
    "engagements": lambda dialect: (
        """
        SELECT e.id, e.conversation_id, t.name AS topic, e.user_id, e.action, e.detail, e.at
        FROM engagements e JOIN conversations c ON c.id = e.conversation_id
        JOIN topics t ON t.id = c.topic_id
        WHERE e.at >= :since AND e.at < :until
        ORDER BY e.id"""
    ),
    "people": _people,
}
