"""Connections: one per thread — SQLite (WAL mode, shared file) or PostgreSQL (from one
pool per process) — transactions, and the clock."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from bot.store.dialect import POSTGRES, SQLITE, Dialect
from bot.store.engine import (
    CLIENT_KEEPALIVES,
    SERVER_KEEPALIVES,
    PgConnection,
    connect_postgres,
    is_postgres,
)
from bot.store.schema import apply_migrations, schema_is_current

if TYPE_CHECKING:  # imported only when a migration runs, or ``db`` is asked for
    from bot.store.lite import Database


def private_database(path: str) -> None:
    """The database, its WAL and shared-memory files readable by this user only (0600):
    they hold who said what and the sources' URLs. SQLite gives the -wal and -shm files
    the database file's mode, so creating that one 0600 is enough; older files are
    tightened."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except FileNotFoundError:
            pass


T = TypeVar("T")
CONNECT_TIMEOUT = 10  # seconds to reach PostgreSQL before the store refuses to open


class StoreBase:
    """Owns the per-thread connections and the clock every write uses.

    Bolt answers Slack on worker threads and APScheduler runs jobs on its own;
    a sqlite3 connection must not cross threads, so each thread opens its own.
    """

    dialect: Dialect = SQLITE

    def __init__(self, path: str, clock: Callable[[], float] = time.time) -> None:
        # ``path``: a SQLite file, or a postgresql:// URL (HARK_DB); the name stays
        # ``path`` because SQLite is the default and most callers pass a file.
        self.path = path
        self.clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()
        # Every open connection, by the thread that owns it. A thread that ends does not
        # close its connection (threading.local keeps no hook): connections of dead
        # threads are closed when another connection opens and by ``close_dead()``, so a
        # pool made per poll cycle cannot pile up open files.
        self._open: dict[threading.Thread, Any] = {}
        self._pool: Any = None
        self._readers: Any = None  # read_together's threads (PostgreSQL only)
        if is_postgres(path):
            self.dialect = POSTGRES
            # Migrated on a connection of its own first: a database out of reach fails
            # here within CONNECT_TIMEOUT, not after the pool's 30 s wait.
            from bot.store.schema_pg import apply_pg_migrations

            first = connect_postgres(path, connect_timeout=CONNECT_TIMEOUT)
            try:
                apply_pg_migrations(first.raw)
            finally:
                first.close()
            self._pool = _postgres_pool(path)
        else:
            private_database(path)
            # sqlite-utils (0.1 s of imports) only when a migration is due.
            if not schema_is_current(self.conn):
                apply_migrations(self.db)

    @property
    def db(self) -> Database:
        """This thread's connection in a sqlite-utils Database, for the migrations
        (SQLite only); everything else uses ``conn``."""
        if self._pool is not None:
            raise TypeError("sqlite-utils' Database is SQLite only; use store.conn")
        conn = self.conn
        db = getattr(self._local, "db", None)
        if db is None or db.conn is not conn:
            from bot.store.lite import Database

            db = Database(conn)
            self._local.db = db
        return db

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection: sqlite3's, or on PostgreSQL one taken from the
        process's pool and kept by the thread until it ends or ``release_thread``."""
        if self._pool is None:
            return self._sqlite_conn()
        conn = getattr(self._local, "pg", None)
        if conn is not None and conn.raw.closed:
            # The server ended it (a restart, a failover, a terminated backend): the
            # statement that met it failed; this one gets a fresh connection.
            self.release_thread()
            conn = None
        if conn is None:
            self.close_dead()
            conn = PgConnection(self._pool.getconn())
            self._local.pg = conn
            with self._lock:
                self._open[threading.current_thread()] = conn
        return conn  # type: ignore[return-value]  # sqlite3's surface (bot/store/engine.py)

    def _sqlite_conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "lite", None)
        if conn is None:
            self.close_dead()
            # check_same_thread=False only so close() can run at shutdown from the
            # main thread; each connection is otherwise used by its own thread.
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            # What sqlite-utils' Database set on every connection when the store opened
            # each through it: REPLACE fires delete triggers, triggers may fire triggers.
            conn.execute("PRAGMA recursive_triggers=ON")
            self._local.lite = conn
            with self._lock:
                self._open[threading.current_thread()] = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT: writers queue instead of failing mid-way."""
        conn = self.conn
        if conn.in_transaction:  # nested: join the outer transaction
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def savepoint(self) -> Iterator[sqlite3.Connection]:
        """Inside a transaction, a part that fails alone: an error undoes only this part
        (ROLLBACK TO) and is raised. Outside one, ``transaction()``."""
        conn = self.conn
        if not conn.in_transaction:
            with self.transaction() as outer:
                yield outer
            return
        conn.execute("SAVEPOINT part")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO part")
            conn.execute("RELEASE part")
            raise
        conn.execute("RELEASE part")

    def in_transaction(self) -> bool:
        """Whether this thread's connection has a transaction open."""
        return self.conn.in_transaction

    def commit(self) -> None:
        """Commit this thread's open transaction, if any (see ``begin``)."""
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        """Undo this thread's open transaction, if any."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def begin(self) -> None:
        """Open a transaction that later writes on this thread join, until ``commit``:
        for a writer that groups many small units of work into one commit."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")

    def one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def now(self) -> float:
        return self.clock()

    def read_together(self, reads: dict[str, Callable[[], T]]) -> dict[str, T]:
        """Run independent reads and return their results by name. On PostgreSQL they run
        at once, each on a connection of its own (the server works on them in parallel);
        on SQLite one after the other (in-process reads gain nothing from threads)."""
        if self._pool is None or len(reads) < 2:
            return {name: read() for name, read in reads.items()}
        with self._lock:
            if self._readers is None:
                from concurrent.futures import ThreadPoolExecutor

                self._readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hark-read")
            readers = self._readers
        futures = {name: readers.submit(read) for name, read in reads.items()}
        return {name: future.result() for name, future in futures.items()}

    def open_connections(self) -> int:
        """How many connections this store holds open (one per thread that used it)."""
        with self._lock:
            return len(self._open)

    def close_dead(self) -> int:
        """Close the connections of threads that have ended; return how many."""
        with self._lock:
            dead = [t for t in self._open if not t.is_alive()]
            conns = [self._open.pop(t) for t in dead]
        for conn in conns:
            self._close_quietly(conn)
        return len(conns)

    def release_thread(self) -> None:
        """Close the calling thread's connection (on PostgreSQL, give it back to the
        pool); its next use opens a fresh one."""
        self._local.lite = None
        self._local.db = None
        self._local.pg = None
        with self._lock:
            conn = self._open.pop(threading.current_thread(), None)
        if conn is not None:
            self._close_quietly(conn)

    def close(self) -> None:
        """Close every thread's connection (at shutdown or test teardown)."""
        with self._lock:
            conns = list(self._open.values())
            self._open.clear()
        for conn in conns:
            self._close_quietly(conn)
        self._local = threading.local()
        if self._readers is not None:
            self._readers.shutdown(wait=True)
            self._readers = None
        if self._pool is not None:
            self._pool.close()

    def _close_quietly(self, conn: Any) -> None:
        if isinstance(conn, PgConnection):
            self._pool.putconn(conn.raw)  # rolls back what the thread left open
            return
        try:
            conn.close()
        except sqlite3.ProgrammingError:
            pass  # created in another thread that already closed it


# Set on every pooled session: the server's TCP keepalives end the session of a host that
# vanished (power cut, partition), releasing its locks (a card being sent,
# bot/store/conversations.py); a session idle inside a transaction for 5 minutes (a frozen
# process) is ended too. The leader's own connection sets stricter ones (bot/ops/leader.py).
SESSION_SETTINGS = {**SERVER_KEEPALIVES, "idle_in_transaction_session_timeout": "300s"}


def _postgres_pool(url: str) -> Any:
    """The process's one pool of PostgreSQL connections. Each thread that uses the store
    holds one while it lives (Bolt's workers, the scheduler's, the poller's writer), so
    the pool's size bounds those threads, not requests. A connection is checked when it
    is handed out, and given back with its session's advisory locks released (a pooled
    connection's next thread must not inherit them)."""
    from psycopg_pool import ConnectionPool

    def configure(conn: Any) -> None:
        for name, value in SESSION_SETTINGS.items():
            conn.execute(f"SET {name} = '{value}'")

    def reset(conn: Any) -> None:
        conn.execute("SELECT pg_advisory_unlock_all()")

    return ConnectionPool(
        url,
        min_size=1,
        max_size=int(os.environ.get("HARK_DB_POOL_SIZE") or 32),
        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT, **CLIENT_KEEPALIVES},
        configure=configure,
        check=ConnectionPool.check_connection,
        reset=reset,
        open=True,
        name="hark",
    )
