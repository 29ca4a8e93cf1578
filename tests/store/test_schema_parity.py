"""PostgreSQL's schema (bot/store/schema_pg.py) mirrors SQLite's (bot/store/schema.py): the same
migration names in the same order, the same tables, columns, keys, defaults and indexes, with
the differences listed here on purpose; and the same statements have the same outcome on both
(the runner's own tests: tests/store/test_pg_migrations.py)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from bot.store import schema, schema_pg
from bot.store.dialect import POSTGRES
from bot.store.lite import Database
from bot.store.schema_pg import MIGRATIONS_TABLE, apply_pg_migrations

psycopg = pytest.importorskip("psycopg", reason="needs psycopg: pip install -e '.[test]'")

# What one engine has and the other has not, on purpose.
SQLITE_ONLY_TABLES = {
    "_sqlite_migrations",  # sqlite-utils' record; PostgreSQL's is _hark_migrations
    "posts_fts",  # FTS5 and its shadow tables; PostgreSQL: posts.search
    "posts_fts_data",
    "posts_fts_idx",
    "posts_fts_docsize",
    "posts_fts_config",
    "posts_fts_pending",  # the batched indexing queue; PostgreSQL indexes with the row
}
PG_ONLY_TABLES = {MIGRATIONS_TABLE}
PG_ONLY_COLUMNS = {("posts", "search")}  # the generated tsvector
PG_ONLY_INDEXES = {
    "posts_search",  # GIN on posts.search
    "topics_name_nocase",  # SQLite: topics.name UNIQUE COLLATE NOCASE
    "person_topics_nocase",  # SQLite: person_topics' primary key on a NOCASE column
}
# Indexes on a NOCASE column on SQLite, on lower(column) here (their lookups ignore case).
PG_LOWERED = {"person_topics_topic": "topic"}
# SQLite INTEGER columns that are bigint on PostgreSQL besides ids and references to
# them; every other INTEGER is integer, so that sum() is read as an int, not a Decimal.
PG_BIGINT = {("meta", "value")}


def _sqlite_schema(tmp_path: Path) -> sqlite3.Connection:
    path = str(tmp_path / "parity.db")
    schema.apply_migrations(Database(path))
    return sqlite3.connect(path)


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    # (name, type, notnull, default, pk position)
    return {
        name: [
            (r[1], r[2].upper(), bool(r[3]), r[4], r[5])
            for r in conn.execute(f"PRAGMA table_info({name})")
        ]
        for name in names
    }


def _pg_tables(conn) -> dict[str, list[tuple]]:
    rows = conn.execute(
        """SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'NO',
                  c.column_default, c.is_identity = 'YES',
                  (SELECT k.ordinal_position FROM information_schema.key_column_usage k
                     JOIN information_schema.table_constraints t
                       ON t.constraint_name = k.constraint_name
                      AND t.table_name = k.table_name
                    WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name
                      AND k.column_name = c.column_name)
             FROM information_schema.columns c
            WHERE c.table_schema = 'public'
            ORDER BY c.table_name, c.ordinal_position"""
    ).fetchall()
    tables: dict[str, list[tuple]] = {}
    for table, column, kind, notnull, default, identity, pk in rows:
        tables.setdefault(table, []).append((column, kind, notnull, default, pk or 0, identity))
    return tables


def _plain_default(default: str | None) -> str | None:
    """A PostgreSQL column default as SQLite shows it: ''::text -> '', (0)::double -> 0."""
    if default is None:
        return None
    default = re.sub(r"::[a-z ]+$", "", default)
    return re.sub(r"^\((.*)\)$", r"\1", default)


@pytest.fixture
def both(tmp_path: Path, pg_url: str):
    lite = _sqlite_schema(tmp_path)
    with psycopg.connect(pg_url, autocommit=True) as pg:
        apply_pg_migrations(pg)
        yield lite, pg
    lite.close()


def test_the_two_lists_have_the_same_names_in_the_same_order() -> None:
    assert [m.name for m in schema_pg.MIGRATIONS] == [m.__name__ for m in schema.MIGRATIONS]


def test_both_databases_record_the_same_migrations(both) -> None:
    lite, pg = both
    on_sqlite = [r[0] for r in lite.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    on_pg = [r[0] for r in pg.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY applied_at")]
    assert on_pg == on_sqlite == [m.__name__ for m in schema.MIGRATIONS]


def test_tables_and_columns_match_but_for_the_listed_differences(both) -> None:
    lite, pg = both
    on_sqlite, on_pg = _sqlite_tables(lite), _pg_tables(pg)
    assert set(on_sqlite) - SQLITE_ONLY_TABLES == set(on_pg) - PG_ONLY_TABLES
    assert SQLITE_ONLY_TABLES <= set(on_sqlite) and PG_ONLY_TABLES <= set(on_pg)
    pg_only_columns = set()
    for table in sorted(set(on_pg) - PG_ONLY_TABLES):
        lite_cols = on_sqlite[table]
        pg_cols = [c for c in on_pg[table] if (table, c[0]) not in PG_ONLY_COLUMNS]
        pg_only_columns |= {(table, c[0]) for c in on_pg[table] if c not in pg_cols}
        assert [c[0] for c in pg_cols] == [c[0] for c in lite_cols], table
        for (name, lite_type, notnull, default, pk), pg_col in zip(lite_cols, pg_cols):
            _, pg_type, pg_notnull, pg_default, pg_pk, identity = pg_col
            where = f"{table}.{name}"
            # SQLite's `id INTEGER PRIMARY KEY` may be NULL in its table_info; it is never.
            assert pg_notnull == (notnull or pk > 0), where
            assert pg_pk == pk, where
            assert _plain_default(pg_default) == default, where
            assert identity == (name == "id" and pk == 1 and lite_type == "INTEGER"), where
            assert pg_type == _expected_type(table, name, lite_type, lite), where
    assert pg_only_columns == PG_ONLY_COLUMNS


def _expected_type(table: str, column: str, lite_type: str, lite: sqlite3.Connection) -> str:
    if lite_type in ("REAL", "DOUBLE PRECISION"):
        return "double precision"
    if lite_type == "TEXT":
        return "text"
    assert lite_type == "INTEGER", f"{table}.{column}: {lite_type}"
    refers_to_id = any(
        r[3] == column and r[4] == "id" for r in lite.execute(f"PRAGMA foreign_key_list({table})")
    )
    is_id = column == "id" or refers_to_id or (table, column) in PG_BIGINT
    return "bigint" if is_id else "integer"


def test_no_column_is_postgresql_real(both) -> None:
    _, pg = both
    real = pg.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND data_type = 'real'"
    ).fetchall()
    assert real == []


def _sqlite_foreign_keys(lite: sqlite3.Connection, tables) -> set[tuple]:
    keys: dict[tuple, list] = {}
    for table in tables:
        for r in lite.execute(f"PRAGMA foreign_key_list({table})"):
            entry = keys.setdefault((table, r[0], r[2], r[6]), [[], []])
            entry[0].append(r[3])
            entry[1].append(r[4])
    return {(t, tuple(f), ref, tuple(to), rule) for (t, _, ref, rule), (f, to) in keys.items()}


def _pg_foreign_keys(pg) -> set[tuple]:
    rows = pg.execute(
        """SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, c.confdeltype,
                  ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                         ORDER BY k.i),
                  ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                         ORDER BY k.i)
             FROM pg_constraint c WHERE c.contype = 'f'"""
    ).fetchall()
    rules = {"c": "CASCADE", "a": "NO ACTION"}
    return {(t, tuple(f), ref, tuple(to), rules[rule]) for t, ref, rule, f, to in rows}


def test_foreign_keys_match(both) -> None:
    lite, pg = both
    tables = set(_pg_tables(pg)) - PG_ONLY_TABLES
    assert _pg_foreign_keys(pg) == _sqlite_foreign_keys(lite, tables)
    assert len(_pg_foreign_keys(pg)) >= 10


def _sqlite_uniques(lite: sqlite3.Connection, tables) -> set[tuple]:
    found = set()
    for table in tables:
        for _, name, unique, origin, partial in lite.execute(f"PRAGMA index_list({table})"):
            if unique and origin == "u":
                cols = tuple(r[2] for r in lite.execute(f"PRAGMA index_info({name})"))
                found.add((table, cols))
    return found


def _pg_indexes(pg) -> dict[str, tuple[str, bool, tuple[str, ...]]]:
    rows = pg.execute(
        """SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, i.indisunique,
                  i.indisprimary, pg_get_indexdef(i.indexrelid), i.indpred IS NOT NULL,
                  ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                         WHERE k.o <= i.indnkeyatts  -- key columns; INCLUDE ones are extra
                         ORDER BY k.o)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"""
    ).fetchall()
    return {
        name: (table, unique, tuple(cols), primary, definition, partial)
        for name, table, unique, primary, definition, partial, cols in rows
    }


def test_unique_keys_match_and_nocase_ones_are_on_lower(both) -> None:
    lite, pg = both
    indexes = _pg_indexes(pg)
    tables = set(_pg_tables(pg)) - PG_ONLY_TABLES
    # Named unique indexes are compared below, with the others.
    constraints = {
        (table, cols)
        for name, (table, unique, cols, primary, *_) in indexes.items()
        if unique and not primary and name.endswith("_key")
    }
    # topics.name: UNIQUE COLLATE NOCASE on SQLite, a unique index on lower(name) here.
    assert _sqlite_uniques(lite, tables) - {("topics", ("name",))} == constraints
    assert "(lower(name))" in indexes["topics_name_nocase"][4]
    assert "(user_id, lower(topic))" in indexes["person_topics_nocase"][4]


def test_named_indexes_match_on_the_same_columns(both) -> None:
    lite, pg = both
    on_sqlite = {}
    for name, table in lite.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall():
        if table in SQLITE_ONLY_TABLES:
            continue
        flags = {
            r[1]: (bool(r[2]), bool(r[4])) for r in lite.execute(f"PRAGMA index_list({table})")
        }
        # An expression's column is None on SQLite and absent from the list on PostgreSQL.
        cols = [r[2] for r in lite.execute(f"PRAGMA index_xinfo({name})") if r[5]]
        on_sqlite[name] = (table, tuple(c for c in cols if c is not None), *flags[name])
    indexes = _pg_indexes(pg)
    on_pg = {
        name: (table, cols, unique, partial)
        for name, (table, unique, cols, primary, _, partial) in indexes.items()
        if not primary and not name.endswith("_key") and table != MIGRATIONS_TABLE
    }
    assert set(on_pg) - PG_ONLY_INDEXES == set(on_sqlite)
    for name, column in PG_LOWERED.items():
        assert f"(lower({column}))" in indexes[name][4]
        table, cols, unique, partial = on_pg[name]
        on_pg[name] = (table, (*cols, column), unique, partial)
    for name, expected in on_sqlite.items():
        assert on_pg[name] == expected, name


def test_triggers_match_but_for_fts5s(both) -> None:
    lite, pg = both
    on_sqlite = {
        r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    on_pg = {r[0] for r in pg.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    fts5 = {name for name in on_sqlite if name.startswith("posts_fts_")}
    assert (
        on_sqlite - fts5 == on_pg == {f"mutes_version_{e}" for e in ("insert", "delete", "update")}
    )


def test_lookups_that_ignore_case_are_index_scans_and_upserts_find_their_row(both) -> None:
    _, pg = both
    nocase = POSTGRES.nocase("name")  # how bot/store/topics.py names the conflict
    upsert = (
        "INSERT INTO topics (name, query, channel) VALUES (%s, %s, 'C1')"
        f" ON CONFLICT ({nocase}) DO UPDATE SET query = excluded.query"
    )
    pg.execute(upsert, ("Kubernetes", "k8s"))
    pg.execute(upsert, ("KUBERNETES", "kubernetes OR k8s"))
    assert pg.execute("SELECT name, query FROM topics").fetchall() == [
        ("Kubernetes", "kubernetes OR k8s")
    ]
    with pg.transaction():
        pg.execute("SET LOCAL enable_seqscan = off")
        for query, index in (
            ("SELECT id FROM topics WHERE lower(name) = lower(%s)", "topics_name_nocase"),
            (
                "SELECT user_id FROM person_topics WHERE lower(topic) = lower(%s)",
                "person_topics_topic",
            ),
        ):
            plan = " ".join(r[0] for r in pg.execute(f"EXPLAIN {query}", ("Go",)).fetchall())
            assert index in plan, plan


def test_the_reach_index_serves_the_dialects_reach_expression(both) -> None:
    _, pg = both
    reach = POSTGRES.reach("p.metrics")  # as bot/store/digest.py spells it
    for i, metrics in enumerate(['{"followers": 3, "score": 2}', "{}", '{"comments": 1}']):
        pg.execute(
            "INSERT INTO posts (content_hash, first_seen_at, metrics) VALUES (%s, 1, %s)",
            (f"h{i}", metrics),
        )
    walk = f"SELECT p.id, {reach} FROM posts p WHERE {reach} > 0 ORDER BY {reach} DESC LIMIT 5"
    with pg.transaction():
        pg.execute("SET LOCAL enable_seqscan = off")
        plan = " ".join(r[0] for r in pg.execute(f"EXPLAIN {walk}").fetchall())
        assert "Index Scan Backward using digest_post_reach" in plan
    assert [r[1] for r in pg.execute(walk).fetchall()] == [5.0, 1.0]


# -- the same statements, the same outcome on both engines ---------------------------------


def _run(conn, sql: str, params: tuple = ()):
    """Run one statement written with ? placeholders on either engine."""
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, params)
    return conn.execute(sql.replace("?", "%s"), params)


def _refused(conn, sql: str, params: tuple) -> bool:
    errors = (sqlite3.IntegrityError, psycopg.errors.UniqueViolation)
    try:
        if isinstance(conn, sqlite3.Connection):
            _run(conn, sql, params)
        else:
            with conn.transaction():
                _run(conn, sql, params)
    except errors:
        return True
    return False


def test_every_write_to_mutes_bumps_the_mutes_version_on_both(both) -> None:
    for conn in both:
        insert = "INSERT INTO mutes (kind, value, created_at) VALUES (?, ?, ?)"
        _run(conn, insert, ("author", "spam bot", 1.0))
        _run(conn, insert, ("site", "ads.example", 2.0))
        _run(conn, "UPDATE mutes SET created_by = ? WHERE kind = ?", ("U1", "site"))
        _run(conn, "DELETE FROM mutes WHERE kind = ?", ("author",))
        version = _run(conn, "SELECT value FROM meta WHERE key = 'mutes_version'").fetchone()
        assert tuple(version) == (4,), conn


def test_topic_names_and_person_topics_are_unique_whatever_their_case_on_both(both) -> None:
    for conn in both:
        topic = "INSERT INTO topics (name, query, channel) VALUES (?, 'k8s', 'C1')"
        _run(conn, topic, ("Kubernetes",))
        assert _refused(conn, topic, ("kubernetes",))
        assert not _refused(conn, topic, ("Kubernetes operators",))
        _run(conn, "INSERT INTO people (user_id, updated_at) VALUES ('U1', 1)")
        declared = "INSERT INTO person_topics (user_id, topic) VALUES ('U1', ?)"
        _run(conn, declared, ("Go",))
        assert _refused(conn, declared, ("GO",))


def test_timestamps_keep_their_fraction_and_flag_sums_are_ints_on_both(both) -> None:
    stamp = 1_700_000_123.456789
    for conn in both:
        _run(conn, "INSERT INTO people (user_id, updated_at) VALUES ('U1', ?)", (stamp,))
        for link, company in (("https://a.example/1", 1), ("https://a.example/2", 1)):
            _run(
                conn,
                "INSERT INTO employee_posts (user_id, network, link, mentions_company, seen_at)"
                " VALUES ('U1', 'blog', ?, ?, ?)",
                (link, company, stamp),
            )
        row = _run(
            conn,
            "SELECT max(seen_at), sum(mentions_company), (SELECT updated_at FROM people)"
            " FROM employee_posts",
        ).fetchone()
        assert tuple(row) == (stamp, 2, stamp)
        assert type(row[1]) is int  # a Decimal on PostgreSQL if the column were bigint


def test_posts_search_holds_the_words_of_title_text_and_author(both) -> None:
    _, pg = both
    pg.execute(
        "INSERT INTO posts (content_hash, title, text, author, first_seen_at)"
        " VALUES ('h1', 'Kubernetes operators', 'Crème brûlée', 'Ada Lovelace', 1)"
    )
    pg.execute("INSERT INTO posts (content_hash, title, first_seen_at) VALUES ('h2', 'Other', 1)")
    find = "SELECT content_hash FROM posts WHERE search @@ plainto_tsquery('simple', %s)"
    assert pg.execute(find, ("kubernetes lovelace",)).fetchall() == [("h1",)]
    # As written, and without diacritics (as FTS5 finds it on SQLite).
    assert pg.execute(find, ("brûlée",)).fetchall() == [("h1",)]
    assert pg.execute(find, ("creme brulee",)).fetchall() == [("h1",)]
    folded = find.replace("%s)", "hark_fold(%s))")
    assert pg.execute(folded, ("Crème",)).fetchall() == [("h1",)]
    pg.execute("UPDATE posts SET title = 'Helm charts' WHERE content_hash = 'h1'")
    assert pg.execute(find, ("kubernetes",)).fetchall() == []
    assert pg.execute(find, ("helm",)).fetchall() == [("h1",)]


WORDS = "café Łódź straße øre Ærø naïve Ångström ŠKODA Việt x\u0303y ǅemal ﬁne façade йод ё ἀλφα ά ǹ ș ő ɓ"


def test_hark_fold_removes_the_diacritics_fts5_removes(both) -> None:
    lite, pg = both
    lite.execute("CREATE VIRTUAL TABLE probe_vocab USING fts5vocab(posts_fts, 'row')")
    lite.execute(
        "INSERT INTO posts (id, content_hash, text, first_seen_at) VALUES (1, 'h', ?, 1)",
        (WORDS,),
    )
    lite.execute("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")
    on_sqlite = sorted(r[0] for r in lite.execute("SELECT term FROM probe_vocab"))
    on_pg = pg.execute(
        "SELECT array_agg(DISTINCT lower(hark_fold(w))) FROM unnest(string_to_array(%s, ' ')) w",
        (WORDS,),
    ).fetchone()[0]
    assert sorted(on_pg) == on_sqlite
    assert "cafe" in on_sqlite and "łodz" in on_sqlite  # folded, but ł is a letter of its own
