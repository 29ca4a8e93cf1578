"""The Slack Web API client every part of Hark shares: retries and latency timing."""

from __future__ import annotations

import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.ops.metrics import Metrics


class TimedWebClient(WebClient):
    """A WebClient that reports each Web API call's latency to /metrics."""

    def __init__(self, *args: Any, metrics: Metrics | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return super().api_call(*args, **kwargs)
        finally:
            if self.metrics is not None:
                self.metrics.observe_slack(time.monotonic() - started)


def slack_client(settings: Settings, metrics: Metrics | None = None) -> WebClient:
    """A WebClient pointed at ``SLACK_API_URL`` that retries 429s, 5xx and dropped connections.

    Bolt copies ``retry_handlers`` into the per-request clients it gives listeners.
    """
    client = TimedWebClient(
        token=settings.bot_token or None,
        base_url=settings.slack_api_url,
        timeout=15,
        metrics=metrics,
    )
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ]
    )
    return client
