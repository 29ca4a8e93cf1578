"""Conversations: the outbox to Slack and the claim/reply/ignore state, with its log."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bot.models import Conversation, Engagement
from bot.store import rows as typed
from bot.store.base import StoreBase
from bot.store.topics import _bump_version

_SETTABLE = {
    "state",
    "owner",
    "claimed_at",
    "replied_at",
    "reply_url",
    "reply_verified",
    "ignored_at",
    "ignore_reason",
    "owned_since",
}

_CONVERSATION = """
    SELECT c.*, p.title, p.text, p.author, p.link, p.site, p.source_kind, p.published_at,
           p.metrics, p.thread_id, p.first_seen_at, t.name AS topic, t.sla_minutes
    FROM conversations c JOIN posts p ON p.id = c.post_id JOIN topics t ON t.id = c.topic_id
"""


# The lock a worker holds on a card while it sends it (PostgreSQL): the pair
# (SEND_LOCK_CLASS, id), the id cut to 31 bits as in SQL by _LOCK_ID.
SEND_LOCK_CLASS = 16
_LOCK_ID = "CAST(c.id % 2147483648 AS integer)"


def _send_key(conversation_id: int) -> tuple[int, int]:
    return SEND_LOCK_CLASS, conversation_id % 2**31


# A card's refreshes take the lock of its stripe (SQLite: one process); PostgreSQL's lock
# is the pair (CARD_LOCK_CLASS, id) (the pair form: no clash with one-key locks).
_CARD_STRIPES = 64
CARD_LOCK_CLASS = 15


class ConversationsStore(StoreBase):
    _card_locks: tuple[threading.Lock, ...] = ()

    @contextmanager
    def card_refresh(self, conversation_id: int) -> Iterator[None]:
        """One refresh of a card at a time, across threads and workers: read the row, render
        and update the Slack message inside this block, and no other refresh of the card
        starts until it ends; each reads the row after the one before finished, so the card
        in Slack never goes back to an older version. PostgreSQL: a transaction-scoped
        advisory lock on the card (a transaction held for the Slack call; reads only).
        SQLite has one process: a lock in it."""
        lock = self.dialect.xact_lock(pair=True)
        if lock is None:
            if not self._card_locks:
                with self._lock:
                    if not self._card_locks:
                        self._card_locks = tuple(threading.Lock() for _ in range(_CARD_STRIPES))
            with self._card_locks[conversation_id % _CARD_STRIPES]:
                yield
            return
        with self.transaction() as conn:
            conn.execute(lock, (CARD_LOCK_CLASS, conversation_id % 2**31))
            yield

    def record_conversation(
        self,
        post_id: int,
        topic_id: int,
        *,
        channel: str,
        score: float,
        why: str,
        deliver: bool,
    ) -> int | None:
        """Store a relevant post for a topic before it is sent (the outbox row).

        Returns the new id, or None when this post was already recorded for the topic.
        """
        row = self.conn.execute(
            """INSERT INTO conversations
                 (post_id, topic_id, channel, score, why, deliver, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id""",
            (post_id, topic_id, channel, score, why, int(deliver), self.now()),
        ).fetchone()
        return None if row is None else int(row[0])

    def outbox(self, limit: int = 100) -> list[Conversation]:
        """Conversations stored but not yet in Slack, oldest first (delivery order); a card
        Hark gave up on (Slack refused it too often) is no longer waiting."""
        return typed.many(
            Conversation,
            self.all(
                _CONVERSATION
                + " WHERE c.deliver = 1 AND c.sent_at IS NULL AND c.gave_up_at IS NULL"
                + " ORDER BY c.id LIMIT ?",
                (limit,),
            ),
        )

    def take_send(
        self,
        lease: float,
        *,
        after_id: int = 0,
        mine: Collection[int] = (),
        skip_channels: Collection[str] = (),
    ) -> Conversation | None:
        """Take the oldest card waiting to be sent (id above ``after_id``, channel not in
        ``skip_channels``) for this worker alone, and leave the send trace, committed
        before the caller posts; the caller calls ``release_send`` once the send's outcome
        is recorded. None when nothing is left to take.

        A card with a trace is being sent by another worker, or was being sent by one that
        died or failed. It is taken when no live worker is sending it (PostgreSQL: the
        sender holds a session lock on the card until ``release_send``; a worker killed
        with -9 loses it with its session), when the trace is older than ``lease``
        seconds, or when it is in ``mine`` (this worker's own unfinished sends).
        Concurrent takers skip each other's rows (FOR UPDATE SKIP LOCKED; SQLite has one
        writer at a time). The row comes back as it was before the trace: its
        ``send_started_at`` says whether an earlier send may have reached Slack.
        """
        held = self.dialect.held_lock()
        sql = (
            _CONVERSATION
            + " WHERE c.deliver = 1 AND c.sent_at IS NULL AND c.gave_up_at IS NULL"
            + " AND c.id > ? AND (c.send_started_at IS NULL OR c.send_started_at <= ?"
        )
        now = self.now()
        params: list[Any] = [now - lease]
        if mine:
            sql += f" OR c.id IN ({', '.join('?' * len(mine))})"
            params.extend(mine)
        if held:
            sql += " OR NOT " + held[2].format(SEND_LOCK_CLASS, _LOCK_ID)
        sql += ")"
        if skip_channels:
            sql += f" AND c.channel NOT IN ({', '.join('?' * len(skip_channels))})"
            params.extend(skip_channels)
        sql += " ORDER BY c.id LIMIT 1" + self.dialect.skip_locked("c")
        while True:
            locked = None
            try:
                with self.transaction() as conn:
                    row = typed.one(Conversation, conn.execute(sql, [after_id, *params]).fetchone())
                    if row is None:
                        return None
                    # Locked before the trace commits, so no other worker ever sees the
                    # trace without its sender's lock. Taken already: a live sender past
                    # the lease.
                    if held and not conn.execute(held[0], _send_key(row.id)).fetchone()[0]:
                        after_id = row.id
                        continue
                    locked = row.id if held else None
                    conn.execute(
                        """UPDATE conversations
                           SET send_started_at = ?, send_attempts = send_attempts + 1
                           WHERE id = ?""",
                        (now, row.id),
                    )
            except BaseException:
                if locked is not None:  # a session lock outlives the rolled-back transaction
                    self.release_send(locked)
                raise
            return row

    def release_send(self, conversation_id: int) -> None:
        """This worker is done with a card it took (sent, refused or held): other workers
        may take it again if it still waits."""
        held = self.dialect.held_lock()
        if held:
            self.conn.execute(held[1], _send_key(conversation_id))

    def mark_sending(self, conversation_id: int) -> None:
        """Leave a trace before calling Slack: after a crash, a trace without a ts means
        "maybe sent", and the publisher looks in the channel before sending again."""
        self.conn.execute(
            """UPDATE conversations SET send_started_at = ?, send_attempts = send_attempts + 1
               WHERE id = ?""",
            (self.now(), conversation_id),
        )

    def mark_sent(self, conversation_id: int, ts: str, channel: str | None = None) -> bool:
        """Record the message's ``ts`` and, when given, the channel ID Slack answered with
        (the row may name the channel ``#name``, which only chat.postMessage accepts).

        The first ``ts`` wins: False when the row already had one (another worker posted
        the card too, so this message is the duplicate)."""
        cur = self.conn.execute(
            """UPDATE conversations SET ts = ?, sent_at = ?, send_error = NULL,
                 channel = COALESCE(?, channel)
               WHERE id = ? AND sent_at IS NULL""",
            (ts, self.now(), channel, conversation_id),
        )
        return cur.rowcount == 1

    def record_card_failure(self, conversation_id: int, error: str, give_up_after: int) -> int:
        """Slack refused this card itself (not its channel): count it, and set the card
        aside once refused ``give_up_after`` times. Slack answered, so nothing was posted:
        the send trace is cleared. Returns the count of refusals so far."""
        row = self.conn.execute(
            """UPDATE conversations
               SET card_failures = card_failures + 1, send_error = ?, send_started_at = NULL,
                   gave_up_at = CASE WHEN card_failures + 1 >= ? THEN ? ELSE gave_up_at END
               WHERE id = ? RETURNING card_failures""",
            (error[:300], give_up_after, self.now(), conversation_id),
        ).fetchone()
        return int(row[0]) if row else 0

    def replace_channel_name(self, name: str, channel_id: str) -> int:
        """Store ``channel_id`` wherever the channel is still named ``name`` (``#x`` or
        ``x``): conversations and topics. Returns how many conversations changed."""
        names = (name, "#" + name.lstrip("#"), name.lstrip("#"))
        with self.transaction() as conn:
            changed = conn.execute(
                "UPDATE conversations SET channel = ? WHERE channel IN (?, ?, ?)",
                (channel_id, *names),
            ).rowcount
            renamed = conn.execute(
                "UPDATE topics SET channel = ? WHERE channel IN (?, ?, ?)", (channel_id, *names)
            ).rowcount
            if renamed:
                _bump_version(conn)  # every process's matcher picks up the new channel
        return changed

    def mark_send_failed(self, conversation_id: int, error: str) -> None:
        self.conn.execute(
            "UPDATE conversations SET send_error = ? WHERE id = ?", (error[:300], conversation_id)
        )

    def conversation(self, conversation_id: int) -> Conversation | None:
        row = self.one(_CONVERSATION + " WHERE c.id = ?", (conversation_id,))
        return typed.one(Conversation, row)

    def change_state(
        self,
        conversation_id: int,
        *,
        user_id: str,
        action: str,
        expect_states: Iterable[str],
        expect_owner: str | None = None,
        expect: Mapping[str, Any] | None = None,
        detail: str = "",
        **changes: Any,
    ) -> bool:
        """Compare-and-set a state change and log it, atomically.

        The row changes only if it is still in one of ``expect_states`` (and owned by
        ``expect_owner`` when given, and equal to ``expect``'s columns, None meaning NULL);
        the engagement row is written only when it did. Returns whether this caller won.
        """
        unknown = (set(changes) | set(expect or {})) - _SETTABLE
        if unknown:
            raise ValueError(f"not settable: {sorted(unknown)}")
        states = list(expect_states)
        sets = ", ".join(f"{k} = ?" for k in changes)
        sql = (
            f"UPDATE conversations SET {sets}, version = version + 1 "
            f"WHERE id = ? AND state IN ({', '.join('?' * len(states))})"
        )
        params: list[Any] = [*changes.values(), conversation_id, *states]
        if expect_owner is not None:
            sql += " AND owner = ?"
            params.append(expect_owner)
        for column, value in (expect or {}).items():
            sql += f" AND {column} IS NOT DISTINCT FROM ?"  # equality that also matches NULL
            params.append(value)
        with self.transaction() as conn:
            if conn.execute(sql, params).rowcount != 1:
                return False
            self._log(conn, conversation_id, user_id, action, detail)
        return True

    def log_engagement(
        self, conversation_id: int, user_id: str, action: str, detail: str = ""
    ) -> None:
        """Append an engagement row that changes no state (e.g. a draft shared)."""
        self._log(self.conn, conversation_id, user_id, action, detail)

    def _log(
        self, conn: sqlite3.Connection, conversation_id: int, user_id: str, action: str, detail: str
    ) -> None:
        conn.execute(
            "INSERT INTO engagements (conversation_id, user_id, action, detail, at) VALUES (?, ?, ?, ?, ?)",
            (conversation_id, user_id, action, detail[:2000], self.now()),
        )

    def engagements(self, conversation_id: int) -> list[Engagement]:
        return typed.many(
            Engagement,
            self.all(
                "SELECT * FROM engagements WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            ),
        )

    def conversations_for_owner(self, user_id: str, states: Iterable[str]) -> list[Conversation]:
        states = list(states)
        return typed.many(
            Conversation,
            self.all(
                _CONVERSATION
                + f" WHERE c.owner = ? AND c.state IN ({', '.join('?' * len(states))})"
                + " ORDER BY c.claimed_at DESC LIMIT 20",
                (user_id, *states),
            ),
        )
