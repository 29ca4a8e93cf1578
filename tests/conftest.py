"""Shared fixtures: a fake Slack, a local feed server, a temp SQLite file, a Hark wired to them.

Helpers live in tests/support (harness, feeds, corpus, ...); this file holds fixtures and the
corpus hook only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.corpus import CORPUS_SKIP, corpus_required
from tests.support.fakeslack import FakeSlack, fake_slack  # noqa: F401 - fixture
from tests.support.feedserver import FeedServer
from tests.support.harness import BASE_CONFIG, Harness, make_harness

pytest_plugins = ["tests.support.pg_fixtures"]  # pg_server, pg_url: the PostgreSQL tier

# Which database a Hark under test stores into (HARK_TEST_DB):
# - unset: every Hark-based test (one that uses a harness, or ``hark_db``) runs twice, on
#   SQLite and on a PostgreSQL the run starts itself (tests/support/postgres.py); with no
#   PostgreSQL on the machine the second run of each skips, saying why;
# - sqlite or postgresql: each such test once, on that engine.
# A test marked ``sqlite_only`` (it reads the SQLite file itself) runs on SQLite alone.
ENGINE_ENV = "HARK_TEST_DB"
ENGINES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: a Hark-based test about the SQLite file itself (one engine)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "hark_engine" not in metafunc.fixturenames:
        return
    if os.environ.get(ENGINE_ENV) or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize(
        "hark_engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
    )


@pytest.fixture
def hark_engine(request: pytest.FixtureRequest) -> str:
    """sqlite or postgresql: see ENGINE_ENV above."""
    engine = os.environ.get(ENGINE_ENV) or "sqlite"
    if engine not in ENGINES:
        raise pytest.UsageError(f"{ENGINE_ENV}={engine!r}: use sqlite or postgresql")
    if request.node.get_closest_marker("sqlite_only"):
        if engine != "sqlite":
            pytest.skip(f"about the SQLite file itself; {ENGINE_ENV}={engine}")
        return "sqlite"
    return engine


@pytest.fixture
def hark_db(hark_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """HARK_DB for a Hark under test: a SQLite file in tmp_path, or the URL of a fresh,
    migrated PostgreSQL database of this test's own."""
    if hark_engine == "postgresql":
        return str(request.getfixturevalue("pg_store_url"))
    return str(tmp_path / "hark.db")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Under HARK_REQUIRE_CORPUS=1 a test skipped for want of the corpus fails instead."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and corpus_required() and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2])
        if CORPUS_SKIP in reason:
            report.outcome = "failed"
            report.longrepr = f"HARK_REQUIRE_CORPUS=1 but the test skipped: {reason}"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def harness_factory(
    fake_slack: FakeSlack,  # noqa: F811
    tmp_path: Path,
    hark_db: str,
    monkeypatch: pytest.MonkeyPatch,
):
    # Bolt reads these on its own; tests control them.
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    made: list[Harness] = []

    def factory(sources: list[str] | None = None, config: str | None = None, **env: str) -> Harness:
        body = config or BASE_CONFIG % "\n".join(f"  - url: {u}" for u in sources or [])
        if not sources and config is None:
            body = body.replace("sources:\n", "")
        h = make_harness(fake_slack, tmp_path, body, **{"HARK_DB": hark_db, **env})
        made.append(h)
        return h

    yield factory
    for h in made:
        h.services.fetcher.close()
        h.store.close()
