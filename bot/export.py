"""``hark export``: conversations, engagements or people as CSV or JSON."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from typing import TextIO

from bot.store import Store


def export_rows(store: Store, what: str, since: str | None, fmt: str, out: TextIO) -> int:
    """Write the rows; dates are ISO 8601 UTC. Returns an exit status."""
    try:
        since_ts = datetime.fromisoformat(since).replace(tzinfo=UTC).timestamp() if since else 0.0
    except ValueError:
        print(f"hark: --since {since!r} is not a date like 2026-11-01", flush=True)
        return 2
    rows = [dict(r) for r in store.export(what, since_ts)]
    for row in rows:
        for key, value in row.items():
            if key.endswith("_at") and isinstance(value, (int, float)):
                row[key] = datetime.fromtimestamp(value, UTC).isoformat()
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return 0
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return 0
