"""`hark run --role all|web|poller`: the database setting (HARK_DB, else DATABASE_URL, never
printed with its password), the roles SQLite refuses, /healthz per role through the real WSGI
app, and a poller's tick that works only while it leads."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.dburl import is_postgres, scrub, shown
from bot.ops.leader import ROLES, Leader, role_problem
from bot.ops.lifecycle import leader_tick, role_health
from bot.ops.scheduler import Ticker
from bot.ops.web import POLLER_ONLY, wsgi_app
from tests.ops.test_web import call
from tests.support.feeds import rss
from tests.support.hark_cli import HARK
from tests.support.waiting import eventually

URL = "postgresql://hark:s3cret-pw@db.example.com:5432/hark?sslmode=require"


# --- the database setting -----------------------------------------------------------------


def test_hark_db_wins_then_database_url_then_hark_db_file() -> None:
    assert load_settings({}).db_path == "hark.db"
    assert load_settings({"DATABASE_URL": URL}).db_path == URL  # passed to Store unchanged
    assert load_settings({"DATABASE_URL": URL, "HARK_DB": "/srv/h.db"}).db_path == "/srv/h.db"
    assert load_settings({"DATABASE_URL": URL, "HARK_DB": ""}).db_path == URL


def test_a_urls_password_is_never_shown() -> None:
    assert shown(URL) == "postgresql://hark:***@db.example.com:5432/hark?sslmode=require"
    assert shown("postgres://u:p%40ss@h/d") == "postgres://u:***@h/d"
    assert shown("postgresql://u:p@ss@h/d") == "postgresql://u:***@h/d"  # '@' unescaped
    # '#' and '?' unescaped: libpq reads them as the password's, urlsplit as the address's end
    assert shown("postgresql://u:s3cr#et@h/d") == "postgresql://u:***@h/d"
    assert (
        shown("postgresql://u:a?b@h/d?sslmode=require") == "postgresql://u:***@h/d?sslmode=require"
    )
    assert shown("postgresql://u@h/d?password=pw&sslmode=a") == (
        "postgresql://u@h/d?password=***&sslmode=a"
    )
    assert shown("postgresql://h/d") == "postgresql://h/d"
    assert shown("/srv/hark.db") == "/srv/hark.db"
    assert "s3cret" not in repr(load_settings({"DATABASE_URL": URL}))
    assert is_postgres(URL) and is_postgres("POSTGRES://h/d") and not is_postgres("pg.db")


# --- roles on the command line -------------------------------------------------------------


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("SLACK_", "HARK_", "X_", "DATABASE_URL")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/")  # never reached
    monkeypatch.setenv("HARK_DB", str(tmp_path / "hark.db"))
    # main() points the root logger at this test's stderr: give it back afterwards.
    monkeypatch.setattr(logging.getLogger(), "handlers", list(logging.getLogger().handlers))
    return monkeypatch


@pytest.mark.parametrize("role", ["web", "poller"])
def test_sqlite_refuses_every_role_but_all_in_one_line_naming_the_fix(
    env, tmp_path, capsys, role
) -> None:
    assert main(["run", "--role", role]) == 2
    err = capsys.readouterr().err
    db = tmp_path / "hark.db"
    assert err == (
        f"hark: --role {role} needs PostgreSQL (HARK_DB or DATABASE_URL set to a postgresql:// "
        f"URL); with the SQLite file {db}, run one `hark run` (--role all), which answers "
        "Slack and polls.\n"
    )
    assert not db.exists()  # refused before anything opened the database


def test_roles_and_their_refusals() -> None:
    assert ROLES == ("all", "web", "poller")
    assert role_problem("all", "hark.db") is None
    assert role_problem("web", URL) is None and role_problem("poller", URL) is None
    assert "s3cret" not in (role_problem("web", "x.db") or "") and role_problem("web", "x.db")


def test_an_unknown_role_is_refused_by_the_parser(env, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", "--role", "cron"])
    assert exited.value.code == 2
    assert "invalid choice: 'cron' (choose from" in capsys.readouterr().err


def test_run_help_names_the_roles() -> None:
    done = subprocess.run(
        [*HARK, "run", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and "--role {all,web,poller}" in done.stdout


def test_a_poller_needs_no_signing_secret(env, capsys) -> None:
    """Its refusal is the database's (SQLite), not the missing secret the web role needs."""
    env.delenv("SLACK_SIGNING_SECRET")
    assert main(["run", "--role", "poller"]) == 2
    assert "needs PostgreSQL" in capsys.readouterr().err
    assert main(["run", "--role", "all"]) == 2
    assert "SLACK_SIGNING_SECRET is not set" in capsys.readouterr().err


def test_dry_run_is_sqlite_only_and_says_so(env, capsys) -> None:
    env.setenv("HARK_DB", URL)
    assert main(["poll", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hark: poll --dry-run works on a SQLite database only")
    assert "/hark test <query>" in err and "s3cret" not in err


# --- /healthz per role, through the real WSGI app ------------------------------------------


def _health(application) -> tuple[str, dict]:
    status, _, body = call(application, "/healthz")
    return status, json.loads(body)


def test_a_web_worker_is_healthy_without_a_scheduler(harness_factory) -> None:
    h = harness_factory()
    application = wsgi_app(h.app, lambda: role_health("web", h.store), settings=h.settings)
    status, report = _health(application)
    assert status == "200 OK"
    assert report["ok"] and report["role"] == "web" and report["scheduler"] == "none"
    assert report["mode"] == "http" and "leader" not in report and "ticks" not in report


@pytest.mark.sqlite_only
def test_a_poller_is_healthy_while_its_scheduler_runs_and_serves_no_slack_route(
    harness_factory,
) -> None:
    h = harness_factory()
    leader = Leader(h.settings.db_path)
    ticker = Ticker(lambda: None, every=3600)

    def health():
        return role_health("poller", h.store, ticker=ticker, leader=leader)

    application = wsgi_app(None, health, settings=h.settings, no_slack=POLLER_ONLY)
    status, report = _health(application)
    assert status.startswith("503") and report["scheduler"] == "stopped"
    ticker.start()
    try:
        status, report = _health(application)
    finally:
        ticker.stop()
    assert status == "200 OK" and report["role"] == "poller" and "mode" not in report
    assert report["leader"]["leading"] is True  # SQLite: the one process leads
    status, _, body = call(application, "/slack/events", "POST")
    assert status == "404 Not Found" and body.decode() == POLLER_ONLY


def test_a_standby_poller_is_healthy_too(harness_factory, pg_url) -> None:
    h = harness_factory()
    holder, standby = Leader(pg_url), Leader(pg_url)
    ticker = Ticker(lambda: None, every=3600).start()
    try:
        assert holder.check() and not standby.check()
        report = role_health("poller", h.store, ticker=ticker, leader=standby)
        assert report["ok"] and report["leader"]["leading"] is False
    finally:
        ticker.stop()
        holder.stop()
        standby.stop()


# --- a poller's tick works only while it leads ---------------------------------------------


def _items() -> list[dict]:
    now = format_datetime(datetime.now(UTC))
    return [{"title": "k8s pods keep restarting", "link": "https://e.com/1", "pubDate": now}]


def test_a_standby_pollers_tick_polls_and_sends_nothing(harness_factory, feeds, pg_url) -> None:
    feeds.set("/f.xml", rss(_items()))
    h = harness_factory([feeds.url("/f.xml")])
    holder, standby = Leader(pg_url), Leader(pg_url)
    try:
        assert holder.check()
        tick = leader_tick(standby, h.services)
        tick()
        assert feeds.requests == [] and h.fake.calls("chat.postMessage") == []
        holder.stop()  # the leader goes: the standby's next tick takes the lead and works
        tick()
        assert standby.leading
        assert len(feeds.requests) == 1 and len(h.fake.calls("chat.postMessage")) == 1
    finally:
        holder.stop()
        standby.stop()


def test_a_tick_stops_before_sending_once_the_lead_is_lost(harness_factory, feeds) -> None:
    feeds.set("/f.xml", rss(_items()))
    h = harness_factory([feeds.url("/f.xml")])
    h.services.poll_and_deliver(go_on=lambda: False)
    assert len(feeds.requests) == 1  # it polled (that step had begun) ...
    assert h.fake.calls("chat.postMessage") == []  # ... and sent nothing after losing the lead
    h.services.poll_and_deliver()
    assert len(h.fake.calls("chat.postMessage")) == 1


def test_a_poller_that_loses_the_lead_mid_send_stops_after_the_card_in_hand(
    harness_factory, feeds
) -> None:
    now = format_datetime(datetime.now(UTC))
    items = [
        {"title": f"k8s question {i}", "link": f"https://e.com/{i}", "pubDate": now}
        for i in range(3)
    ]
    feeds.set("/f.xml", rss(items))
    h = harness_factory([feeds.url("/f.xml")])
    h.services.poller.poll_due()
    asked: list[int] = []

    def go_on() -> bool:  # leads for the first card only
        asked.append(1)
        return len(asked) == 1

    h.services.publisher.deliver(go_on=go_on)
    assert len(h.fake.calls("chat.postMessage")) == 1
    h.services.publisher.deliver()  # the new leader sends the rest, each once
    assert len(h.fake.calls("chat.postMessage")) == 3


def test_a_new_leader_ticks_at_once_not_at_the_next_interval() -> None:
    ticks: list[float] = []
    ticker = Ticker(lambda: ticks.append(1), every=3600).start()
    try:
        assert eventually(lambda: len(ticks) == 1, timeout=10)
        ticker.wake()  # what a poller does when it takes the lead
        assert eventually(lambda: len(ticks) == 2, timeout=10)
    finally:
        ticker.stop()
    ticker.wake()  # stopped: nothing happens, nothing raises
    assert len(ticks) == 2


def test_migrate_applies_the_migrations_and_exits(env, tmp_path, capsys) -> None:
    db = tmp_path / "hark.db"
    assert main(["migrate"]) == 0 and db.exists()
    assert capsys.readouterr().out == f"migrated {db}: the schema is up to date\n"
    assert main(["migrate"]) == 0  # every process may run it at start


def test_error_text_is_scrubbed_of_passwords() -> None:
    said = "could not open 'postgresql://hark:s3cret-pw@db/h?password=two' (s3cret-pw)"
    assert scrub(said, URL) == "could not open 'postgresql://hark:***@db/h?password=***' (***)"


def test_the_doctor_names_the_database_and_its_roles_without_the_password(
    fake_slack, pg_store_url
) -> None:
    import io

    from bot.ops.doctor import run_doctor

    # The test server trusts local connections: the password is carried and never checked.
    with_password = pg_store_url.replace("postgresql://hark@", "postgresql://hark:s3cret@")
    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake_slack.url, "HARK_DB": with_password}
    )
    out = io.StringIO()
    run_doctor(settings, out)
    first = out.getvalue().splitlines()[0]
    assert first == (
        f"ok   database {shown(with_password)} (PostgreSQL): web workers and pollers may run "
        "apart (`hark run --role web|poller`)"
    )
    assert "hark:***@127.0.0.1" in first and "s3cret" not in out.getvalue()


def test_migrate_on_postgresql_applies_the_schema_and_shows_no_password(env, pg_url, capsys):
    import psycopg

    with_password = pg_url.replace("postgresql://hark@", "postgresql://hark:s3cret@")
    env.setenv("HARK_DB", with_password)
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # again, as every process may at start: nothing to do
    out = capsys.readouterr().out
    assert out == f"migrated {shown(with_password)}: the schema is up to date\n" * 2
    assert "s3cret" not in out
    with psycopg.connect(pg_url) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables")}
    assert {"topics", "sources", "conversations"} <= tables


def test_a_database_that_cannot_be_opened_stops_the_start_in_one_line(fake_slack, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HARK_", "X_"))}
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake_slack.url,
        "HARK_DB": str(tmp_path / "no-such-dir" / "hark.db"),
    }
    done = subprocess.run(
        [*HARK, "run"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"hark: cannot open the database {tmp_path / 'no-such-dir' / 'hark.db'} ("
    )
    assert lines[0].endswith(
        "check HARK_DB (or DATABASE_URL) and that the database answers, then start Hark again."
    )


def test_log_lines_never_carry_a_database_password() -> None:
    from bot.ops.logs import JsonFormatter

    record = logging.LogRecord(
        "psycopg.pool", logging.WARNING, __file__, 1, "cannot connect to %s", (URL,), None
    )
    line = JsonFormatter().format(record)
    assert "s3cret" not in line and "postgresql://hark:***@db.example.com" in line
