"""``hark export``: conversations, engagements or people as CSV or JSON, for spreadsheets
and BI tools. Times are ISO 8601 in UTC; rows are streamed, so a year exports in
constant memory."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.report.csvcells import guarded
from bot.store import Store

KINDS = ("conversations", "engagements", "people")
DATE_HELP = "a date like 2026-11-01 or a time like 2026-11-01T09:00 (UTC)"


def export_rows(
    store: Store,
    what: str,
    since: str | None,
    fmt: str,
    out: TextIO,
    until: str | None = None,
    err: TextIO | None = None,
) -> int:
    """Write the rows to ``out``; returns an exit status (2: a bad argument, said on ``err``)."""
    err = err or sys.stderr
    try:
        since_ts = _timestamp(since) if since else 0.0
        until_ts = _timestamp(until) if until else None
    except ValueError as exc:
        print(f"hark export: {exc}", file=err)
        return 2
    if until_ts is not None and until_ts <= since_ts:
        print("hark export: --until must be after --since", file=err)
        return 2
    cursor = store.export(what, since_ts, until_ts)
    columns = [d[0] for d in cursor.description]
    rows = (_readable(columns, row) for row in cursor)
    if fmt == "json":
        _write_json(rows, out)
    else:
        writer = csv.writer(out)
        writer.writerow(columns)
        # Feed titles, authors and drafts are untrusted: no cell may run as a formula.
        writer.writerows(
            [guarded(v) if isinstance(v, str) else v for v in row.values()] for row in rows
        )
    return 0


def _timestamp(text: str) -> float:
    """``2026-11-01`` (midnight UTC) or an ISO time; a time without a zone is UTC."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not {DATE_HELP}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _readable(columns: list[str], row: tuple) -> dict[str, Any]:
    """A row as a mapping, epoch seconds in ``*_at`` columns as ISO 8601 UTC."""
    out = dict(zip(columns, row, strict=True))
    for key, value in out.items():
        if (key == "at" or key.endswith("_at")) and isinstance(value, (int, float)):
            out[key] = datetime.fromtimestamp(value, UTC).isoformat()
    return out


def _write_json(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    """A JSON array, one object a line, written as the rows come."""
    out.write("[")
    for i, row in enumerate(rows):
        out.write(",\n" if i else "\n")
        out.write(json.dumps(row, ensure_ascii=False))
    out.write("\n]\n")
