"""``hark export``: conversations, engagements and people as rows, streamed."""

from __future__ import annotations

import sqlite3

from bot.store.base import StoreBase


class ExportStore(StoreBase):
    def export(self, what: str, since: float, until: float | None = None) -> sqlite3.Cursor:
        """Rows for ``hark export`` from ``since`` (before ``until`` when given), streamed;
        the cursor's ``description`` names the columns."""
        sql = _EXPORTS.get(what)
        if sql is None:
            raise ValueError(f"unknown export {what!r}; choose {', '.join(_EXPORTS)}")
        cur = self.conn.cursor()
        cur.row_factory = None
        return cur.execute(sql, {"since": since, "until": until})


_EXPORTS = {
    "conversations": """
        SELECT c.id, t.name AS topic, p.title, p.link, p.author, p.site, c.score,
               c.created_at, c.sent_at, c.state, c.owner, c.claimed_at, c.replied_at,
               c.reply_url, c.reply_verified, c.ignored_at, c.ignore_reason
        FROM conversations c JOIN topics t ON t.id = c.topic_id JOIN posts p ON p.id = c.post_id
        WHERE c.created_at >= :since AND (:until IS NULL OR c.created_at < :until)
          AND c.deliver = 1
        ORDER BY c.id""",
    "engagements": """
        SELECT e.id, e.conversation_id, t.name AS topic, e.user_id, e.action, e.detail, e.at
        FROM engagements e JOIN conversations c ON c.id = e.conversation_id
        JOIN topics t ON t.id = c.topic_id
        WHERE e.at >= :since AND (:until IS NULL OR e.at < :until)
        ORDER BY e.id""",
    "people": """
        SELECT p.user_id, p.name, p.title, p.department, p.tags, p.languages, p.pingable,
               p.away_until,
               (SELECT group_concat(topic, ', ') FROM person_topics pt
                 WHERE pt.user_id = p.user_id) AS topics,
               (SELECT group_concat(network || ':' || handle, ' ') FROM accounts a
                 WHERE a.user_id = p.user_id) AS accounts,
               p.updated_at
        FROM people p
        WHERE p.updated_at >= :since AND (:until IS NULL OR p.updated_at < :until)
        ORDER BY p.user_id""",
}
