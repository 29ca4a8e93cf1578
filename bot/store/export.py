"""``hark export``: conversations, engagements and people as rows, streamed."""

from __future__ import annotations

import sqlite3

from bot.store.base import StoreBase
from bot.store.dialect import Dialect


class ExportStore(StoreBase):
    def export(self, what: str, since: float, until: float | None = None) -> sqlite3.Cursor:
        """Rows for ``hark export`` from ``since`` (before ``until`` when given), streamed;
        the cursor's ``description`` names the columns."""
        sql = _EXPORTS.get(what)
        if sql is None:
            raise ValueError(f"unknown export {what!r}; choose {', '.join(_EXPORTS)}")
        cur = self.conn.cursor()
        cur.row_factory = None
        # No end: before infinity (both engines compare a float with it; PostgreSQL
        # cannot type a parameter that is only tested for NULL).
        until = float("inf") if until is None else until
        return cur.execute(sql(self.dialect), {"since": since, "until": until})


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
