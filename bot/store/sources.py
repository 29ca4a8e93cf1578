"""Sources and their schedule and health."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import Source, SourceSpec
from bot.store import rows as typed
from bot.store.base import StoreBase

MAX_BACKOFF = 6 * 3600


@dataclass(frozen=True)
class PollSuccess:
    """What a successful poll of one source leaves in its row."""

    source_id: int
    etag: str | None
    last_modified: str | None
    cursor: str | None
    next_in: float  # seconds until the next check, before jitter


class SourcesStore(StoreBase):
    def sync_config_sources(self, specs: Iterable[SourceSpec]) -> None:
        """Make the config's sources present and enabled; drop config sources no longer listed.

        Sources added with ``/hark sources add`` (from_config=0) are left alone.
        """
        now = self.now()
        wanted = {(s.kind, s.target): s for s in specs}
        with self.transaction() as conn:
            for spec in wanted.values():
                conn.execute(
                    """INSERT INTO sources (kind, target, label, every_seconds, from_config, created_at)
                       VALUES (?, ?, ?, ?, 1, ?)
                       ON CONFLICT (kind, target) DO UPDATE SET
                         label = excluded.label, every_seconds = excluded.every_seconds,
                         from_config = 1""",
                    (spec.kind, spec.target, spec.label, spec.every_seconds, now),
                )
            for row in conn.execute("SELECT id, kind, target FROM sources WHERE from_config = 1"):
                if (row["kind"], row["target"]) not in wanted:
                    conn.execute("UPDATE sources SET enabled = 0 WHERE id = ?", (row["id"],))

    def add_source(self, spec: SourceSpec) -> int:
        """Add (or re-enable) a source from a command; returns its id."""
        with self.transaction() as conn:
            row = conn.execute(
                """INSERT INTO sources (kind, target, label, every_seconds, created_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (kind, target) DO UPDATE SET enabled = 1 RETURNING id""",
                (spec.kind, spec.target, spec.label, spec.every_seconds, self.now()),
            ).fetchone()
        return int(row["id"])

    def set_source_enabled(self, source_id: int, enabled: bool) -> bool:
        cur = self.conn.execute(
            "UPDATE sources SET enabled = ?, next_check_at = 0 WHERE id = ?",
            (int(enabled), source_id),
        )
        return cur.rowcount == 1

    def remove_source(self, source_id: int) -> bool:
        cur = self.conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return cur.rowcount == 1

    def source(self, source_id: int) -> Source | None:
        row = self.one("SELECT * FROM sources WHERE id = ?", (source_id,))
        return typed.one(Source, row)

    def source_by_target(self, kind: str, target: str) -> Source | None:
        """The source with this kind and feed URL / X query, if Hark has it."""
        row = self.one("SELECT * FROM sources WHERE kind = ? AND target = ?", (kind, target))
        return typed.one(Source, row)

    def sources(self, enabled_only: bool = False) -> list[Source]:
        where = "WHERE enabled = 1" if enabled_only else ""
        return typed.fetch(self.conn, Source, f"SELECT * FROM sources {where} ORDER BY id")

    def due_sources(self, limit: int = 100_000) -> list[Source]:
        """Enabled sources whose ``next_check_at`` has passed, oldest first.

        No practical limit: the poller streams them through a bounded window, and
        ``hark poll --once`` promises every source.
        """
        return typed.fetch(
            self.conn,
            Source,
            """SELECT * FROM sources WHERE enabled = 1 AND next_check_at <= ?
                   ORDER BY next_check_at LIMIT ?""",
            (self.now(), limit),
        )

    def record_poll_success(
        self,
        source_id: int,
        *,
        etag: str | None,
        last_modified: str | None,
        cursor: str | None = None,
        next_in: float,
    ) -> None:
        """A poll worked: clear the failure streak and schedule the next one with jitter."""
        self.record_poll_successes([PollSuccess(source_id, etag, last_modified, cursor, next_in)])

    def record_feed_title(self, source_id: int, title: str) -> None:
        """The feed's own title as its last poll read it (cut to 200 characters)."""
        title = " ".join(title.split())[:200]
        self.conn.execute(
            "UPDATE sources SET feed_title = ? WHERE id = ? AND feed_title != ?",
            (title, source_id, title),
        )

    def record_poll_successes(self, successes: Iterable[PollSuccess]) -> None:
        """``record_poll_success`` for many sources in one statement (a cycle of 304s)."""
        now = self.now()
        self.conn.executemany(
            """UPDATE sources SET etag = ?, last_modified = ?, cursor = COALESCE(?, cursor),
                 seeded = 1, last_checked_at = ?, last_success_at = ?, last_error = NULL,
                 consecutive_failures = 0, failing_since = NULL, failure_reported = 0,
                 next_check_at = ?
               WHERE id = ?""",
            [
                (s.etag, s.last_modified, s.cursor, now, now, now + _jitter(s.next_in), s.source_id)
                for s in successes
            ],
        )

    def record_poll_failure(
        self, source_id: int, error: str, *, retry_after: float | None = None
    ) -> Source:
        """A poll failed: back off exponentially (bounded) and keep the error for /hark sources."""
        now = self.now()
        with self.transaction() as conn:
            # Counted in the UPDATE itself (which holds the row until commit), never read
            # then written back: two failures recorded at once count two.
            row = conn.execute(
                """UPDATE sources SET last_checked_at = ?, last_error = ?,
                     consecutive_failures = consecutive_failures + 1,
                     failing_since = COALESCE(failing_since, ?)
                   WHERE id = ? RETURNING consecutive_failures, every_seconds""",
                (now, error[:500], now, source_id),
            ).fetchone()
            failures = int(row["consecutive_failures"])
            backoff = min(MAX_BACKOFF, row["every_seconds"] * (2 ** min(failures - 1, 10)))
            if retry_after:
                backoff = max(backoff, min(retry_after, MAX_BACKOFF))
            return typed.one(
                Source,
                conn.execute(
                    "UPDATE sources SET next_check_at = ? WHERE id = ? RETURNING *",
                    (now + _jitter(backoff), source_id),
                ).fetchone(),
            )

    def mark_failure_reported(self, source_id: int) -> bool:
        """Compare-and-set: True only for the first caller, so admins hear once."""
        cur = self.conn.execute(
            "UPDATE sources SET failure_reported = 1 WHERE id = ? AND failure_reported = 0",
            (source_id,),
        )
        return cur.rowcount == 1

    def force_all_due(self) -> None:
        """``hark poll --once``: every enabled source is due now, whatever its schedule."""
        self.conn.execute("UPDATE sources SET next_check_at = 0 WHERE enabled = 1")


def _jitter(seconds: float) -> float:
    # +-10 % so that sources added together do not stay in lock-step.
    return seconds * random.uniform(0.9, 1.1)
