"""X usage counter."""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.schema import migrations


@migrations()
def x_001_usage(db: Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS x_usage (month TEXT PRIMARY KEY, reads INTEGER NOT NULL)"
    )
