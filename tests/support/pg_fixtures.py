"""pytest fixtures for the PostgreSQL tier (registered from tests/conftest.py).

- `pg_server`: one throwaway cluster for the whole session (tests/support/postgres.py), started
  the first time a test asks for it, so a run that selects no PostgreSQL test pays nothing.
  No PostgreSQL on the machine (or no psycopg): every test that uses it skips, the reason
  naming what was looked for; with HARK_REQUIRE_POSTGRES=1 (CI, .ci/run) they fail instead.
- `pg_database` / `pg_url`: a fresh, empty database per test, cloned from the session's
  template, owned by the non-superuser role `hark`, dropped after the test (open connections
  included).
- `pg_store_database` / `pg_store_url`: the same, but cloned from a template the store's
  PostgreSQL migrations (bot/store/schema_pg.py) were applied to, once a run: a database the
  store opens as it is (its migrations find every name applied).

Every test that uses these is marked `postgres`: `pytest -m postgres` runs the tier alone,
`pytest -m "not postgres"` leaves it out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import (
    MIGRATED_TEMPLATE,
    REQUIRE_ENV,
    Database,
    PostgresServer,
    PostgresUnavailable,
    migrate,
    postgres_required,
)

MARK = "postgres"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARK}: uses the real PostgreSQL the test run starts (the second tier)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(MARK)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as exc:
        missing = str(exc)
    else:
        missing = ""
    if missing and postgres_required():
        pytest.fail(f"{REQUIRE_ENV}=1 but PostgreSQL is unavailable: {missing}", pytrace=False)
    if missing:
        pytest.skip(f"needs PostgreSQL: {missing}")
    try:
        server.create_template()  # empty: pg_url
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_database(pg_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[Database]:
    database = pg_server.new_database(label=request.node.name)
    yield database
    pg_server.drop_database(database.name)


@pytest.fixture
def pg_url(pg_database: Database) -> str:
    """A postgresql:// URL of a fresh, empty database of its own for this test."""
    return pg_database.url


@pytest.fixture(scope="session")
def pg_store_template(pg_server: PostgresServer) -> str:
    """The template with the store's schema, migrated the first time a test asks for it."""
    return pg_server.create_template(MIGRATED_TEMPLATE, setup=migrate)


@pytest.fixture
def pg_store_database(
    pg_server: PostgresServer, pg_store_template: str, request: pytest.FixtureRequest
) -> Iterator[Database]:
    database = pg_server.new_database(template=pg_store_template, label=request.node.name)
    yield database
    pg_server.drop_database(database.name)


@pytest.fixture
def pg_store_url(pg_store_database: Database) -> str:
    """A postgresql:// URL of a fresh database of this test's own, with the store's schema."""
    return pg_store_database.url
