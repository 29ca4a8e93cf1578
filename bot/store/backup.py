"""Copying the database whole: ``hark backup``, and the scratch copy a dry run works on.

SQLite's online backup copies a consistent snapshot while other processes keep writing.
PostgreSQL's is pg_dump (one consistent snapshot too), in its custom format: restore it with
``pg_restore --no-owner -d <url> FILE``. The password goes to pg_dump in its environment,
never on its command line (where ``ps`` would show it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess


class BackupError(Exception):
    """A backup that could not be made, as one sentence with its fix."""


def copy_database(path: str, target: str) -> None:
    """Copy the database at ``path`` into ``target`` (an empty or new file)."""
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()


def dump_postgres(url: str, target: str, timeout: float = 3600) -> None:
    """pg_dump of the database at ``url`` into ``target`` (custom format)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump is not installed; install PostgreSQL's client tools (the same major "
            "version as the server or newer, e.g. apt install postgresql-client), then retry"
        )
    params = conninfo_to_dict(url)
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = str(password)
    command = [pg_dump, "--format=custom", "--no-owner", f"--file={target}"]
    done = subprocess.run(
        [*command, f"--dbname={make_conninfo(**params)}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        if password:
            said = said.replace(str(password), "***")
        raise BackupError(f"pg_dump failed: {said.removeprefix('pg_dump: ')}")
