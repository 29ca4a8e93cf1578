"""Where SQLite and PostgreSQL write the same thing differently.

The store's SQL is written once, in the forms both engines accept (``ON CONFLICT``,
``RETURNING``, ``count(*) FILTER``, ``IS NOT DISTINCT FROM``, qualified upsert columns,
bound parameters in ``?`` / ``:name`` style). What cannot be written once goes through a
``Dialect``: each store mixin reaches it as ``self.dialect`` and splices its fragments
into the statement text. Fragments are SQL, never values: values are always bound.
"""

from __future__ import annotations


class Dialect:
    """SQLite's spelling. ``PostgresDialect`` overrides what PostgreSQL spells otherwise."""

    name = "sqlite"

    def indexed_by(self, index: str) -> str:
        """A hint naming the index a query must use (SQLite's planner picks a worse one
        for a few hand-tuned queries); PostgreSQL plans without hints."""
        return f" INDEXED BY {index}"

    def string_agg(self, expr: str, sep: str) -> str:
        """Concatenate ``expr`` over a group with the separator ``sep`` (an SQL
        expression, usually a bound parameter). NULLs are skipped on both engines."""
        return f"group_concat({expr}, {sep})"

    def to_int(self, expr: str) -> str:
        """``expr`` truncated toward zero to an integer (SQLite's CAST truncates;
        PostgreSQL's rounds, so it truncates first)."""
        return f"CAST({expr} AS INTEGER)"

    def json_number(self, column: str, key: str) -> str:
        """The number at top-level ``key`` of the JSON text in ``column``; 0 when the
        text is not JSON or the key is missing. ``key`` is a constant identifier."""
        return (
            f"(CASE WHEN json_valid({column})"
            f" THEN coalesce(json_extract({column}, '$.{key}'), 0) ELSE 0 END)"
        )

    def table_exists(self, table: str) -> str:
        """A query returning one row when ``table`` exists (bind nothing)."""
        return f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}'"


class PostgresDialect(Dialect):
    name = "postgresql"

    def indexed_by(self, index: str) -> str:
        return ""

    def string_agg(self, expr: str, sep: str) -> str:
        return f"string_agg(CAST({expr} AS text), {sep})"

    def to_int(self, expr: str) -> str:
        return f"CAST(trunc({expr}) AS bigint)"

    def json_number(self, column: str, key: str) -> str:
        return f"coalesce(CAST(CAST({column} AS jsonb) ->> '{key}' AS double precision), 0)"

    def table_exists(self, table: str) -> str:
        return f"SELECT 1 WHERE to_regclass('{table}') IS NOT NULL"


SQLITE = Dialect()
POSTGRES = PostgresDialect()
