"""Metrics: counters with escaped labels, Slack latency as a cumulative Prometheus histogram,
and totals read from the store, in the text exposition format."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import SourceSpec
from bot.ops.metrics import BUCKETS, Metrics
from bot.store import Store


@pytest.fixture
def store(tmp_path: Path):
    made = Store(str(tmp_path / "hark.db"))
    yield made
    made.close()


def test_counters_add_up_per_label_set_with_labels_escaped(store: Store) -> None:
    metrics = Metrics()
    metrics.count("hark_polls_total", kind="feed")
    metrics.count("hark_polls_total", 2, kind="feed")
    metrics.count("hark_polls_total", kind="x")
    metrics.count("hark_odd_total", why='say "hi" \\ bye')
    lines = metrics.render(store).splitlines()
    assert 'hark_polls_total{kind="feed"} 3' in lines
    assert 'hark_polls_total{kind="x"} 1' in lines
    assert 'hark_odd_total{why="say \\"hi\\" \\\\ bye"} 1' in lines


def test_slack_latency_is_a_cumulative_histogram(store: Store) -> None:
    metrics = Metrics()
    for seconds in (0.01, 0.3, 0.3, 3.0, 60.0):
        metrics.observe_slack(seconds)
    text = metrics.render(store)
    expected = {0.05: 1, 0.1: 1, 0.25: 1, 0.5: 3, 1.0: 3, 2.5: 3, 5.0: 4, 10.0: 4}
    assert tuple(expected) == BUCKETS
    for bound, n in expected.items():
        assert f'hark_slack_request_seconds_bucket{{le="{bound}"}} {n}\n' in text
    assert 'hark_slack_request_seconds_bucket{le="+Inf"} 5\n' in text
    assert "hark_slack_request_seconds_sum 63.61\n" in text
    assert "hark_slack_request_seconds_count 5\n" in text


def test_store_totals_and_each_enabled_sources_failures(store: Store) -> None:
    source = store.add_source(SourceSpec("feed", "https://e.example/f.xml", 600, "config"))
    paused = store.add_source(SourceSpec("feed", "https://e.example/g.xml", 600, "config"))
    store.set_source_enabled(paused, False)
    text = Metrics().render(store)
    for name in ("posts_heard", "conversations_posted", "conversations_waiting", "claims"):
        assert f"# TYPE hark_{name}_total gauge\nhark_{name}_total 0\n" in text
    assert f'hark_source_consecutive_failures{{kind="feed",source="{source}"}} 0\n' in text
    assert f'source="{paused}"' not in text
    assert text.endswith("\n")
