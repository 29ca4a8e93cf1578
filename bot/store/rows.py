"""Database rows to the typed data of bot/models.py: the store's queries end here, so no
``sqlite3.Row`` leaves the store.

Columns are passed by name: a query that selects a column its model lacks (or lacks
one the model needs) fails loudly rather than dropping it. SQLite has no booleans and
stores a state as text; both are converted here, once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any, TypeVar

from bot import models as m

T = TypeVar("T")

_FLAGS: dict[type, tuple[str, ...]] = {
    m.Conversation: ("deliver", "reply_verified"),
    m.Source: ("enabled", "from_config", "seeded", "failure_reported"),
    m.TopicRecord: ("enabled", "from_config"),
    m.Person: ("pingable",),
    m.Coverage: ("declared", "registered", "pingable"),
    m.Candidate: ("pingable", "declared"),
    m.EmployeePost: ("mentions_company",),
}
_STATES: frozenset[type] = frozenset({m.Conversation, m.ReplyWatchDue})


def one(cls: type[T], row: sqlite3.Row | None) -> T | None:
    """``row`` as a ``cls``, or None when there is no row."""
    return None if row is None else _build(cls, row)


def many(cls: type[T], rows: Iterable[sqlite3.Row]) -> list[T]:
    """Every row as a ``cls``, in order."""
    return [_build(cls, r) for r in rows]


def _build(cls: type[T], row: sqlite3.Row) -> T:
    fields: dict[str, Any] = dict(zip(row.keys(), row, strict=True))
    for flag in _FLAGS.get(cls, ()):
        fields[flag] = bool(fields[flag])
    if cls in _STATES:
        fields["state"] = m.State(fields["state"])
    return cls(**fields)
