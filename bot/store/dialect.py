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

    def reach(self, column: str = "metrics") -> str:
        """A post's reach: the followers, score and comments its source reported in the
        JSON text ``column`` (``p.metrics`` in a join), added up; 0 when not JSON.

        The index ``digest_post_reach`` is on this very expression, and a query uses it
        only when spelled exactly alike. SQLite: schema.REACH_SQL, character for
        character (a test holds them equal).
        """
        return (
            f"(CASE WHEN json_valid({column}) THEN"
            f" coalesce(json_extract({column}, '$.followers'), 0)"
            f" + coalesce(json_extract({column}, '$.score'), 0)"
            f" + coalesce(json_extract({column}, '$.comments'), 0) ELSE 0 END)"
        )

    def each_of(self, column: str, subquery: str) -> str:
        """``column IN (subquery)``, spelled so the planner seeks an index on ``column``
        once per value the subquery returns. SQLite does so with IN; PostgreSQL hash-joins
        an IN (subquery) over a range scan of some other index, but seeks for each element
        of ``= ANY(ARRAY(subquery))`` (one array, computed first)."""
        return f"{column} IN ({subquery})"

    def skip_locked(self, table: str) -> str:
        """Appended to a SELECT that takes rows of ``table`` (an alias) for this worker:
        PostgreSQL locks them until commit and other takers skip them; SQLite needs
        nothing (one writer at a time: the taker runs in BEGIN IMMEDIATE)."""
        return ""

    def nocase(self, column: str) -> str:
        """How an upsert names the conflict on a column unique regardless of case: SQLite's
        column is ``UNIQUE COLLATE NOCASE``, PostgreSQL's unique index is on ``lower()``
        (bot/store/schema_pg.py). Queries compare through ``equal_nocase``."""
        return column

    def equal_nocase(self, column: str, value: str) -> str:
        """``column`` equal to ``value`` (SQL: usually a bound parameter) whatever the
        case, for the columns unique regardless of case (topics.name,
        person_topics.topic). SQLite's are declared ``COLLATE NOCASE``, so a plain ``=``
        folds case and seeks their index (``lower()`` would scan the table);
        PostgreSQL's indexes are on ``lower(column)``."""
        return f"{column} = {value}"

    def xact_lock(self, pair: bool = False) -> str | None:
        """A statement that, inside a transaction, makes every other transaction running
        it with the same integer key (bind one bigint; with ``pair``, two 32-bit ints, a
        key space of its own) wait until this one ends; None on SQLite, where BEGIN
        IMMEDIATE already lets one writer in at a time."""
        return None

    def held_lock(self) -> tuple[str, str, str] | None:
        """Statements around a lock a worker holds while it does one thing outside the
        database (a Slack call), keyed by a pair of 32-bit ints (bind both): (take it if
        free, giving a boolean; release it; whether a live session holds it, an SQL
        condition on the expressions ``{0}``/``{1}`` filled in by the caller). PostgreSQL:
        a session-level advisory lock, released when the holder's session ends (a worker
        killed with -9 too). None on SQLite: one process, nothing to ask."""
        return None

    def reserve_ids(self, table: str) -> str:
        """A query returning ``?`` fresh ids of ``table`` in one statement, so a batch of
        rows is written with one ``executemany`` rather than one ``INSERT … RETURNING``
        each (on PostgreSQL a round trip per row; on SQLite a statement per row, about
        40 % of the poller's insert time). The caller runs it inside the transaction that
        inserts the rows. SQLite: the ids after the largest, as SQLite itself would give
        them one by one; ``BEGIN IMMEDIATE`` holds the write lock, so no other writer
        can take them meanwhile. ``table``'s key is an INTEGER PRIMARY KEY ``id``."""
        return (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
            " WHERE i < CAST(? AS INTEGER))"
            f" SELECT (SELECT coalesce(max(id), 0) FROM {table}) + i FROM n"
        )


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

    def reach(self, column: str = "metrics") -> str:
        """PostgreSQL's reach, a double precision. The PostgreSQL index
        ``digest_post_reach`` (schema_pg.py) must be on exactly ``reach("metrics")``
        (in its own parentheses: ``ON posts ((…))``): the "most reach" walk reads it
        from the top. ``metrics`` is always a JSON object (ingest writes json.dumps of
        a dict; the column defaults to '{}'), so the cast cannot fail; PostgreSQL 15
        has no json_valid to guard it."""
        keys = ("followers", "score", "comments")
        return "(" + " + ".join(self.json_number(column, key) for key in keys) + ")"

    def each_of(self, column: str, subquery: str) -> str:
        return f"{column} = ANY(ARRAY({subquery}))"

    def skip_locked(self, table: str) -> str:
        return f" FOR UPDATE OF {table} SKIP LOCKED"

    def nocase(self, column: str) -> str:
        return f"lower({column})"

    def equal_nocase(self, column: str, value: str) -> str:
        return f"lower({column}) = lower({value})"

    def xact_lock(self, pair: bool = False) -> str | None:
        if pair:
            return "SELECT pg_advisory_xact_lock(CAST(? AS integer), CAST(? AS integer))"
        return "SELECT pg_advisory_xact_lock(CAST(? AS bigint))"

    def held_lock(self) -> tuple[str, str, str] | None:
        return (
            "SELECT pg_try_advisory_lock(CAST(? AS integer), CAST(? AS integer))",
            "SELECT pg_advisory_unlock(CAST(? AS integer), CAST(? AS integer))",
            # Advisory locks are per database: the cluster may hold others' of that key.
            (
                "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid = {0} AND objid = {1} AND objsubid = 2)"
            ),
        )

    def reserve_ids(self, table: str) -> str:
        return (
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"
            " FROM generate_series(1, CAST(? AS integer))"
        )


SQLITE = Dialect()
POSTGRES = PostgresDialect()
