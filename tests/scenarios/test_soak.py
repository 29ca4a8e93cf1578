"""A short soak: flaky Slack, changing feeds, concurrent clicks; nothing twice, nothing lost."""

from __future__ import annotations

from bench.soak import run_soak


def test_short_soak_sends_everything_once_and_counts_every_click():
    report = run_soak(seconds=8, seed=3)
    assert report.ok, report.problems
    assert report.relevant > 20 and report.sent_once == report.relevant
    assert report.clicks > 20 and report.claims_won > 0
    assert report.injected_failures > 0
