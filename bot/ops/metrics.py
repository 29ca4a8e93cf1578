"""Prometheus text exposition for GET /metrics: counters kept in-process, totals from the store."""

from __future__ import annotations

import threading
from collections import defaultdict

from bot.store import Store

# Slack Web API latency buckets, in seconds.
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Thread-safe counters and one latency histogram; cheap enough for every Slack call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(float)
        self._buckets = [0] * len(BUCKETS)
        self._latency_sum = 0.0
        self._latency_count = 0

    def count(self, name: str, amount: float = 1, **labels: str) -> None:
        with self._lock:
            self._counters[(name, tuple(sorted(labels.items())))] += amount

    def observe_slack(self, seconds: float) -> None:
        with self._lock:
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self._buckets[i] += 1
            self._latency_sum += seconds
            self._latency_count += 1

    def render(self, store: Store) -> str:
        """The exposition text: process counters, then gauges read from the database."""
        lines: list[str] = []
        with self._lock:
            counters = dict(self._counters)
            buckets, total, count = list(self._buckets), self._latency_sum, self._latency_count
        for (name, labels), value in sorted(counters.items()):
            lines.append(f"{name}{_labels(dict(labels))} {value:g}")
        lines.append("# TYPE hark_slack_request_seconds histogram")
        for bound, n in zip(BUCKETS, buckets, strict=True):
            lines.append(f'hark_slack_request_seconds_bucket{{le="{bound}"}} {n}')
        lines.append(f'hark_slack_request_seconds_bucket{{le="+Inf"}} {count}')
        lines.append(f"hark_slack_request_seconds_sum {total:g}")
        lines.append(f"hark_slack_request_seconds_count {count}")
        totals = store.metric_totals()
        for name, help_text in (
            ("posts_heard", "Posts stored, all sources"),
            ("conversations_posted", "Conversations sent to Slack"),
            ("conversations_waiting", "Conversations stored, not yet in Slack"),
            ("claims", "Claim actions logged"),
            ("replies", "Reply actions logged"),
        ):
            lines.append(f"# HELP hark_{name}_total {help_text}")
            lines.append(f"# TYPE hark_{name}_total gauge")
            lines.append(f"hark_{name}_total {totals[name]}")
        lines.append("# HELP hark_source_consecutive_failures Failed polls in a row, per source")
        lines.append("# TYPE hark_source_consecutive_failures gauge")
        for source in store.sources(enabled_only=True):
            labels = _labels({"source": str(source.id), "kind": source.kind})
            lines.append(f"hark_source_consecutive_failures{labels} {source.consecutive_failures}")
        return "\n".join(lines) + "\n"


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    escaped = (
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in sorted(labels.items())
    )
    return "{" + ",".join(escaped) + "}"
