"""People: who registered, their accounts and topics, who covers what, who could answer."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.models import (
    Candidate,
    Coverage,
    Person,
)
from bot.store import rows as typed
from bot.store.base import StoreBase

PROFILE_FIELDS = ("name", "title", "department", "tags", "languages", "pingable", "away_until")

# Where a person's Slack id is kept, and what `/register delete` does with it:
# "delete" drops the rows; "anonymize" swaps the id for a random token so the
# engagement counts stay but no longer point at anyone; "replace" swaps it inside
# a text key (e.g. a reminder's once-only notice). A feature that stores user ids
# elsewhere adds its (table, column, how) here (every table is in both engines' schema).
PERSONAL_DATA: list[tuple[str, str, str]] = [
    ("employee_posts", "user_id", "delete"),
    ("voice_feeds", "user_id", "delete"),
    ("person_topics", "user_id", "delete"),
    ("accounts", "user_id", "delete"),
    ("people", "user_id", "delete"),
    ("reply_drafts", "user_id", "delete"),
    ("conversations", "owner", "anonymize"),
    ("engagements", "user_id", "anonymize"),
    ("mutes", "created_by", "anonymize"),
    ("notices", "key", "replace"),
]
ANONYMOUS_PREFIX = "former-"


@dataclass(frozen=True)
class PersonRecord:
    """Everything one registration replaces: profile fields, topics and accounts."""

    user_id: str
    profile: Mapping[str, Any]
    topics: Sequence[str]
    accounts: Mapping[str, str]


class PeopleStore(StoreBase):
    # -- registration -------------------------------------------------------------------

    def save_person(
        self,
        user_id: str,
        profile: Mapping[str, Any],
        topics: Iterable[str],
        accounts: Mapping[str, str],
    ) -> bool:
        """Replace what Hark holds about a person with what they just submitted.

        Returns True when the person was new.
        """
        fields = {k: profile.get(k) for k in PROFILE_FIELDS if k in profile}
        updates = "".join(f"{k} = ?, " for k in fields)
        now = self.now()
        with self.transaction() as conn:
            # Insert-if-new, then update: exactly one of two concurrent first saves is new,
            # and the UPDATE holds the person's row until commit, so two saves of one
            # person (two web workers) replace topics and accounts one after the other.
            created = conn.execute(
                "INSERT INTO people (user_id, updated_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (user_id, now),
            ).rowcount
            conn.execute(
                f"UPDATE people SET {updates}updated_at = ? WHERE user_id = ?",
                (*fields.values(), now, user_id),
            )
            conn.execute("DELETE FROM person_topics WHERE user_id = ?", (user_id,))
            conn.executemany(
                "INSERT INTO person_topics (user_id, topic) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(user_id, t) for t in topics],
            )
            # Keep the accounts that did not change, so their voice feed state (validators,
            # schedule) survives a re-registration; changed ones cascade to a fresh state.
            kept = {n: h for n, h in accounts.items() if h}
            for row in conn.execute(
                "SELECT network, handle FROM accounts WHERE user_id = ?", (user_id,)
            ).fetchall():
                if kept.get(row["network"]) != row["handle"]:
                    conn.execute(
                        "DELETE FROM accounts WHERE user_id = ? AND network = ?",
                        (user_id, row["network"]),
                    )
            conn.executemany(
                "INSERT INTO accounts (user_id, network, handle) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(user_id, n, h) for n, h in kept.items()],
            )
        return created == 1

    def save_people(self, records: Iterable[PersonRecord]) -> tuple[int, int]:
        """Save many registrations in one transaction: all or none. Returns (new, updated)."""
        new = updated = 0
        with self.transaction():
            for r in records:
                if self.save_person(r.user_id, r.profile, r.topics, r.accounts):
                    new += 1
                else:
                    updated += 1
        return new, updated

    def person(self, user_id: str) -> Person | None:
        row = self.one("SELECT * FROM people WHERE user_id = ?", (user_id,))
        return typed.one(Person, row)

    def people(self) -> list[Person]:
        """Every registered person, by Slack id."""
        return typed.many(Person, self.all("SELECT * FROM people ORDER BY user_id"))

    def person_topics(self, user_id: str) -> list[str]:
        rows = self.all(
            "SELECT topic FROM person_topics WHERE user_id = ? ORDER BY lower(topic)", (user_id,)
        )
        return [r["topic"] for r in rows]

    def accounts(self, user_id: str) -> dict[str, str]:
        rows = self.all("SELECT network, handle FROM accounts WHERE user_id = ?", (user_id,))
        return {r["network"]: r["handle"] for r in rows}

    def conversations_naming(self, user_id: str) -> list[int]:
        """Conversations whose card may name the person: owned, or acted on (the log)."""
        rows = self.all(
            "SELECT id FROM conversations WHERE owner = ? "
            "UNION SELECT conversation_id FROM engagements WHERE user_id = ? ORDER BY 1",
            (user_id, user_id),
        )
        return [int(r["id"]) for r in rows]

    def delete_person(self, user_id: str) -> bool:
        """Erase everything personal; keep engagement counts under an anonymous token.

        Replies and ignores stay counted, their owner replaced by the token and their
        reply links dropped. Release open claims first (the engagement rules do that).
        Returns whether Hark held a profile.
        """
        token = ANONYMOUS_PREFIX + secrets.token_hex(6)
        with self.transaction() as conn:
            had = conn.execute("SELECT 1 FROM people WHERE user_id = ?", (user_id,)).fetchone()
            conn.execute("UPDATE conversations SET reply_url = NULL WHERE owner = ?", (user_id,))
            conn.execute("UPDATE engagements SET detail = '' WHERE user_id = ?", (user_id,))
            for table, column, how in PERSONAL_DATA:
                if how == "delete":
                    conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
                elif how == "anonymize":
                    conn.execute(
                        f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (token, user_id)
                    )
                else:
                    # Keys holding the id take the token instead, unless that key exists
                    # already (then the row goes with the DELETE below).
                    conn.execute(
                        f"UPDATE {table} SET {column} = replace({column}, ?, ?) "
                        f"WHERE replace({column}, ?, '') <> {column} AND NOT EXISTS ("
                        f"SELECT 1 FROM {table} t2 WHERE t2.{column} = "
                        f"replace({table}.{column}, ?, ?))",
                        (user_id, token, user_id, user_id, token),
                    )
                    conn.execute(
                        f"DELETE FROM {table} WHERE replace({column}, ?, '') <> {column}",
                        (user_id,),
                    )
        return had is not None

    # -- who covers a topic -------------------------------------------------------------

    def covering(self, topic: str, since: float) -> list[Coverage]:
        """People who declared the topic or engaged on it since ``since``.

        Claims count claims made since then; replies and verified replies count
        replies made since then. Anonymized owners (erased people) are left out.
        The caller ranks them (the median reply time is in :meth:`reply_delays`).
        """
        same = self.dialect.equal_nocase
        return typed.many(
            Coverage,
            self.all(
                f"""
            WITH shown AS (
                SELECT c.owner AS user_id,
                       count(*) FILTER (WHERE c.claimed_at >= :since) AS claims,
                       count(*) FILTER (WHERE c.state = 'replied' AND c.replied_at >= :since)
                         AS replies,
                       count(*) FILTER (WHERE c.state = 'replied' AND c.replied_at >= :since
                                        AND c.reply_verified = 1) AS verified
                FROM conversations c JOIN topics t ON t.id = c.topic_id
                WHERE {same("t.name", ":topic")} AND substr(c.owner, 1, 1) IN ('U', 'W')
                  AND (c.claimed_at >= :since OR c.replied_at >= :since)
                GROUP BY c.owner
            ),
            declared AS (SELECT user_id FROM person_topics WHERE {same("topic", ":topic")}),
            everyone AS (SELECT user_id FROM shown UNION SELECT user_id FROM declared)
            SELECT e.user_id,
                   e.user_id IN (SELECT user_id FROM declared) AS declared,
                   coalesce(s.claims, 0) AS claims,
                   coalesce(s.replies, 0) AS replies,
                   coalesce(s.verified, 0) AS verified,
                   p.user_id IS NOT NULL AS registered,
                   coalesce(p.name, '') AS name, coalesce(p.title, '') AS title,
                   p.away_until, coalesce(p.pingable, 0) AS pingable
            FROM everyone e
            LEFT JOIN shown s ON s.user_id = e.user_id
            LEFT JOIN people p ON p.user_id = e.user_id
            ORDER BY verified DESC, replies DESC, claims DESC, declared DESC, e.user_id
            LIMIT 200
            """,
                {"topic": topic, "since": since},
            ),
        )

    def reply_delays(self, topic: str, since: float) -> dict[str, list[float]]:
        """Seconds from posting to reply, per person, for replies on the topic since then."""
        same = self.dialect.equal_nocase
        rows = self.all(
            f"""SELECT c.owner, c.replied_at - c.sent_at AS delay
               FROM conversations c JOIN topics t ON t.id = c.topic_id
               WHERE {same("t.name", "?")} AND c.state = 'replied' AND c.replied_at >= ?
                 AND c.sent_at IS NOT NULL AND c.owner IS NOT NULL""",
            (topic, since),
        )
        delays: dict[str, list[float]] = {}
        for r in rows:
            delays.setdefault(r["owner"], []).append(max(0.0, r["delay"]))
        return delays

    # -- who could answer (suggested on a conversation) -------------------------------

    def suggestion_candidates(self, topic: str, since: float, limit: int = 10) -> list[Candidate]:
        """Registered people who declared ``topic`` or replied on it since ``since``,
        most replies first, then declared, then by id (stable)."""
        same = self.dialect.equal_nocase
        return typed.many(
            Candidate,
            self.all(
                f"""
            WITH replied AS (
                SELECT c.owner AS user_id, count(*) AS replies
                FROM conversations c JOIN topics t ON t.id = c.topic_id
                WHERE {same("t.name", "?")} AND c.state = 'replied' AND c.replied_at >= ?
                GROUP BY c.owner
            ),
            declared AS (SELECT user_id FROM person_topics WHERE {same("topic", "?")})
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
            ),
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

    def tagged_people(self) -> list[Person]:
        """People with free-form expertise tags (the caller matches the words)."""
        return typed.many(
            Person, self.all("SELECT * FROM people WHERE tags != '' ORDER BY user_id")
        )
