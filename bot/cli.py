"""The ``hark`` command: run, poll, init, doctor, backup, export, people."""

from __future__ import annotations

import argparse
import atexit
import functools
import gc
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.dburl import is_postgres, scrub, shown
from bot.error_text import plain, reason
from bot.grammar import count, plural
from bot.ops.leader import ROLES, role_problem
from bot.ops.logs import setup_logging
from bot.people.roster_cli import add_people_parser, run_people
from bot.store import Store

if TYPE_CHECKING:
    from bot.poll.poller import Poller
    from bot.wiring import Services

log = logging.getLogger("hark")


def main(argv: Sequence[str] | None = None) -> int:
    # At exit the interpreter's last collections walk every object of every module only to
    # free memory the operating system takes back anyway: frozen, they skip it (~40 ms off
    # each `hark poll --once`). atexit, logging's flush and close, and explicit closes all
    # still run. Registered by a `hark` command, not by importing this module; once.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    parser = argparse.ArgumentParser(
        prog="hark", description="Hark: put your experts into the conversations that matter."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run_ = sub.add_parser(
        "run", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)"
    )
    run_.add_argument(
        "--role",
        choices=ROLES,
        default="all",
        help="all: answer Slack and poll (the default; the only role with SQLite); web: answer "
        "Slack only; poller: poll, send and run the scheduled jobs, one leading at a time",
    )
    poll = sub.add_parser(
        "poll", help="poll every enabled source once, now, post what is new, exit"
    )
    # `hark poll` always means one cycle (`hark run` polls on a schedule); --once is kept
    # for the scripts that already say it.
    poll.add_argument("--once", action="store_true", help="one cycle, then exit (the default)")
    poll.add_argument(
        "--dry-run", action="store_true", help="print what would be posted; touch nothing"
    )
    sub.add_parser("migrate", help="apply the database migrations, then exit")
    init = sub.add_parser("init", help="write a commented starter config (hark.yml)")
    init.add_argument("file", nargs="?", default="hark.yml", help="where (default: hark.yml)")
    sub.add_parser("doctor", help="check tokens, channels and sources; print what to fix")
    backup = sub.add_parser("backup", help="copy the database to FILE while Hark runs")
    backup.add_argument("file", help="where to write the copy (must not exist)")
    export = sub.add_parser("export", help="write conversations, engagements or people as CSV/JSON")
    export.add_argument("what", choices=["conversations", "engagements", "people"])
    export.add_argument("--since", default=None, help="YYYY-MM-DD (default: everything)")
    export.add_argument("--until", default=None, help="YYYY-MM-DD, exclusive (default: now)")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    add_people_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "init":
        return init_config(Path(args.file))

    setup_logging()

    try:
        settings = load_settings(os.environ)
    except ConfigError as exc:
        print(f"hark: config error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "run":
            return run(settings, args.role)
        if args.command == "migrate":
            return migrate(settings.db_path)
        if args.command == "poll":
            return poll_once(settings, dry_run=args.dry_run)
        if args.command == "doctor":
            from bot.ops.doctor import run_doctor

            return run_doctor(settings, sys.stdout)
    except ConfigError as exc:  # found at start: e.g. a config channel the bot cannot see
        print(f"hark: config error: {exc}", file=sys.stderr)
        return 2
    if args.command == "backup":
        return backup_database(settings.db_path, args.file)
    if args.command == "people":
        return run_people(args, settings)
    if args.command == "export":
        from bot.report.export import export_rows

        store = Store(settings.db_path)
        try:
            return export_rows(
                store, args.what, args.since, args.format, sys.stdout, until=args.until
            )
        finally:
            store.close()
    return 2


def run(settings: Settings, role: str = "all") -> int:
    """The bot in its role: listeners, the scheduler, or both (see bot/ops/lifecycle.py)."""
    from bot.ops.lifecycle import run_bot

    problem = role_problem(role, settings.db_path)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if not settings.bot_token:
        print("hark: SLACK_BOT_TOKEN is not set (xoxb-…); see README, Quick start", file=sys.stderr)
        return 2
    if role != "poller" and not settings.app_token and not settings.signing_secret:
        print(
            "hark: SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests "
            "(or set SLACK_APP_TOKEN for Socket Mode)",
            file=sys.stderr,
        )
        return 2
    return run_bot(settings, role)


def migrate(db: str) -> int:
    """``hark migrate``: bring the schema up to date and exit. Every process may run it at
    start: the store applies migrations when it opens (on PostgreSQL under an advisory lock,
    so processes starting together apply each migration once)."""
    try:
        Store(db).close()
    except Exception as exc:  # noqa: BLE001 - one line, the password never shown
        print(f"hark: cannot migrate {shown(db)}: {scrub(reason(exc), db)}", file=sys.stderr)
        return 1
    print(f"migrated {shown(db)}: the schema is up to date")
    return 0


def init_config(path: Path) -> int:
    """``hark init``: the starter config, never over an existing file."""
    from bot.starter import write_starter

    try:
        print(write_starter(path))
    except FileExistsError:
        print(f"hark: {path} exists; edit it, or give another file name", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"hark: cannot write {path}: {reason(exc)}", file=sys.stderr)
        return 2
    return 0


def backup_database(db_path: str, target: str) -> int:
    """A consistent copy even while the bot writes: SQLite's online backup, or pg_dump."""
    postgres = is_postgres(db_path)
    if not postgres and not Path(db_path).exists():
        print(f"hark: no database at {db_path} (HARK_DB)", file=sys.stderr)
        return 2
    if Path(target).exists():
        print(f"hark: {target} exists; choose a new file name", file=sys.stderr)
        return 2
    # Created here, 0600 and only if new: a backup holds everything the database does.
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        print(f"hark: {target} exists; choose a new file name", file=sys.stderr)
        return 2
    from bot.store.backup import BackupError, copy_database, dump_postgres

    if not postgres:
        copy_database(db_path, target)
        print(f"backed up {db_path} to {target}")
        return 0
    try:
        dump_postgres(db_path, target)
    except BackupError as exc:
        Path(target).unlink(missing_ok=True)
        print(f"hark: cannot back up {shown(db_path)}: {exc}", file=sys.stderr)
        return 1
    print(
        f"backed up {shown(db_path)} to {target} (pg_dump's custom format; restore it with "
        "pg_restore --no-owner -d <database URL>)"
    )
    return 0


DRY_RUN_SQLITE_ONLY = (
    "hark: poll --dry-run works on a SQLite database only (it polls into a scratch copy of the "
    "file; a PostgreSQL database is not copied); to see what a query catches, use "
    "`/hark test <query>` in Slack."
)


def poll_once(settings: Settings, *, dry_run: bool = False) -> int:
    """One cycle over every enabled source, whatever its schedule; then send and exit."""
    from bot.ops.channels import ChannelResolver, needs_resolution
    from bot.wiring import build_poller, build_services, with_channel_ids

    db_path = settings.db_path
    scratch = None
    if dry_run and is_postgres(db_path):
        print(DRY_RUN_SQLITE_ONLY, file=sys.stderr)
        return 2
    if dry_run:
        # Work on a copy so a dry run changes nothing: the real run later posts the same.
        scratch = tempfile.mkdtemp(prefix="hark-dry-")
        db_path = str(Path(scratch) / "dry.db")
        if Path(settings.db_path).exists():
            from bot.store.backup import copy_database

            copy_database(settings.db_path, db_path)
    elif not settings.bot_token:
        print(
            "hark: SLACK_BOT_TOKEN is not set; use --dry-run to poll without Slack", file=sys.stderr
        )
        return 2
    store = Store(db_path)
    try:
        client = channels = None
        if settings.bot_token and needs_resolution(settings.config):
            # Channel names to IDs, through Slack: its client alone, not the services.
            from bot.ops.slack import slack_client

            client = slack_client(settings)
            channels = ChannelResolver(client)
            settings = with_channel_ids(settings, channels)

        @functools.cache
        def services_now() -> Services:
            """The services, built on first need and then shared (one Slack client and
            its rate pacing for every source reported down and for the delivery)."""
            return build_services(settings, store, client=client, channels=channels)

        # A lean start: Block Kit, the engagement and the rest only once there is
        # something to send (or a source to report down).
        poller = build_poller(
            settings,
            store,
            on_source_down=lambda source: services_now().notifier.source_down(source),
        )
        store.force_all_due()
        report = poller.poll_due()
        for outcome in report.sources:
            line = f"{outcome.label}: {outcome.status}, {outcome.new_posts} new, {outcome.relevant} relevant"
            if outcome.error:
                line += f" — {plain(outcome.error)}"
            print(line)
        if dry_run:
            waiting = store.outbox(10_000)
            for row in waiting:
                print(f"would post to {row.channel} [{row.topic}] {row.title} <{row.link}>")
            print(_held_back(sum(o.relevant for o in report.sources), len(waiting), poller))
            return 0

        if not store.outbox(1):
            print("sent 0, held 0")
            return 0
        services = services_now()
        delivery = services.publisher.deliver(limit=10_000)
        print(f"sent {len(delivery.sent)}, held {len(delivery.held)}")
        return 1 if delivery.held else 0
    finally:
        store.close()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def _held_back(relevant: int, posting: int, poller: Poller) -> str:
    """The dry run's last line: what would be posted, and why the rest would not."""
    said = f"{count(posting, 'conversation')} would be posted"
    held = relevant - posting
    if held <= 0:
        return said + "."
    hours = poller.backfill_hours
    return (
        f"{said}; {count(held, 'relevant post')} {plural(held, 'is')} held back: older than "
        f"the backfill window ({hours} h) on its source's first poll, or under its topic's "
        f"min_score. {plural(held, 'It', 'They')} {plural(held, 'is')} recorded and will never "
        "be posted as new."
    )


if __name__ == "__main__":
    sys.exit(main())
