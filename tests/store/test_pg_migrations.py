"""apply_pg_migrations (bot/store/schema_pg.py): each PostgreSQL migration applied once, in its
own transaction, however many processes start at once; a failing one rolls back whole."""

from __future__ import annotations

import threading

import pytest

from bot.store import schema_pg
from bot.store.schema_pg import MIGRATIONS_TABLE, PgMigration, apply_pg_migrations

psycopg = pytest.importorskip("psycopg", reason="needs psycopg: pip install -e '.[test]'")


NAMES = [m.name for m in schema_pg.MIGRATIONS]


def _recorded(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")]


def test_migrating_again_applies_nothing(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert apply_pg_migrations(conn) == NAMES
        assert apply_pg_migrations(conn) == []
    assert sorted(_recorded(pg_url)) == sorted(NAMES)


def test_a_connection_outside_autocommit_is_migrated_and_committed(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        assert apply_pg_migrations(conn) == NAMES
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert len(_recorded(pg_url)) == len(NAMES)


def test_a_connection_with_a_transaction_open_is_refused(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute("SELECT 1")
        with pytest.raises(RuntimeError, match="no transaction open"):
            apply_pg_migrations(conn)


def test_a_database_migrated_by_an_older_release_gets_only_the_rest(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert apply_pg_migrations(conn, schema_pg.MIGRATIONS[:4]) == NAMES[:4]
        assert apply_pg_migrations(conn) == NAMES[4:]


def test_a_failing_migration_rolls_back_whole_and_is_not_recorded(pg_url: str) -> None:
    broken = PgMigration("zz_broken", ("CREATE TABLE half (a integer)", "SELECT no_such()"))
    with psycopg.connect(pg_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedFunction):
            apply_pg_migrations(conn, [*schema_pg.MIGRATIONS[:1], broken])
        assert conn.execute("SELECT to_regclass('half')").fetchone() == (None,)
        assert _recorded(pg_url) == ["m001_core"]
        assert apply_pg_migrations(conn) == NAMES[1:]


def test_four_processes_starting_at_once_apply_each_migration_exactly_once(pg_url: str) -> None:
    workers = 4
    start = threading.Barrier(workers)
    applied: list[list[str]] = []
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            with psycopg.connect(pg_url, autocommit=True, connect_timeout=5) as conn:
                start.wait(timeout=5)
                applied.append(apply_pg_migrations(conn))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert len(applied) == workers
    assert sorted(name for names in applied for name in names) == sorted(NAMES)
    assert sorted(_recorded(pg_url)) == sorted(NAMES)
