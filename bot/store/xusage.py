"""How many X posts Hark read each month (X bills per post read)."""

from __future__ import annotations

from bot.store.base import StoreBase


class XUsageStore(StoreBase):
    def x_reads(self, month: str) -> int:
        row = self.one("SELECT reads FROM x_usage WHERE month = ?", (month,))
        return int(row["reads"]) if row else 0

    def add_x_reads(self, month: str, count: int) -> None:
        self.conn.execute(
            """INSERT INTO x_usage (month, reads) VALUES (?, ?)
               ON CONFLICT (month) DO UPDATE SET reads = x_usage.reads + excluded.reads""",
            (month, count),
        )
