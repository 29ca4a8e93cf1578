"""The PostgreSQL tier's groundwork: the server the test run starts, a database per test, and
the two primitives issue 15 builds on (an advisory lock for the leading poller, FOR UPDATE
SKIP LOCKED for taking outbox rows)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.postgres import (
    APP_ROLE,
    BINDIR_ENV,
    REQUIRE_ENV,
    PostgresServer,
    PostgresUnavailable,
    candidate_bindirs,
    find_bindir,
    stop_orphans,
)

psycopg = pytest.importorskip("psycopg", reason="needs psycopg: pip install -e '.[test]'")

LEADER_LOCK = 15  # any bigint: the key the leading poller will hold


def test_a_test_gets_its_own_empty_database_as_the_app_role(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        user, database, tables = conn.execute(
            "SELECT current_user, current_database(),"
            " (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')"
        ).fetchone()
        assert user == APP_ROLE
        assert pg_url.endswith("/" + database)
        assert tables == 0
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert superuser.fetchone() == (False,)
        # The role owns its database: it can create tables, as the store's migrations will.
        conn.execute("CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY, body text)")
        conn.execute("INSERT INTO notes (body) VALUES (%s), (%s)", ("a & b", "é"))
        rows = conn.execute("SELECT id, body, upper(body) FROM notes ORDER BY id").fetchall()
        assert rows == [(1, "a & b", "A & B"), (2, "é", "É")]
        assert conn.execute("SHOW TimeZone").fetchone() == ("UTC",)


def test_two_databases_of_one_test_are_independent(
    pg_server: PostgresServer, pg_url: str, request: pytest.FixtureRequest
) -> None:
    other = pg_server.new_database(label="other")
    request.addfinalizer(lambda: pg_server.drop_database(other.name))
    assert other.url != pg_url
    with psycopg.connect(pg_url, autocommit=True) as first:
        first.execute("CREATE TABLE topics (name text PRIMARY KEY)")
        first.execute("INSERT INTO topics VALUES ('kubernetes')")
    with psycopg.connect(other.url, autocommit=True) as second:
        assert second.execute("SELECT to_regclass('topics')").fetchone() == (None,)
        second.execute("CREATE TABLE topics (name text PRIMARY KEY)")
        second.execute("INSERT INTO topics VALUES ('postgres'), ('sqlite')")
    with psycopg.connect(pg_url) as first:
        assert first.execute("SELECT name FROM topics").fetchall() == [("kubernetes",)]


def test_dropping_a_database_ends_the_connections_a_test_left_open(
    pg_server: PostgresServer,
) -> None:
    database = pg_server.new_database(label="left_open")
    forgotten = psycopg.connect(database.url)
    pg_server.drop_database(database.name)
    with pytest.raises(psycopg.OperationalError):
        forgotten.execute("SELECT 1")
    forgotten.close()
    admin = pg_server.admin()
    gone = admin.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (database.name,))
    assert gone.fetchone() == (0,)


HOLDER = """
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
held = conn.execute("SELECT pg_try_advisory_lock(%s)", (int(sys.argv[2]),)).fetchone()[0]
print("held" if held else "refused", flush=True)
time.sleep(60)
"""


def _try_lock(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,)).fetchone()[0]


def test_an_advisory_lock_is_released_when_its_holder_dies(pg_url: str) -> None:
    """The leadership primitive: a poller holds the lock for as long as its session lives;
    kill -9 the process and a standby takes the lock over within moments."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, pg_url, str(LEADER_LOCK)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with psycopg.connect(pg_url, autocommit=True) as standby:
            assert _try_lock(standby) is False
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=5)
            deadline = time.monotonic() + 5
            while not _try_lock(standby):
                assert time.monotonic() < deadline, "the dead holder's lock was never released"
                time.sleep(0.02)
            # Held now by the standby's session, and only by it.
            held = standby.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s"
                " AND pid = pg_backend_pid() AND granted",
                (LEADER_LOCK,),
            ).fetchone()
            assert held == (1,)
            with psycopg.connect(pg_url, autocommit=True) as third:
                assert _try_lock(third) is False
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=5)


def _outbox(pg_url: str, rows: int) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE outbox (id bigint PRIMARY KEY, taken_by text)")
        conn.execute("INSERT INTO outbox (id) SELECT generate_series(1, %s)", (rows,))


TAKE = "SELECT id FROM outbox WHERE taken_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"


def test_for_update_skip_locked_hands_two_workers_different_rows(pg_url: str) -> None:
    _outbox(pg_url, 3)
    with psycopg.connect(pg_url) as first, psycopg.connect(pg_url) as second:
        assert first.execute(TAKE).fetchone() == (1,)  # first's transaction keeps row 1 locked
        assert second.execute(TAKE).fetchone() == (2,)  # not blocked: row 1 is skipped
        with pytest.raises(psycopg.errors.LockNotAvailable):
            second.execute("SELECT id FROM outbox WHERE id = 1 FOR UPDATE NOWAIT")
        second.rollback()
        first.rollback()  # row 1 goes back to the pool
        assert second.execute(TAKE).fetchone() == (1,)


def test_two_workers_draining_an_outbox_take_every_row_once(pg_url: str) -> None:
    _outbox(pg_url, 40)
    taken: dict[str, list[int]] = {"a": [], "b": []}

    def drain(worker: str) -> None:
        with psycopg.connect(pg_url) as conn:
            while True:
                with conn.transaction():
                    row = conn.execute(TAKE).fetchone()
                    if row is None:
                        return
                    conn.execute("UPDATE outbox SET taken_by = %s WHERE id = %s", (worker, row[0]))
                    taken[worker].append(row[0])

    workers = [threading.Thread(target=drain, args=(name,)) for name in taken]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)
    assert not any(worker.is_alive() for worker in workers)
    assert sorted(taken["a"] + taken["b"]) == list(range(1, 41))
    with psycopg.connect(pg_url) as conn:
        counts = conn.execute("SELECT taken_by, count(*) FROM outbox GROUP BY 1").fetchall()
        assert sum(count for _, count in counts) == 40
        assert {worker for worker, _ in counts} <= {"a", "b"}


ORPHANER = """
import sys, time
from tests.support.postgres import PostgresServer
server = PostgresServer.start()
print(server.base, server.datadir / "postmaster.pid", flush=True)
time.sleep(60)
"""


def test_a_server_left_by_a_killed_run_is_stopped_by_the_next(pg_server: PostgresServer) -> None:
    root = str(Path(__file__).resolve().parents[2])
    run = subprocess.Popen(
        [sys.executable, "-c", ORPHANER],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": root},
    )
    try:
        assert run.stdout is not None
        base, pidfile = run.stdout.readline().split()
        run.send_signal(signal.SIGKILL)  # no atexit, no fixture teardown: the server stays up
        run.wait(timeout=5)
        port = int(Path(pidfile).read_text().splitlines()[3])  # postmaster.pid: line 4
        orphan = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        psycopg.connect(orphan, connect_timeout=5).close()  # still serving
        assert Path(base) in stop_orphans(pg_server.bindir, pg_server.os_user)
        assert not Path(base).exists()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(orphan, connect_timeout=5)
        assert pg_server.admin().execute("SELECT 1").fetchone() == (1,)  # ours untouched
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=5)


# -- without PostgreSQL ---------------------------------------------------------------------


def test_no_binaries_names_every_place_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BINDIR_ENV, str(tmp_path))
    with pytest.raises(PostgresUnavailable) as raised:
        find_bindir()
    assert f"${BINDIR_ENV} ({tmp_path})" in str(raised.value)
    assert "initdb, pg_ctl, postgres" in str(raised.value)
    monkeypatch.delenv(BINDIR_ENV)
    looked = [what for what, _ in candidate_bindirs()]
    for place in ("`pg_config --bindir`", "/usr/lib/postgresql/*/bin", "pg_ctl on the PATH"):
        assert place in looked


INNER_TEST = """
def test_needs_postgres(pg_url):
    assert pg_url.startswith("postgresql://")
"""


def _inner_pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    environ = {k: v for k, v in os.environ.items() if k not in (BINDIR_ENV, REQUIRE_ENV)}
    root = str(Path(__file__).resolve().parents[2])
    environ.update(env, PYTHONPATH=root + os.pathsep + environ.get("PYTHONPATH", ""))
    environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.support.pg_fixtures", "-rs", "-q"]
        + ["-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_without_postgresql_the_tier_skips_naming_what_was_looked_for(tmp_path: Path) -> None:
    missing = tmp_path / "no-postgres-here"
    run = _inner_pytest(tmp_path, **{BINDIR_ENV: str(missing)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout
    assert "needs PostgreSQL: no PostgreSQL server binaries" in run.stdout
    assert str(missing) in run.stdout


def test_with_postgresql_required_a_missing_one_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-postgres-here"
    run = _inner_pytest(tmp_path, **{BINDIR_ENV: str(missing), REQUIRE_ENV: "1"})
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 error" in run.stdout
    assert f"{REQUIRE_ENV}=1 but PostgreSQL is unavailable" in run.stdout
