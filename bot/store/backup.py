"""Copying the database file whole: ``hark backup``, and the scratch copy a dry run works on.

SQLite's online backup copies a consistent snapshot while other processes keep writing.
(On PostgreSQL, issue 15, this is where pg_dump goes.)
"""

from __future__ import annotations

import sqlite3


def copy_database(path: str, target: str) -> None:
    """Copy the database at ``path`` into ``target`` (an empty or new file)."""
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
