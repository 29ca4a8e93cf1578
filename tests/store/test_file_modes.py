"""The database, its WAL and shared-memory files, and backups are the running user's alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.cli import backup_database
from bot.models import SourceSpec
from bot.store import Store


@pytest.fixture
def usual_umask():
    old = os.umask(0o022)  # the usual default, under which files are created 0644
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_shm_and_backups_are_0600(tmp_path, usual_umask):
    db = tmp_path / "hark.db"
    store = Store(str(db))
    try:
        store.add_source(SourceSpec("feed", "https://u:pw@feeds.example/f?token=t", 600, ""))
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        backup = tmp_path / "copy.db"
        assert backup_database(str(db), str(backup)) == 0
        assert _mode(backup) == 0o600
        assert backup_database(str(db), str(backup)) == 2  # never overwrites
    finally:
        store.close()


def test_an_existing_world_readable_database_is_tightened(tmp_path, usual_umask):
    db = tmp_path / "old.db"
    Store(str(db)).close()
    db.chmod(0o644)
    Store(str(db)).close()
    assert _mode(db) == 0o600
