"""``hark people import|export``: the people list as CSV (or JSON), validated row by row.

Import is all or nothing: every row is checked first, every problem is reported
with its line number, and only a file without problems is saved, in one
transaction. A column the file leaves out keeps each person's current value;
an empty cell clears it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, TextIO

from bot.grammar import plural
from bot.people.handles import NETWORKS, split_list, validate_registration
from bot.report.csvcells import guarded, unguarded
from bot.store import Store
from bot.store.people import PersonRecord

COLUMNS: tuple[str, ...] = (
    "slack_user_id",
    "name",
    "title",
    "department",
    "topics",
    "tags",
    "languages",
    "pingable",
    "away_until",
    *NETWORKS,
)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}
_AT_HANDLES = ("x", "mastodon", "youtube")  # written without "@" so no guard is needed
MAX_ERRORS_SHOWN = 100


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (``errors``: one line each)."""

    errors: list[str] = field(default_factory=list)
    records: list[PersonRecord] = field(default_factory=list)
    new: int = 0
    updated: int = 0


def check_people_csv(
    text: str, store: Store, known_topics: Sequence[str], today: date
) -> ImportResult:
    """Validate every row of a people CSV; nothing is saved here."""
    result = ImportResult()
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.errors.append("line 1: the file is empty; the first line names the columns.")
        return result
    except csv.Error as exc:
        result.errors.append(f"line 1: {exc}")
        return result
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        result.errors.append(
            f"line 1: unknown {plural(len(unknown), 'column')} "
            f"{', '.join(f'“{u}”' for u in unknown)}; the columns are {', '.join(COLUMNS)}."
        )
    if "slack_user_id" not in header:
        result.errors.append("line 1: the slack_user_id column is required (e.g. U0123ABCD).")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        result.errors.append(
            f"line 1: {plural(len(repeated), 'column')} named twice: {', '.join(repeated)}."
        )
    if result.errors:
        return result
    seen: dict[str, int] = {}
    topics_hint = ", ".join(known_topics) or "none configured"
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append(f"line {line}: {exc}")
            break
        row_line, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            result.errors.append(
                f"line {row_line}: {len(cells)} cells, but the header has {len(header)}; "
                "is a comma inside a value missing its quotes?"
            )
            continue
        row = {h: unguarded(c.strip()) for h, c in zip(header, cells, strict=True)}
        problems, record = _check_row(row, store, known_topics, today)
        user_id = row["slack_user_id"].upper()
        if user_id in seen:
            problems.insert(0, f"{user_id} is already on line {seen[user_id]}")
        elif user_id:
            seen[user_id] = row_line
        for problem in problems:
            result.errors.append(f"line {row_line}: {problem}")
        if record is not None and not problems:
            result.records.append(record)
    if any("not a topic" in e for e in result.errors):
        result.errors.append(f"(the topics are: {topics_hint})")
    return result


def _check_row(
    row: dict[str, str], store: Store, known_topics: Sequence[str], today: date
) -> tuple[list[str], PersonRecord | None]:
    problems: list[str] = []
    user_id = row["slack_user_id"].upper()
    if not _USER_ID.match(user_id):
        problems.append(
            f"slack_user_id {row['slack_user_id']!r} is not a Slack user ID like U0123ABCD "
            "(Slack: profile → ⋮ → Copy member ID)"
        )
        return problems, None
    values = _current_values(store, user_id)
    for column, cell in row.items():
        if column == "topics":
            values["topics"] = split_list(cell)
        elif column == "pingable":
            flag = cell.lower()
            if flag not in _YES | _NO:
                problems.append(f"pingable: {cell!r} should be yes or no")
            values["pingable"] = flag in _YES
        elif column != "slack_user_id":
            values[column] = cell
    reg = validate_registration(values, list(known_topics), today)
    for topic in reg.unknown_topics:
        problems.append(f"topics: {topic!r} is not a topic Hark knows")
    for column, error in reg.errors.items():
        problems.append(f"{column}: {error}")
    return problems, PersonRecord(user_id, reg.profile, reg.topics, reg.accounts)


def _current_values(store: Store, user_id: str) -> dict[str, Any]:
    """The person's registration as field -> value, so left-out columns keep it."""
    person = store.person(user_id)
    if person is None:
        return {}
    values: dict[str, Any] = asdict(person)
    values.update(store.accounts(user_id))
    values["topics"] = store.person_topics(user_id)
    return values


def import_people(store: Store, text: str, today: date, *, dry_run: bool = False) -> ImportResult:
    """Check the whole file; save every row in one transaction only if all are right."""
    known = [t.name for t in store.topics()]
    result = check_people_csv(text, store, known, today)
    if result.errors or dry_run:
        return result
    result.new, result.updated = store.save_people(result.records)
    return result


def people_rows(store: Store) -> Iterable[dict[str, Any]]:
    """Every registered person as a dict keyed by :data:`COLUMNS` (JSON-friendly types)."""
    for person in store.people():
        user_id = person.user_id
        accounts = store.accounts(user_id)
        yield {
            "slack_user_id": user_id,
            "name": person.name,
            "title": person.title,
            "department": person.department,
            "topics": store.person_topics(user_id),
            "tags": split_list(person.tags),
            "languages": split_list(person.languages),
            "pingable": bool(person.pingable),
            "away_until": person.away_until or "",
            **{network: accounts.get(network, "") for network in NETWORKS},
        }


def export_people(store: Store, fmt: str, out: TextIO) -> int:
    """Write every registered person; the CSV is the import format. Returns an exit status."""
    rows = list(people_rows(store))
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return 0
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            if isinstance(value, list):
                value = "; ".join(value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            elif column in _AT_HANDLES:
                value = value.removeprefix("@")
            cells.append(guarded(str(value)))
        writer.writerow(cells)
    return 0
