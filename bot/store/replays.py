"""Slack request signatures already answered: the replay guard, shared by every process.

Bolt refuses a request whose timestamp is more than 5 minutes from now; inside that
window a captured request could be sent again. Slack signs each delivery afresh (a retry
too), so a signature seen twice is a replay. The table lives in the database, so a
restart forgets nothing and every web worker sees what the others answered.

Cost: one ``INSERT … ON CONFLICT DO NOTHING`` per request, plus a ``DELETE`` of old rows
at most once a minute per process. The table is ``replays_001_seen_signatures`` in
bot/store/schema.py.
"""

from __future__ import annotations

from bot.store.base import StoreBase

# A timestamp passes while it is within 5 minutes of the clock, before or after: a
# signature first seen now can come back, still in its window, for at most 10 minutes.
KEEP_SECONDS = 600
PRUNE_EVERY_SECONDS = 60


class ReplaysStore(StoreBase):
    _replays_pruned_at = 0.0

    def first_delivery(self, signature: str) -> bool:
        """Record ``signature``; False if any process recorded it in the last 10 minutes."""
        now = self.now()
        if now - self._replays_pruned_at >= PRUNE_EVERY_SECONDS:
            self._replays_pruned_at = now
            self.prune_signatures(now)
        cursor = self.conn.execute(
            "INSERT INTO seen_signatures (signature, seen_at) VALUES (?, ?)"
            " ON CONFLICT (signature) DO NOTHING",
            (signature, now),
        )
        return cursor.rowcount == 1

    def prune_signatures(self, now: float) -> int:
        """Forget signatures past the window (a replay of them fails Bolt's timestamp check)."""
        cursor = self.conn.execute(
            "DELETE FROM seen_signatures WHERE seen_at < ?", (now - KEEP_SECONDS,)
        )
        return cursor.rowcount

    def seen_signature_count(self) -> int:
        row = self.one("SELECT COUNT(*) AS n FROM seen_signatures")
        return int(row["n"]) if row else 0
