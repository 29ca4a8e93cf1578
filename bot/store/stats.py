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
