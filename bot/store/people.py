"""People: who registered, their accounts and topics, and who covers what."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from bot.store.base import StoreBase

PROFILE_FIELDS = ("name", "title", "department", "tags", "languages", "pingable", "away_until")


class PeopleStore(StoreBase):
    def save_person(
        self,
        user_id: str,
        profile: Mapping[str, Any],
        topics: Iterable[str],
        accounts: Mapping[str, str],
    ) -> None:
        """Replace what Hark holds about a person with what they just submitted."""
        fields = {k: profile.get(k) for k in PROFILE_FIELDS if k in profile}
        cols = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        updates = ", ".join(f"{k} = excluded.{k}" for k in fields)
        with self.transaction() as conn:
            conn.execute(
                f"""INSERT INTO people (user_id, {cols}, updated_at) VALUES (?, {marks}, ?)
                    ON CONFLICT (user_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at""",
                (user_id, *fields.values(), self.now()),
            )
            conn.execute("DELETE FROM person_topics WHERE user_id = ?", (user_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO person_topics (user_id, topic) VALUES (?, ?)",
                [(user_id, t) for t in topics],
            )
            conn.execute("DELETE FROM accounts WHERE user_id = ?", (user_id,))
            conn.executemany(
                "INSERT INTO accounts (user_id, network, handle) VALUES (?, ?, ?)",
                [(user_id, n, h) for n, h in accounts.items() if h],
            )

    def person(self, user_id: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM people WHERE user_id = ?", (user_id,))

    def person_topics(self, user_id: str) -> list[str]:
        rows = self.all(
            "SELECT topic FROM person_topics WHERE user_id = ? ORDER BY topic", (user_id,)
        )
        return [r["topic"] for r in rows]

    def accounts(self, user_id: str) -> dict[str, str]:
        rows = self.all("SELECT network, handle FROM accounts WHERE user_id = ?", (user_id,))
        return {r["network"]: r["handle"] for r in rows}

    def delete_person(self, user_id: str) -> bool:
        """Erase the profile, topics and accounts (engagement counts stay, keyed by Slack id)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM person_topics WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM accounts WHERE user_id = ?", (user_id,))
            return conn.execute("DELETE FROM people WHERE user_id = ?", (user_id,)).rowcount == 1

    def covering(self, topic: str, since: float) -> list[sqlite3.Row]:
        """People who declared the topic or engaged on it since ``since``, best first.

        Ranked by verified replies, then replies, then claims, then declaration.
        """
        return self.all(
            """
            WITH shown AS (
                SELECT c.owner AS user_id,
                       count(*) AS claims,
                       sum(c.state = 'replied') AS replies,
                       sum(c.state = 'replied' AND c.reply_verified = 1) AS verified
                FROM conversations c JOIN topics t ON t.id = c.topic_id
                WHERE t.name = ? AND c.owner IS NOT NULL AND c.claimed_at >= ?
                GROUP BY c.owner
            ),
            declared AS (SELECT user_id FROM person_topics WHERE topic = ?),
            everyone AS (SELECT user_id FROM shown UNION SELECT user_id FROM declared)
            SELECT e.user_id,
                   e.user_id IN (SELECT user_id FROM declared) AS declared,
                   coalesce(s.claims, 0) AS claims,
                   coalesce(s.replies, 0) AS replies,
                   coalesce(s.verified, 0) AS verified,
                   p.name, p.title, p.away_until, p.pingable
            FROM everyone e
            LEFT JOIN shown s ON s.user_id = e.user_id
            LEFT JOIN people p ON p.user_id = e.user_id
            ORDER BY verified DESC, replies DESC, claims DESC, declared DESC, e.user_id
            LIMIT 25
            """,
            (topic, since, topic),
        )
