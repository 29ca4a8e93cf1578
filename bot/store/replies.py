"""Engagement reads and writes beyond the state machine: mutes, drafts, watches, reminders,
suggestions and a person's numbers. The state changes themselves are in conversations.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.store.base import StoreBase

# The columns every "which conversations" query here returns (a subset of Store.conversation).
_ROW = """
    SELECT c.*, p.title, p.text, p.author, p.link, p.site, p.source_kind, p.thread_id,
           t.name AS topic, t.sla_minutes
    FROM conversations c JOIN posts p ON p.id = c.post_id JOIN topics t ON t.id = c.topic_id
"""


class EngagementStore(StoreBase):
    # -- mutes (applied by relevance; recorded here from Ignore) ----------------------------

    def add_mute(self, kind: str, value: str, created_by: str) -> bool:
        """Ask relevance to mute an author or a site; False if it was muted already."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO mutes (kind, value, created_by, created_at) VALUES (?, ?, ?, ?)",
            (kind, value, created_by, self.now()),
        )
        return cur.rowcount == 1

    def mute_requests(self) -> list[sqlite3.Row]:
        return self.all("SELECT kind, value, created_by, created_at FROM mutes ORDER BY id")

    # -- once-only notices ---------------------------------------------------------------

    def forget_notice(self, key: str) -> None:
        """Undo ``add_notice`` when sending failed, so the next tick tries again."""
        self.conn.execute("DELETE FROM notices WHERE key = ?", (key,))

    # -- reply drafts --------------------------------------------------------------------

    def save_draft(self, conversation_id: int, user_id: str, text: str) -> None:
        self.conn.execute(
            """INSERT INTO reply_drafts (conversation_id, user_id, text, updated_at)
               VALUES (?, ?, ?, ?)
               ON CONFLICT (conversation_id, user_id)
               DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at""",
            (conversation_id, user_id, text, self.now()),
        )

    def draft(self, conversation_id: int, user_id: str) -> str:
        row = self.one(
            "SELECT text FROM reply_drafts WHERE conversation_id = ? AND user_id = ?",
            (conversation_id, user_id),
        )
        return row["text"] if row else ""

    # -- who could answer ----------------------------------------------------------------

    def suggestion_candidates(self, topic: str, since: float, limit: int = 10) -> list[sqlite3.Row]:
        """Registered people who declared ``topic`` or replied on it since ``since``,
        most replies first, then declared, then by id (stable)."""
        return self.all(
            """
            WITH replied AS (
                SELECT c.owner AS user_id, count(*) AS replies
                FROM conversations c JOIN topics t ON t.id = c.topic_id
                WHERE t.name = ? AND c.state = 'replied' AND c.replied_at >= ?
                GROUP BY c.owner
            ),
            declared AS (SELECT user_id FROM person_topics WHERE topic = ?)
            SELECT p.user_id, p.name, p.pingable, p.away_until,
                   p.user_id IN (SELECT user_id FROM declared) AS declared,
                   coalesce(r.replies, 0) AS replies
            FROM people p LEFT JOIN replied r ON r.user_id = p.user_id
            WHERE p.user_id IN (SELECT user_id FROM declared)
               OR p.user_id IN (SELECT user_id FROM replied)
            ORDER BY replies DESC, declared DESC, p.user_id
            LIMIT ?
            """,
            (topic, since, topic, limit),
        )

    # -- reminders -----------------------------------------------------------------------

    def unclaimed_in_slack(self, since: float) -> list[sqlite3.Row]:
        """Conversations in Slack since ``since``, still unclaimed and not yet escalated."""
        return self.all(
            _ROW
            + """ WHERE c.state = 'new' AND c.ts IS NOT NULL AND c.sent_at >= ?
                  AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.key = 'sla-escalate:' || c.id)
                  ORDER BY c.id""",
            (since,),
        )

    def claimed_since_before(self, before: float, since: float) -> list[sqlite3.Row]:
        """Claimed, unanswered conversations whose owner took them in [since, before]."""
        return self.all(
            _ROW
            + """ WHERE c.state = 'claimed' AND c.owned_since <= ? AND c.owned_since >= ?
                  ORDER BY c.id""",
            (before, since),
        )

    # -- the verified-reply watcher ------------------------------------------------------

    def due_reply_watches(self, now: float, claimed_since: float, limit: int) -> list[sqlite3.Row]:
        """Claimed (or self-reported, unverified) conversations whose thread is due a look."""
        return self.all(
            """
            SELECT c.id, c.owner, c.state, c.claimed_at, c.sent_at, p.link, p.source_kind,
                   p.thread_id, w.checks, w.failures, w.etag, w.last_modified
            FROM conversations c JOIN posts p ON p.id = c.post_id
            LEFT JOIN reply_watches w ON w.conversation_id = c.id
            WHERE (c.state = 'claimed' OR (c.state = 'replied' AND c.reply_verified = 0))
              AND c.owner IS NOT NULL AND c.claimed_at >= ?
              AND (w.next_check_at IS NULL OR w.next_check_at <= ?)
            ORDER BY coalesce(w.next_check_at, 0), c.id
            LIMIT ?
            """,
            (claimed_since, now, limit),
        )

    def schedule_reply_watch(
        self,
        conversation_id: int,
        next_check_at: float,
        *,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Record one look at a thread and when to look again."""
        failed = int(error is not None)
        self.conn.execute(
            """INSERT INTO reply_watches (conversation_id, next_check_at, checks, failures,
                                          last_checked_at, last_error, etag, last_modified)
               VALUES (?, ?, 1, ?, ?, ?, ?, ?)
               ON CONFLICT (conversation_id) DO UPDATE SET
                 next_check_at = excluded.next_check_at, checks = checks + 1,
                 failures = CASE WHEN ? THEN failures + 1 ELSE 0 END,
                 last_checked_at = excluded.last_checked_at, last_error = excluded.last_error,
                 etag = coalesce(excluded.etag, etag),
                 last_modified = coalesce(excluded.last_modified, last_modified)""",
            (
                conversation_id,
                next_check_at,
                failed,
                self.now(),
                error,
                etag,
                last_modified,
                failed,
            ),
        )

    def reply_watch(self, conversation_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM reply_watches WHERE conversation_id = ?", (conversation_id,))

    # -- App Home ------------------------------------------------------------------------

    def waiting_on_topics(self, topics: Sequence[str], limit: int = 10) -> list[sqlite3.Row]:
        """Unclaimed conversations in Slack on any of ``topics``, oldest first."""
        if not topics:
            return []
        marks = ", ".join("?" * len(topics))
        return self.all(
            _ROW
            + f""" WHERE c.state = 'new' AND c.ts IS NOT NULL AND t.name IN ({marks})
                   ORDER BY c.sent_at LIMIT ?""",
            (*topics, limit),
        )

    def my_delays(self, user_id: str, since: float) -> tuple[list[float], list[float]]:
        """Seconds from posting to claim, and to reply, for what ``user_id`` owns and claimed
        (replied) since ``since``: one entry per claim (reply)."""
        claims = self.all(
            """SELECT claimed_at - sent_at AS delay FROM conversations
               WHERE owner = ? AND claimed_at >= ? AND sent_at IS NOT NULL""",
            (user_id, since),
        )
        replies = self.all(
            """SELECT replied_at - sent_at AS delay FROM conversations
               WHERE owner = ? AND state = 'replied' AND replied_at >= ? AND sent_at IS NOT NULL""",
            (user_id, since),
        )
        return (
            sorted(max(0.0, r["delay"]) for r in claims),
            sorted(max(0.0, r["delay"]) for r in replies),
        )
