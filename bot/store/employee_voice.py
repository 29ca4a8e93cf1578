"""Employee voice: the public feeds of registered accounts, polled on their own schedule,
and the posts of employees' own that Hark recorded (counted as reach, never posted)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import EmployeePost, EmployeeReach, VoiceFeed, VoiceFeedDue
from bot.store import rows as typed
from bot.store.base import StoreBase


class EmployeeVoiceStore(StoreBase):
    def employee_handles(self) -> set[str]:
        """Every registered account handle, lower-cased without a leading ``@``."""
        rows = self.all("SELECT handle FROM accounts")
        return {r["handle"].lstrip("@").casefold() for r in rows if r["handle"]}

    def due_voice_feeds(
        self, networks: Sequence[str], now: float, limit: int
    ) -> list[VoiceFeedDue]:
        """Accounts on ``networks`` whose feed is due, never-polled first, with their state."""
        if not networks:
            return []  # ``IN ()`` is SQLite's only
        marks = ", ".join("?" * len(networks))
        return typed.many(
            VoiceFeedDue,
            self.all(
                f"""SELECT a.user_id, a.network, a.handle, v.url, v.etag, v.last_modified,
                       coalesce(v.failures, 0) AS failures
                FROM accounts a
                LEFT JOIN voice_feeds v ON v.user_id = a.user_id AND v.network = a.network
                WHERE a.network IN ({marks}) AND coalesce(v.next_check_at, 0) <= ?
                ORDER BY coalesce(v.next_check_at, 0), a.user_id, a.network
                LIMIT ?""",
                (*networks, now, limit),
            ),
        )

    def record_voice_check(
        self,
        user_id: str,
        network: str,
        handle: str,
        *,
        url: str,
        etag: str | None,
        last_modified: str | None,
        next_check_at: float,
        error: str | None,
        failures: int,
    ) -> None:
        """Remember a feed check, unless the account changed or went away meanwhile."""
        self.conn.execute(
            """INSERT INTO voice_feeds (user_id, network, handle, url, etag, last_modified,
                   next_check_at, last_checked_at, last_error, failures)
               SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
               WHERE EXISTS (SELECT 1 FROM accounts
                             WHERE user_id = ? AND network = ? AND handle = ?)
               ON CONFLICT (user_id, network) DO UPDATE SET handle = excluded.handle,
                   url = excluded.url, etag = excluded.etag,
                   last_modified = excluded.last_modified,
                   next_check_at = excluded.next_check_at,
                   last_checked_at = excluded.last_checked_at,
                   last_error = excluded.last_error, failures = excluded.failures""",
            (
                user_id,
                network,
                handle,
                url,
                etag,
                last_modified,
                next_check_at,
                self.now(),
                error[:300] if error else None,
                failures,
                user_id,
                network,
                handle,
            ),
        )

    def voice_feed(self, user_id: str, network: str) -> VoiceFeed | None:
        return typed.one(
            VoiceFeed,
            self.one(
                "SELECT * FROM voice_feeds WHERE user_id = ? AND network = ?", (user_id, network)
            ),
        )

    def record_employee_post(
        self,
        user_id: str,
        network: str,
        *,
        link: str,
        title: str,
        published_at: float | None,
        mentions_company: bool,
        topics: Sequence[str],
    ) -> bool:
        """Record one of a person's public posts; False when already recorded (or erased)."""
        cur = self.conn.execute(
            """INSERT INTO employee_posts (user_id, network, link, title, published_at,
                   mentions_company, topics, seen_at)
               SELECT ?, ?, ?, ?, ?, ?, ?, ?
               WHERE EXISTS (SELECT 1 FROM people WHERE user_id = ?)
               ON CONFLICT DO NOTHING""",
            (
                user_id,
                network,
                link,
                title,
                published_at,
                int(mentions_company),
                ",".join(topics),
                self.now(),
                user_id,
            ),
        )
        return cur.rowcount == 1

    def recent_employee_posts(self, user_id: str, limit: int = 10) -> list[EmployeePost]:
        """A person's own recorded posts, newest first (for their App Home).

        Columns: network, link, title, published_at, mentions_company, topics, seen_at.
        """
        return typed.many(
            EmployeePost,
            self.all(
                """SELECT network, link, title, published_at, mentions_company, topics, seen_at
               FROM employee_posts WHERE user_id = ?
               ORDER BY coalesce(published_at, seen_at) DESC, id DESC LIMIT ?""",
                (user_id, limit),
            ),
        )

    def employee_reach(self, since: float, until: float) -> list[EmployeeReach]:
        """Employee posts in [since, until) per person, most first (for the digest).

        Columns: user_id, posts, company_mentions, on_topic (posts matching a topic).
        A post counts at its publication date, or when Hark first saw it if undated.
        """
        return typed.many(
            EmployeeReach,
            self.all(
                """SELECT user_id, count(*) AS posts,
                      count(*) FILTER (WHERE mentions_company = 1) AS company_mentions,
                      count(*) FILTER (WHERE topics != '') AS on_topic
               FROM employee_posts
               WHERE coalesce(published_at, seen_at) >= ? AND coalesce(published_at, seen_at) < ?
               GROUP BY user_id ORDER BY posts DESC, company_mentions DESC, user_id""",
                (since, until),
            ),
        )
