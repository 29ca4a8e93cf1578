"""The shared Slack client: pointed at SLACK_API_URL with the bot token, retrying 429s and 5xx,
and timing every Web API call for /metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError

from bot.config import load_settings
from bot.ops.metrics import Metrics
from bot.ops.slack import slack_client
from bot.store import Store
from tests.support.fakeslack import FakeSlack


def settings(fake: FakeSlack, tmp_path: Path):
    return load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": fake.url,
            "HARK_DB": str(tmp_path / "h.db"),
        }
    )


def test_calls_reach_slack_api_url_with_the_bot_token(fake_slack: FakeSlack, tmp_path) -> None:
    client = slack_client(settings(fake_slack, tmp_path))
    assert client.auth_test()["user_id"] == "U0HARKBOT"
    assert fake_slack.last("auth.test").headers["authorization"] == "Bearer xoxb-test"


def test_a_429_and_a_500_are_retried(fake_slack: FakeSlack, tmp_path) -> None:
    client = slack_client(settings(fake_slack, tmp_path))
    fake_slack.fail("chat.postMessage", status=429, retry_after=0)
    fake_slack.fail("chat.postMessage", status=500)
    assert client.chat_postMessage(channel="C0K8S", text="hello")["ok"]
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 500, 200]


def test_retries_give_up_after_three_429s(fake_slack: FakeSlack, tmp_path) -> None:
    client = slack_client(settings(fake_slack, tmp_path))
    fake_slack.fail("chat.postMessage", status=429, retry_after=0, times=None)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C0K8S", text="hello")
    assert len(fake_slack.calls("chat.postMessage")) == 4  # the call and three retries


def test_every_call_is_timed_for_metrics(fake_slack: FakeSlack, tmp_path) -> None:
    metrics = Metrics()
    client = slack_client(settings(fake_slack, tmp_path), metrics)
    client.auth_test()
    client.chat_postMessage(channel="C0K8S", text="hello")
    store = Store(str(tmp_path / "h.db"))
    try:
        assert "hark_slack_request_seconds_count 2\n" in metrics.render(store)
    finally:
        store.close()
