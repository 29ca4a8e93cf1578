"""Topics (beats) as stored; the config seeds them, commands may change them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from bot.models import Topic, TopicRecord
from bot.store import rows as typed
from bot.store.base import StoreBase


class TopicsStore(StoreBase):
    def sync_config_topics(self, topics: Iterable[Topic]) -> None:
        """Upsert the config's topics; disable config topics no longer listed."""
        wanted = {t.name.casefold(): t for t in topics}
        with self.transaction() as conn:
            for t in wanted.values():
                conn.execute(
                    f"""INSERT INTO topics (name, query, channel, min_score, sla_minutes, from_config)
                       VALUES (?, ?, ?, ?, ?, 1)
                       ON CONFLICT ({self.dialect.nocase("name")}) DO UPDATE SET query = excluded.query,
                         channel = excluded.channel, min_score = excluded.min_score,
                         sla_minutes = excluded.sla_minutes, enabled = 1, from_config = 1""",
                    (t.name, t.query, t.channel, t.min_score, t.sla_minutes),
                )
            for row in conn.execute("SELECT id, name FROM topics WHERE from_config = 1"):
                if row["name"].casefold() not in wanted:
                    conn.execute("UPDATE topics SET enabled = 0 WHERE id = ?", (row["id"],))
            _bump_version(conn)

    def topics(self, enabled_only: bool = True) -> list[TopicRecord]:
        where = "WHERE enabled = 1" if enabled_only else ""
        return typed.many(
            TopicRecord, self.all(f"SELECT * FROM topics {where} ORDER BY lower(name)")
        )

    def topic_by_name(self, name: str) -> TopicRecord | None:
        row = self.one("SELECT * FROM topics WHERE lower(name) = lower(?) AND enabled = 1", (name,))
        return typed.one(TopicRecord, row)

    def add_topic(self, name: str, query: str, channel: str) -> bool:
        """Add a topic made by command; False when an enabled one has that name.

        A disabled topic of the same name (removed earlier) is brought back with the new
        query and channel. One statement, so two admins adding the same name at once (on
        two web workers) get one True and one False.
        """
        with self.transaction() as conn:
            added = conn.execute(
                f"""INSERT INTO topics (name, query, channel, from_config) VALUES (?, ?, ?, 0)
                    ON CONFLICT ({self.dialect.nocase("name")}) DO UPDATE SET
                      query = excluded.query, channel = excluded.channel, enabled = 1
                    WHERE topics.enabled = 0
                    RETURNING id""",
                (name, query, channel),
            ).fetchone()
            if added is None:
                return False
            _bump_version(conn)
        return True

    def edit_topic_query(self, name: str, query: str) -> bool:
        """Replace an enabled topic's query; False when there is no such topic."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE topics SET query = ? WHERE lower(name) = lower(?) AND enabled = 1",
                (query, name),
            )
            if cur.rowcount:
                _bump_version(conn)
        return cur.rowcount > 0

    def remove_topic(self, name: str) -> bool:
        """Disable a topic (its conversations keep their history); False when none."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE topics SET enabled = 0 WHERE lower(name) = lower(?) AND enabled = 1",
                (name,),
            )
            if cur.rowcount:
                _bump_version(conn)
        return cur.rowcount > 0

    def topics_version(self) -> int:
        """A counter bumped by every topic change, so matchers know to recompile."""
        row = self.one("SELECT value FROM meta WHERE key = 'topics_version'")
        return int(row["value"]) if row else 0


def _bump_version(conn: sqlite3.Connection) -> None:
    conn.execute(
        """INSERT INTO meta (key, value) VALUES ('topics_version', 1)
           ON CONFLICT (key) DO UPDATE SET value = meta.value + 1"""
    )
