"""PostgreSQL behind the sqlite3 API the store's SQL is written against.

The store talks to a connection the way Python's sqlite3 module does: ``execute`` with
``?`` or ``:name`` parameters, ``cursor()``, ``rowcount``, rows read by position or
name, and its own BEGIN / COMMIT / SAVEPOINT statements. On SQLite that is sqlite3
itself. On PostgreSQL it is ``PgConnection`` here: a thin layer over a psycopg 3
connection (autocommit, so the store's own BEGIN … COMMIT are the transactions) that
rewrites each statement's placeholders once (cached) and hands back sqlite3-like rows.
psycopg is imported only when a ``postgresql://`` URL is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from bot.dburl import is_postgres

__all__ = ["PgConnection", "PgCursor", "Row", "connect_postgres", "is_postgres", "to_psycopg"]

# TCP keepalives on both ends of a connection: a link gone silent (a host that vanished
# without closing its socket) is declared dead after about idle + interval * count = 11 s.
# The client's are libpq connection parameters, the server's are session settings.
CLIENT_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}
SERVER_KEEPALIVES = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}

# A statement's pieces that are copied untouched: quoted strings and identifiers,
# comments, and PostgreSQL's ``::`` casts; then the pieces rewritten.
_TOKEN = re.compile(
    r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|::)"""
    r"""|(\?)|(?<![:\w]):([A-Za-z_]\w*)|(%)""",
    re.DOTALL,
)


@lru_cache(maxsize=4096)
def to_psycopg(sql: str, bound: bool = True) -> str:
    """``sql`` in psycopg's parameter style: ``?`` → ``%s``, ``:name`` → ``%(name)s``, a
    literal ``%`` doubled (only when parameters are bound: psycopg parses the text for
    placeholders only then). SQLite's ``BEGIN IMMEDIATE`` becomes ``BEGIN``."""
    if sql.lstrip().upper().startswith("BEGIN"):
        return "BEGIN"
    if not bound:
        return sql

    def rewrite(match: re.Match[str]) -> str:
        kept, question, name, percent = match.groups()
        if kept is not None:
            return kept.replace("%", "%%") if kept.startswith(("'", '"')) else kept
        if question is not None:
            return "%s"
        if name is not None:
            return f"%({name})s"
        return "%%" if percent else match.group(0)

    return _TOKEN.sub(rewrite, sql)


class Row:
    """One result row, read like ``sqlite3.Row``: ``row[0]``, ``row["name"]``, ``keys()``."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: tuple[Any, ...], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            try:
                return self._values[self._index[key]]
            except KeyError:
                raise IndexError(f"No item with that key: {key!r}") from None
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))!r})"


_ROWS = object()  # a cursor's default: sqlite3.Row-like rows (``row_factory = None``: tuples)


class PgCursor:
    """A psycopg cursor with sqlite3's surface. ``row_factory = None`` gives plain tuples,
    as on a sqlite3 cursor; the default gives ``Row``s."""

    lastrowid = None  # PostgreSQL has none: the store writes INSERT … RETURNING id

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.row_factory: object = _ROWS
        self._index: dict[str, int] | None = None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        self._index = None
        if params:
            self._raw.execute(to_psycopg(sql), params)
        else:
            self._raw.execute(to_psycopg(sql, bound=False))
        return self

    def executemany(self, sql: str, seq: Iterable[Sequence[Any] | dict[str, Any]]) -> PgCursor:
        self._index = None
        self._raw.executemany(to_psycopg(sql), list(seq))
        return self

    @property
    def rowcount(self) -> int:
        return int(self._raw.rowcount)

    @property
    def description(self) -> Any:
        return self._raw.description

    def _wrap(self, values: tuple[Any, ...]) -> Any:
        if self.row_factory is None:
            return values
        if self._index is None:
            names = [column.name for column in self._raw.description or ()]
            self._index = {name: i for i, name in enumerate(names)}
        return Row(values, self._index)

    def fetchone(self) -> Any:
        if self._raw.description is None:
            return None
        values = self._raw.fetchone()
        return None if values is None else self._wrap(values)

    def fetchall(self) -> list[Any]:
        if self._raw.description is None:
            return []
        return [self._wrap(values) for values in self._raw.fetchall()]

    def __iter__(self) -> Iterator[Any]:
        if self._raw.description is None:
            return iter(())
        return (self._wrap(values) for values in self._raw)


class PgConnection:
    """A psycopg 3 connection (autocommit) with sqlite3's surface."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def cursor(self) -> PgCursor:
        return PgCursor(self.raw.cursor())

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any] | dict[str, Any]]) -> PgCursor:
        return self.cursor().executemany(sql, seq)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


def connect_postgres(url: str, **options: Any) -> PgConnection:
    """One PostgreSQL connection of its own (not pooled): for a parse worker's reads and
    the leader's lock."""
    import psycopg

    return PgConnection(psycopg.connect(url, autocommit=True, **options))


def database_errors() -> tuple[type[Exception], ...]:
    """The exceptions a failed statement raises, on whichever engines are loaded."""
    import sqlite3
    import sys

    errors: list[type[Exception]] = [sqlite3.Error]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.Error)
    return tuple(errors)
