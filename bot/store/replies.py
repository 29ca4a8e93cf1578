"""Replies in the making: the draft each person last wrote in the Reply modal, and the
schedule of the watcher that looks for a claimed conversation's reply in its thread."""

from __future__ import annotations

from bot.models import ReplyWatch, ReplyWatchDue
from bot.store import rows as typed
from bot.store.base import StoreBase


class RepliesStore(StoreBase):
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

    # -- the verified-reply watcher ------------------------------------------------------

    def due_reply_watches(
        self, now: float, claimed_since: float, limit: int
    ) -> list[ReplyWatchDue]:
        """Claimed (or self-reported, unverified) conversations whose thread is due a look."""
        return typed.many(
            ReplyWatchDue,
            self.all(
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
            ),
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
        failed = error is not None  # bound as a boolean: PostgreSQL's CASE WHEN wants one
        self.conn.execute(
            """INSERT INTO reply_watches (conversation_id, next_check_at, checks, failures,
                                          last_checked_at, last_error, etag, last_modified)
               VALUES (?, ?, 1, ?, ?, ?, ?, ?)
               ON CONFLICT (conversation_id) DO UPDATE SET
                 next_check_at = excluded.next_check_at, checks = reply_watches.checks + 1,
                 failures = CASE WHEN ? THEN reply_watches.failures + 1 ELSE 0 END,
                 last_checked_at = excluded.last_checked_at, last_error = excluded.last_error,
                 etag = coalesce(excluded.etag, reply_watches.etag),
                 last_modified = coalesce(excluded.last_modified, reply_watches.last_modified)""",
            (
                conversation_id,
                next_check_at,
                int(failed),
                self.now(),
                error,
                etag,
                last_modified,
                failed,
            ),
        )

    def reply_watch(self, conversation_id: int) -> ReplyWatch | None:
        return typed.one(
            ReplyWatch,
            self.one("SELECT * FROM reply_watches WHERE conversation_id = ?", (conversation_id,)),
        )
