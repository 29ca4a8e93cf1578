"""Shared fixtures: a fake Slack, a local feed server, a temp SQLite file, a Hark wired to them.

Helpers live in tests/support (harness, feeds, corpus, ...); this file holds fixtures and the
corpus hook only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.corpus import CORPUS_SKIP, corpus_required
from tests.support.fakeslack import FakeSlack, fake_slack  # noqa: F401 - fixture
from tests.support.feedserver import FeedServer
from tests.support.harness import BASE_CONFIG, Harness, make_harness

pytest_plugins = ["tests.support.pg_fixtures"]  # pg_server, pg_url: the PostgreSQL tier


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
def harness_factory(fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    # Bolt reads these on its own; tests control them.
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    made: list[Harness] = []

    def factory(sources: list[str] | None = None, config: str | None = None, **env: str) -> Harness:
        body = config or BASE_CONFIG % "\n".join(f"  - url: {u}" for u in sources or [])
        if not sources and config is None:
            body = body.replace("sources:\n", "")
        h = make_harness(fake_slack, tmp_path, body, **env)
        made.append(h)
        return h

    yield factory
    for h in made:
        h.services.fetcher.close()
        h.store.close()
