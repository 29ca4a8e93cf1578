"""Mutes: authors, sites and phrases whose posts never reach a channel."""

from __future__ import annotations

from bot.models import Mute
from bot.store import rows as typed
from bot.store.base import StoreBase

MUTE_KINDS = ("author", "site", "phrase")


class MutesStore(StoreBase):
    def mutes(self) -> list[Mute]:
        """Every mute, oldest first."""
        return typed.many(
            Mute, self.all("SELECT id, kind, value, created_by, created_at FROM mutes ORDER BY id")
        )

    def add_mute(self, kind: str, value: str, created_by: str) -> bool:
        """Mute an author, a site or a phrase (by command, or from Ignore); False when the
        same one exists already."""
        cur = self.conn.execute(
            "INSERT INTO mutes (kind, value, created_by, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, value) DO NOTHING",
            (kind, value, created_by, self.now()),
        )
        return cur.rowcount == 1

    def remove_mute(self, kind: str, value: str) -> bool:
        """Remove a mute (value compared case-insensitively); False when there was none."""
        cur = self.conn.execute(
            "DELETE FROM mutes WHERE kind = ? AND lower(value) = lower(?)", (kind, value)
        )
        return cur.rowcount > 0

    def mutes_version(self) -> int:
        """A counter bumped (by triggers) on every change to mutes."""
        row = self.one("SELECT value FROM meta WHERE key = 'mutes_version'")
        return int(row["value"]) if row else 0
