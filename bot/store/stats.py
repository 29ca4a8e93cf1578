"""Read-only aggregates for /digest."""

from __future__ import annotations

import sqlite3

from bot.store.base import StoreBase


class StatsStore(StoreBase):
    def funnel(self, since: float, until: float, topic: str | None = None) -> sqlite3.Row:
        """Counts for the conversations created in [since, until), optionally for one topic."""
        topic_clause = "AND t.name = :topic" if topic else ""
        return self.one(
            f"""
            SELECT
              (SELECT count(*) FROM posts WHERE first_seen_at >= :since AND first_seen_at < :until)
                AS heard,
              count(c.id) AS relevant,
              coalesce(sum(c.ts IS NOT NULL), 0) AS posted,
              coalesce(sum(c.claimed_at IS NOT NULL), 0) AS claimed,
              coalesce(sum(c.state = 'replied'), 0) AS replied,
              coalesce(sum(c.state = 'ignored'), 0) AS ignored,
              coalesce(sum(c.state = 'new' AND c.ts IS NOT NULL), 0) AS open
            FROM conversations c JOIN topics t ON t.id = c.topic_id
            WHERE c.deliver = 1 AND c.created_at >= :since AND c.created_at < :until {topic_clause}
            """,
            {"since": since, "until": until, "topic": topic},
        )

    def engagement_by_person(
        self, since: float, until: float, topic: str | None = None
    ) -> list[sqlite3.Row]:
        """Who claimed and replied to what in the period, most active first."""
        topic_clause = "AND t.name = :topic" if topic else ""
        return self.all(
            f"""
            SELECT c.owner AS user_id, count(*) AS claims,
                   sum(c.state = 'replied') AS replies,
                   group_concat(DISTINCT t.name) AS topics
            FROM conversations c JOIN topics t ON t.id = c.topic_id
            WHERE c.owner IS NOT NULL AND c.claimed_at >= :since AND c.claimed_at < :until
              {topic_clause}
            GROUP BY c.owner ORDER BY replies DESC, claims DESC, c.owner LIMIT 10
            """,
            {"since": since, "until": until, "topic": topic},
        )

    def claim_delays(self, since: float, until: float, topic: str | None = None) -> list[float]:
        """Seconds from posting to claim, for claims in the period."""
        topic_clause = "AND t.name = :topic" if topic else ""
        rows = self.all(
            f"""
            SELECT c.claimed_at - c.sent_at AS delay
            FROM conversations c JOIN topics t ON t.id = c.topic_id
            WHERE c.claimed_at >= :since AND c.claimed_at < :until AND c.sent_at IS NOT NULL
              {topic_clause}
            ORDER BY delay
            """,
            {"since": since, "until": until, "topic": topic},
        )
        return [max(0.0, r["delay"]) for r in rows]

    def export(self, what: str, since: float) -> list[sqlite3.Row]:
        """Rows for ``hark export``."""
        if what == "conversations":
            return self.all(
                """SELECT c.id, t.name AS topic, p.title, p.link, p.author, p.site,
                          c.score, c.created_at, c.sent_at, c.state, c.owner, c.claimed_at,
                          c.replied_at, c.reply_url, c.reply_verified, c.ignore_reason
                   FROM conversations c JOIN topics t ON t.id = c.topic_id
                   JOIN posts p ON p.id = c.post_id
                   WHERE c.created_at >= ? AND c.deliver = 1 ORDER BY c.id""",
                (since,),
            )
        if what == "engagements":
            return self.all(
                """SELECT e.id, e.conversation_id, t.name AS topic, e.user_id, e.action,
                          e.detail, e.at AS at
                   FROM engagements e JOIN conversations c ON c.id = e.conversation_id
                   JOIN topics t ON t.id = c.topic_id
                   WHERE e.at >= ? ORDER BY e.id""",
                (since,),
            )
        if what == "people":
            return self.all(
                """SELECT p.user_id, p.name, p.title, p.department, p.tags, p.languages,
                          p.pingable, p.away_until,
                          (SELECT group_concat(topic, ', ') FROM person_topics pt
                            WHERE pt.user_id = p.user_id) AS topics,
                          (SELECT group_concat(network || ':' || handle, ' ') FROM accounts a
                            WHERE a.user_id = p.user_id) AS accounts,
                          p.updated_at
                   FROM people p WHERE p.updated_at >= ? ORDER BY p.user_id""",
                (since,),
            )
        raise ValueError(f"unknown export {what!r}")
