"""Database rows to the typed data of bot/models.py: the store's queries end here, so no
``sqlite3.Row`` leaves the store.

A query's columns must be its model's fields (those with defaults may be left out): a
column the model lacks, or one it needs and did not get, fails loudly rather than being
dropped. Columns in field order are passed by position, which is several times faster
than by name for the thousands of due sources a poll cycle reads. SQLite has no booleans and
stores a state as text; both are converted here, once. PostgreSQL's rows (bot/store/engine.py)
may hold a Decimal where the model wants an int or a float (``sum()`` of a bigint, ``avg()``)
and a bool where it wants an int: they are converted too; SQLite's rows skip that step.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar, cast

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
    return None if row is None else many(cls, (row,))[0]


def many(cls: type[T], rows: Iterable[sqlite3.Row]) -> list[T]:
    """Every row as a ``cls``, in order."""
    found: list[T] = []
    convert = None
    for row in rows:
        if convert is None:
            convert = _converter(cls, tuple(row.keys()), type(row) is not sqlite3.Row)
        found.append(convert(row))
    return found


def fetch(
    conn: sqlite3.Connection, cls: type[T], sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[T]:
    """Run a query and build its rows as ``cls`` straight from tuples (no ``sqlite3.Row``
    in between): for the reads of many rows on a hot path (the due sources)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute(sql, params)
    columns = tuple(d[0] for d in cursor.description)
    convert = _converter(cls, columns, not isinstance(conn, sqlite3.Connection))
    return [convert(r) for r in cursor]


def _number(kind: type) -> Callable[[Any], Any]:
    """``kind`` (int or float) from a Decimal or a bool; other values as they are."""

    def convert(value: Any) -> Any:
        return kind(value) if isinstance(value, (Decimal, bool)) else value

    return convert


_AS_INT, _AS_FLOAT = _number(int), _number(float)


def _base_type(annotation: Any) -> str:
    """``int`` for an annotation ``int`` or ``int | None`` (a string, a ForwardRef or a
    type), likewise the other names."""
    text = getattr(annotation, "__forward_arg__", annotation)
    text = text if isinstance(text, str) else getattr(text, "__name__", str(text))
    return text.split("|")[0].strip()


@cache
def _converter(
    cls: type[T], columns: tuple[str, ...], numbers: bool = False
) -> Callable[[Sequence[Any]], T]:
    """How to build a ``cls`` from rows with these columns: positionally (the poller reads
    every due source each cycle), converting only the columns that need it. ``numbers``:
    the rows are PostgreSQL's, whose int and float columns may need converting."""
    if dataclasses.is_dataclass(cls):
        fields = dataclasses.fields(cls)
        names = [f.name for f in fields]
        required = {f.name for f in fields if f.default is dataclasses.MISSING}
        types = {f.name: _base_type(f.type) for f in fields}
    else:  # a NamedTuple
        names = list(cls._fields)  # type: ignore[attr-defined]
        required = set(names) - set(cls._field_defaults)  # type: ignore[attr-defined]
        types = {n: _base_type(t) for n, t in getattr(cls, "__annotations__", {}).items()}
    if set(columns) - set(names) or required - set(columns):
        raise TypeError(
            f"{cls.__name__}: columns {sorted(set(columns) - set(names))} unknown,"
            f" {sorted(required - set(columns))} missing"
        )
    # One expression per column, compiled once per (model, columns): building thousands
    # of rows then costs a call, not a loop over the columns.
    flags, state = set(_FLAGS.get(cls, ())), "state" if cls in _STATES else None
    values = []
    for i, column in enumerate(columns):
        value = f"r[{i}]"
        if column in flags:
            value = f"bool({value})"
        elif column == state:
            value = f"State({value})"
        elif numbers and types.get(column) in ("int", "float"):
            value = f"_{types[column]}({value})"
        values.append(value if list(columns) == names[: len(columns)] else f"{column}={value}")
    # The columns are names from the store's own SQL, checked against the model above.
    scope = {"cls": cls, "State": m.State, "_int": _AS_INT, "_float": _AS_FLOAT}
    build = eval(f"lambda r: cls({', '.join(values)})", scope)
    return cast("Callable[[Sequence[Any]], T]", build)
