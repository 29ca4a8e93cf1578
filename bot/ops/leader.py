"""Which poller leads: exactly one process polls, sends and runs the scheduled jobs at a time
(and which roles a database allows: with SQLite only ``all``, the one process).

SQLite: there is one process (``hark run --role all``), and it always leads.

PostgreSQL: leading means holding a session-level advisory lock, ``pg_try_advisory_lock``,
on a connection of its own: never one from the store's pool (a pooled connection goes back
and forth between threads, and the lock would go with it), opened with TCP keepalives so a
dead link is noticed in seconds, not hours. Every ``check()`` (the leadership thread calls
it every few seconds, the scheduler's tick once more before it works) is one round trip:

- a standby tries the lock, and leads from the moment it gets it;
- the leader asks its connection whether it is still there; a session lock lasts exactly as
  long as its session, so an answer means the lock is still held. No answer (the database
  restarted, the network dropped, the backend was terminated): it stops leading at once,
  closes that connection and becomes a standby that retries.

When the leader's process dies (kill -9 included) its backend ends and PostgreSQL releases
the lock; a standby takes it at its next try. The lock needs a real session: through
PgBouncer in transaction mode it would be held by whichever client the server connection
served last (docs/scaling.md). psycopg is imported only for a PostgreSQL URL.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.dburl import is_postgres, scrub, shown
from bot.error_text import reason
from bot.store.engine import CLIENT_KEEPALIVES, SERVER_KEEPALIVES

log = logging.getLogger(__name__)

# The advisory lock's key: the bytes of "hark-led" as a bigint (the migrations' lock, in
# bot/store/schema_pg.py, is "harkmigr"). Advisory locks are per database.
LOCK_KEY = int.from_bytes(b"hark-led", "big")
# `hark run --role`: all (answer Slack and poll), web (answer Slack), poller (poll and send).
ROLES = ("all", "web", "poller")
RETRY_SECONDS = 3.0  # a standby's tries, and the leader's checks of its connection
STALE_AFTER = 3  # checks: a lead unconfirmed for this many intervals no longer counts
CONNECT_TIMEOUT = 5  # seconds
# libpq's TCP settings (bot/store/engine.py), and an unacknowledged write declared dead
# after tcp_user_timeout milliseconds.
KEEPALIVES = {**CLIENT_KEEPALIVES, "tcp_user_timeout": 10_000}


def role_problem(role: str, db: str) -> str | None:
    """Why ``role`` cannot run on the database ``db``: one line naming the fix, or None."""
    if role == "all" or is_postgres(db):
        return None
    return (
        f"hark: --role {role} needs PostgreSQL (HARK_DB or DATABASE_URL set to a postgresql:// "
        f"URL); with the SQLite file {shown(db)}, run one `hark run` (--role all), which "
        "answers Slack and polls."
    )


# The same from the server's side, set on the leader's session: a leader host that vanishes
# without closing its connection (power cut, partition) is noticed by the server in about
# 11 s, and a session silent for 30 s (the leader checks every 3 s) is ended by it: either
# way its lock is released for a standby. idle_session_timeout needs PostgreSQL 14+.
SERVER_SIDE = {**SERVER_KEEPALIVES, "idle_session_timeout": "30s"}


class Leader:
    """The leadership of one process: ``leading`` now, ``check()`` to confirm or try again,
    ``start(on_change)`` to keep checking on a thread, ``stop()`` to let go."""

    def __init__(
        self,
        db: str,
        *,
        key: int = LOCK_KEY,
        every: float = RETRY_SECONDS,
        name: str = "hark",
        idle_timeout: float = 30.0,
    ) -> None:
        self.db, self.key, self.every, self.name = db, key, every, name
        self.idle_timeout = idle_timeout  # the server ends the session after this silence
        self.postgres = is_postgres(db)
        self._lock = threading.Lock()  # the state below, for /healthz: held only briefly
        self._io = threading.Lock()  # the connection: one round trip at a time
        self._conn: Any = None
        self._leading = not self.postgres
        self._since: float | None = time.time() if not self.postgres else None
        self._confirmed = 0.0  # time.monotonic() of the last round trip that confirmed it
        self._last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_change: Callable[[bool], None] | None = None

    @property
    def leading(self) -> bool:
        """Leading, as last confirmed: a lead not confirmed for ``STALE_AFTER`` checks (a
        process frozen, a round trip hanging) no longer counts, before the server can have
        handed it to a standby (its keepalives need about 11 s, its idle timeout 30 s)."""
        with self._lock:
            return self._fresh()

    def _fresh(self) -> bool:
        if not self.postgres:
            return self._leading
        return self._leading and time.monotonic() - self._confirmed < self.every * STALE_AFTER

    def check(self) -> bool:
        """Confirm the lead (the leader) or try to take it (a standby): one round trip."""
        if not self.postgres:
            return True
        with self._io:  # one round trip at a time; the state's lock is never held across one
            with self._lock:
                was = self._leading
            error = None
            try:
                if self._conn is None:
                    self._conn = self._connect()
                if was:
                    self._conn.execute("SELECT 1").fetchone()
                    now = True
                else:
                    got = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,))
                    now = bool(got.fetchone()[0])
            except Exception as exc:  # noqa: BLE001 - any failure: the lead is not ours
                error, now = scrub(reason(exc), self.db), False
                self._drop()
            with self._lock:
                self._leading, self._last_error = now, error
                if now:
                    self._confirmed = time.monotonic()
                if now != was:
                    self._since = time.time() if now else None
        if now != was:
            self._changed(now, was)
        return now

    def start(self, on_change: Callable[[bool], None] | None = None) -> Leader:
        """Check now, then every ``every`` seconds on a daemon thread; ``on_change(leading)``
        is called on every change (and once now if this process leads at once)."""
        self._on_change = on_change
        if self.check() and on_change is not None and not self.postgres:
            on_change(True)  # SQLite leads from the start: no change to report, say it once
        if self.postgres:
            self._thread = threading.Thread(target=self._loop, name="leader", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop checking and let go of the lead: unlock, then close the connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every + CONNECT_TIMEOUT + 1)
        with self._io:
            if self._leading and self._conn is not None:
                # At once, not when the server notices the closed socket: a standby's next
                # try gets it.
                with contextlib.suppress(Exception):
                    self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            with self._lock:
                self._leading = not self.postgres
            self._drop()

    def status(self) -> dict[str, Any]:
        """For /healthz: leading or standing by, since when, the last connection error."""
        with self._lock:
            return {
                "leading": self._fresh(),
                "since": self._since,
                "lock": "advisory" if self.postgres else "sqlite (one process)",
                "last_error": self._last_error,
            }

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.check()

    def _connect(self) -> Any:
        import psycopg  # only here: the `postgres` extra (pip install 'hark[postgres]')

        conn = psycopg.connect(
            self.db,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT,
            application_name=f"{self.name}-leader",
            **KEEPALIVES,
        )
        idle = {"idle_session_timeout": f"{round(self.idle_timeout * 1000)}ms"}
        for name, value in (SERVER_SIDE | idle).items():
            try:
                conn.execute("SELECT set_config(%s, %s, false)", (name, value))
            except psycopg.Error as exc:  # an older server, or a setting a host forbids
                log.info("leader connection: %s stays the server's (%s)", name, reason(exc))
        return conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # it is gone either way
                conn.close()

    def _changed(self, leading: bool, was: bool) -> None:
        if leading:
            log.info("leading the pollers (advisory lock on %s)", shown(self.db))
        elif was:
            log.warning(
                "no longer leading: %s; jobs stop now, retrying every %s s",
                self._last_error or "the lock was let go",
                self.every,
            )
        if self._on_change is not None:
            try:
                self._on_change(leading)
            except Exception:
                log.exception("while handing over the lead")
