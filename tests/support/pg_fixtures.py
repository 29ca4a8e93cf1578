"""pytest fixtures for the PostgreSQL tier (registered from tests/conftest.py).

- `pg_server`: one throwaway cluster for the whole session (tests/support/postgres.py), started
  the first time a test asks for it, so a run that selects no PostgreSQL test pays nothing.
  No PostgreSQL on the machine (or no psycopg): every test that uses it skips, the reason
  naming what was looked for; with HARK_REQUIRE_POSTGRES=1 (CI, .ci/run) they fail instead.
- `pg_database` / `pg_url`: a fresh database per test, cloned from the session's template,
  owned by the non-superuser role `hark`, dropped after the test (open connections included).

Every test that uses these is marked `postgres`: `pytest -m postgres` runs the tier alone,
`pytest -m "not postgres"` leaves it out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import (
    REQUIRE_ENV,
    Database,
    PostgresServer,
    PostgresUnavailable,
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
        # When the store speaks PostgreSQL, its migrations go here (setup=...), once a run.
        server.create_template()
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
