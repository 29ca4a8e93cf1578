"""Migrations: one ordered list; a database made by earlier releases opens and keeps its rows."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from bot.store import Store
from bot.store.schema import MIGRATIONS

BEFORE_ISSUE_12 = Path(__file__).parent / "data" / "hark_before_issue12.sql"


def _schema(path: str) -> dict[tuple[str, str], str]:
    """Every table, index and trigger with its SQL, whitespace collapsed."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    finally:
        conn.close()
    return {(t, n): re.sub(r"\s+", " ", sql or "").strip() for t, n, sql in rows}


def _applied(path: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        conn.close()


def _old_database(path: Path) -> str:
    conn = sqlite3.connect(path)
    conn.executescript(BEFORE_ISSUE_12.read_text())
    conn.close()
    return str(path)


def test_migrations_are_one_list_with_unique_names():
    names = [m.__name__ for m in MIGRATIONS]
    assert len(names) == len(set(names))
    assert names[0] == "m001_core"


def test_a_fresh_database_applies_every_migration_in_order(tmp_path):
    path = str(tmp_path / "new.db")
    Store(path).close()
    assert _applied(path) == [m.__name__ for m in MIGRATIONS]


def test_a_database_from_before_opens_with_the_same_schema_as_a_fresh_one(tmp_path):
    old = _old_database(tmp_path / "old.db")
    before = _applied(old)
    store = Store(old)
    try:
        # Nothing re-ran (each name was applied; only those added since ran, in order),
        # and rows written then read back now.
        assert _applied(old) == before + [
            m.__name__ for m in MIGRATIONS if m.__name__ not in before
        ]
        assert "search_002_fts_batched" not in before
        assert store.topic_by_name("kubernetes") is not None
        assert store.conversation(1) is not None
        assert [(m.kind, m.value) for m in store.mutes()] == [("site", "spam.example")]
        assert store.mutes_version() == 1
        assert store.search_posts('"kubernetes"')[0] == 1
        assert not store.add_notice("source-down:1")
    finally:
        store.close()
    fresh = str(tmp_path / "fresh.db")
    Store(fresh).close()
    assert _schema(old) == _schema(fresh)


def test_a_database_missing_the_newest_migrations_gets_them(tmp_path):
    old = _old_database(tmp_path / "old.db")
    conn = sqlite3.connect(old)
    conn.execute("DROP TABLE seen_signatures")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'replays_001_seen_signatures'")
    conn.commit()
    conn.close()
    kept = _applied(old)
    Store(old).close()
    fresh = str(tmp_path / "fresh.db")
    Store(fresh).close()
    assert _schema(old) == _schema(fresh)
    # Applied now, after every migration the database kept.
    assert _applied(old)[: len(kept)] == kept
    assert "replays_001_seen_signatures" in _applied(old)[len(kept) :]
