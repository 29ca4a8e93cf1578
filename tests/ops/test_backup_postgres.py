"""`hark backup FILE` on PostgreSQL: pg_dump's custom format, the password never on pg_dump's
command line nor in what Hark prints; the file 0600 and never over an existing one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

pytestmark = pytest.mark.skipif(not shutil.which("pg_restore"), reason="needs pg_restore")


def _backup(url: str, target, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HARK_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "backup", str(target)],
        env={**clean, "HARK_DB": url, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_backup_dumps_the_database_with_pg_dump(pg_url, tmp_path) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE topics (name text)")
        conn.execute("INSERT INTO topics VALUES ('kubernetes')")
    target = tmp_path / "hark.dump"
    done = _backup(pg_url, target)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"backed up {pg_url} to {target} (pg_dump's custom format")
    assert os.stat(target).st_mode & 0o777 == 0o600
    listed = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=False
    )
    assert "TABLE public topics" in listed.stdout and "TABLE DATA public topics" in listed.stdout
    again = _backup(pg_url, target)
    assert again.returncode == 2 and "exists" in again.stderr


def test_a_failed_dump_says_why_without_the_password_and_leaves_no_file(pg_url, tmp_path):
    parts = urlsplit(pg_url)
    wrong = urlunsplit(parts._replace(netloc=f"nobody:pa55word@{parts.hostname}:{parts.port}"))
    target = tmp_path / "hark.dump"
    done = _backup(wrong, target)
    assert done.returncode == 1 and not target.exists()
    assert done.stderr.startswith("hark: cannot back up postgresql://nobody:***@")
    assert "pg_dump failed:" in done.stderr and "pa55word" not in done.stderr + done.stdout
