"""A lean start (issue 14): a warm `hark poll --once` imports only what polling uses. On an
up-to-date database no sqlite-utils (migrations only); no view data or Slack client while
there is nothing to send. Proved by the modules a real `hark poll --once` loaded, not by time."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import pytest

from bot.store import Store
from bot.store.schema import MIGRATIONS, schema_is_current
from tests.support.feeds import rss
from tests.support.feedserver import FeedServer
from tests.support.hark_cli import ITEMS, hark_env

# Imported only when needed: a migration runs; a card is built; a message is sent; a copy
# of the database is made (hark backup, poll --dry-run); a feed has something to read (the
# parse path: fastfeedparser, lxml, dateutil); never: httpx's command-line client.
HEAVY = (
    "sqlite_utils",
    "bot.viewdata",
    "bot.blocks.conversation",
    "slack_sdk",
    "bot.store.backup",
    "bot.parse.feeds",
    "click",
)
# `hark poll --once`, then which of HEAVY it had imported.
POLL_AND_SAY_WHAT_LOADED = f"""
import sys
from bot.cli import main
code = main(["poll", "--once"])
print("loaded:", *sorted(m for m in {HEAVY!r} if m in sys.modules))
sys.exit(code)
"""


def _poll(env: dict[str, str]) -> tuple[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", POLL_AND_SAY_WHAT_LOADED],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = next(line for line in done.stdout.splitlines() if line.startswith("loaded:"))
    return done.stdout, set(loaded.split()[1:])


@pytest.mark.parametrize("channel", ["C0K8S", "#kubernetes"])
def test_a_warm_poll_imports_neither_migrations_nor_view_data_nor_slack(
    fake_slack, tmp_path, hark_db, hark_engine, channel
):
    fake_slack.channel_names["C0K8S"] = "kubernetes"
    with FeedServer() as feeds:
        feeds.set("/f.xml", rss(ITEMS), etag='"v1"')  # the warm poll: 304 Not Modified
        env = hark_env(tmp_path, fake_slack, feeds.url("/f.xml"), HARK_DB=hark_db)
        config = tmp_path / "hark.yml"
        config.write_text(config.read_text().replace("C0K8S", repr(channel)))
        cold, cold_loaded = _poll(env)
        listed = len(fake_slack.calls("conversations.list"))
        warm, warm_loaded = _poll(env)
    # The first poll sent a card (so built it with Slack's client); on SQLite it created
    # the schema through sqlite-utils: what the probe sees when a module is imported.
    assert "sent 1" in cold
    assert {
        "bot.viewdata",
        "bot.blocks.conversation",
        "slack_sdk",
        "bot.parse.feeds",
    } <= cold_loaded
    assert ("sqlite_utils" in cold_loaded) == (hark_engine == "sqlite")
    assert [call.args["channel"] for call in fake_slack.calls("chat.postMessage")] == ["C0K8S"]
    assert "sent 0" in warm and "not-modified" in warm
    if channel.startswith("#"):
        # The warm poll asked Slack for the channel's ID again: its client, nothing more.
        assert len(fake_slack.calls("conversations.list")) > listed > 0
        assert warm_loaded == {"slack_sdk"}
    else:
        assert warm_loaded == set()


@pytest.mark.sqlite_only
def test_the_schema_is_current_only_when_every_migration_is_recorded(tmp_path):
    path = str(tmp_path / "hark.db")
    conn = sqlite3.connect(path)
    assert not schema_is_current(conn)  # nothing yet: no record table
    Store(path).close()
    assert schema_is_current(conn)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (MIGRATIONS[-1].__name__,))
    conn.commit()
    assert not schema_is_current(conn)  # Store would apply that one (test_migrations.py)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name) VALUES ('hark', ?)",
        (MIGRATIONS[-1].__name__,),
    )
    conn.commit()
    assert schema_is_current(conn)
    conn.execute("UPDATE _sqlite_migrations SET migration_set = 'other'")
    conn.commit()
    assert not schema_is_current(conn)  # another app's records are not Hark's
    conn.close()


@pytest.mark.sqlite_only
def test_every_connection_fires_triggers_recursively_as_through_sqlite_utils(tmp_path):
    # sqlite-utils' Database set recursive_triggers on each connection it wrapped (a REPLACE
    # then fires delete triggers); connections opened without it keep that setting.
    store = Store(str(tmp_path / "hark.db"))
    seen = []
    try:
        seen.append(store.one("PRAGMA recursive_triggers")[0])
        other = threading.Thread(
            target=lambda: seen.append(store.one("PRAGMA recursive_triggers")[0])
        )
        other.start()
        other.join()
    finally:
        store.close()
    assert seen == [1, 1]


@pytest.mark.parametrize("command", [True, False])
def test_at_exit_a_hark_command_leaves_memory_to_the_os(command):
    # A handler registered before the command runs runs after the command's (last in, first
    # out): by then every object is frozen, out of the last collections' reach. Importing
    # bot.cli alone (a test, another program) changes nothing at exit.
    probe = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "import bot.cli\n"
        "print('frozen before exit:', gc.get_freeze_count() > 0)\n"
    )
    if command:  # any command; this one is refused by the argument parser at once
        probe += "try:\n    bot.cli.main(['no-such-command'])\nexcept SystemExit:\n    pass\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    said = done.stdout.split("\n")[:2]
    assert said == ["frozen before exit: False", f"frozen at exit: {command}"]
