"""Once-only notices: what Hark tells people at most once (a source down for a day, a
reminder, a digest delivered), keyed so that every process agrees it was sent."""

from __future__ import annotations

from bot.store.base import StoreBase


class NoticesStore(StoreBase):
    def add_notice(self, key: str) -> bool:
        """Record a once-only notice; True only the first time for this key."""
        cur = self.conn.execute(
            "INSERT INTO notices (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (key, self.now()),
        )
        return cur.rowcount == 1

    def forget_notice(self, key: str) -> None:
        """Undo ``add_notice`` when sending failed, so the next tick tries again."""
        self.conn.execute("DELETE FROM notices WHERE key = ?", (key,))
