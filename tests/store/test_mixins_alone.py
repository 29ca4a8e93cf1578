"""Each store concern stands on StoreBase alone (no mixin needs another): the base's
connections, transactions and clock; once-only notices; X reads per month; exports."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from bot.store.base import StoreBase, private_database
from bot.store.export import ExportStore
from bot.store.notices import NoticesStore
from bot.store.xusage import XUsageStore


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "hark.db")


def test_a_new_database_file_is_private_and_an_old_one_is_tightened(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    private_database(str(fresh))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    old = tmp_path / "old.db"
    old.write_bytes(b"")
    old.chmod(0o644)
    wal = tmp_path / "old.db-wal"
    wal.write_bytes(b"")
    wal.chmod(0o644)
    private_database(str(old))
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    private_database(":memory:")  # nothing to do for databases without a file


def test_the_base_alone_migrates_uses_its_clock_and_one_connection_per_thread(path: str) -> None:
    base = StoreBase(path, clock=lambda: 1234.5)
    try:
        assert base.now() == 1234.5
        assert base.one("SELECT count(*) AS n FROM topics")["n"] == 0  # the schema is there
        other: list[sqlite3.Connection] = []
        worker = threading.Thread(target=lambda: other.append(base.conn))
        worker.start()
        worker.join()
        assert other[0] is not base.conn and base.open_connections() == 2
        assert base.close_dead() == 1 and base.open_connections() == 1
        base.release_thread()
        assert base.open_connections() == 0
    finally:
        base.close()


def test_a_failed_transaction_leaves_nothing_and_nested_ones_join(path: str) -> None:
    notices = NoticesStore(path)
    try:
        with pytest.raises(RuntimeError), notices.transaction():
            notices.add_notice("a")
            with notices.transaction():  # joins the outer one
                notices.add_notice("b")
            raise RuntimeError("half way")
        assert notices.all("SELECT key FROM notices") == []
        with notices.transaction():
            notices.add_notice("a")
        assert [r["key"] for r in notices.all("SELECT key FROM notices")] == ["a"]
    finally:
        notices.close()


def test_a_notice_is_new_once_until_forgotten(path: str) -> None:
    notices = NoticesStore(path)
    try:
        assert notices.add_notice("source-down:4:2026-03-02") is True
        assert notices.add_notice("source-down:4:2026-03-02") is False
        assert notices.add_notice("source-down:5:2026-03-02") is True
        notices.forget_notice("source-down:4:2026-03-02")  # sending failed: try again later
        assert notices.add_notice("source-down:4:2026-03-02") is True
    finally:
        notices.close()


def test_x_reads_add_up_per_month(path: str) -> None:
    usage = XUsageStore(path)
    try:
        assert usage.x_reads("2026-03") == 0
        usage.add_x_reads("2026-03", 10)
        usage.add_x_reads("2026-03", 25)
        usage.add_x_reads("2026-04", 7)
        assert (usage.x_reads("2026-03"), usage.x_reads("2026-04")) == (35, 7)
    finally:
        usage.close()


def test_exports_name_their_columns_and_refuse_an_unknown_kind(path: str) -> None:
    exports = ExportStore(path)
    try:
        people = exports.export("people", 0)
        assert [d[0] for d in people.description][:3] == ["user_id", "name", "title"]
        assert people.fetchall() == []
        with pytest.raises(ValueError, match="unknown export 'posts'; choose conversations, "):
            exports.export("posts", 0)
    finally:
        exports.close()
