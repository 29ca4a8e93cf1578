"""``hark people import FILE`` and ``hark people export [--format csv|json]``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.people.roster import COLUMNS, MAX_ERRORS_SHOWN, export_people, import_people
from bot.store import Store

MAX_FILE_BYTES = 20 * 1024 * 1024


def add_people_parser(sub: Any) -> None:
    """Add the ``people`` command to the ``hark`` subparsers."""
    people = sub.add_parser(
        "people",
        help="import or export the registered people as CSV (see docs/people.md)",
        description="Import or export the people list. Columns: " + ", ".join(COLUMNS),
    )
    actions = people.add_subparsers(dest="people_command", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="register people from a CSV file; all rows or none",
        description="Check every row, report every problem with its line number, and save "
        "only a file without problems (all rows or none).",
    )
    load.add_argument("file", help="a UTF-8 CSV file whose first line names the columns")
    load.add_argument("--dry-run", action="store_true", help="check the file, save nothing")
    dump = actions.add_parser("export", help="write every registered person (the import format)")
    dump.add_argument("--format", choices=["csv", "json"], default="csv")


def run_people(
    args: argparse.Namespace,
    settings: Settings,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run ``hark people …``; returns the exit status (1: the file has problems)."""
    out = out or sys.stdout
    err = err or sys.stderr
    store = Store(settings.db_path)
    try:
        if args.people_command == "export":
            return export_people(store, args.format, out)
        text = _read(Path(args.file), err)
        if text is None:
            return 2
        # A fresh database learns the config's topics here, as `hark run` does at start.
        store.sync_config_topics(settings.config.topics)
        today = datetime.fromtimestamp(store.now(), UTC).date()
        result = import_people(store, text, today, dry_run=args.dry_run)
        if result.errors:
            for line in result.errors[:MAX_ERRORS_SHOWN]:
                print(f"{args.file}: {line}", file=err)
            if len(result.errors) > MAX_ERRORS_SHOWN:
                print(f"… and {len(result.errors) - MAX_ERRORS_SHOWN} more problems", file=err)
            print("hark: nothing was imported; fix the lines above and run again.", file=err)
            return 1
        if args.dry_run:
            print(
                f"{len(result.records)} people checked; the file is fine (nothing saved).", file=out
            )
        else:
            print(f"Imported {result.new} new and updated {result.updated} people.", file=out)
        return 0
    finally:
        store.close()


def _read(path: Path, err: TextIO) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            print(f"hark: {path} is over 20 MB; split it into smaller files.", file=err)
            return None
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        print(f"hark: {path}: no such file", file=err)
    except UnicodeDecodeError as exc:
        print(f'hark: {path} is not UTF-8 (byte {exc.start}); save it as "CSV UTF-8".', file=err)
    except OSError as exc:
        print(f"hark: {path}: {exc.strerror}", file=err)
    return None
