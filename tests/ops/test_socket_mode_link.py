"""SocketModeLink in-process against the fake Socket Mode endpoint: hello and connections in
its health, events handled once however often Slack resends them, link_disabled fatal with
one line saying what to do; RecentIds forgets the oldest first."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.ops.socket_mode import LINK_DISABLED, RecentIds, SocketModeLink
from tests.support.fakeslack import FakeSlack
from tests.support.fakesocket import FakeSocketMode
from tests.support.waiting import wait_until

APP_TOKEN = "xapp-1-A0HARK-1-test"


class Linked:
    def __init__(self, fake: FakeSlack, socket_mode: FakeSocketMode) -> None:
        self.socket_mode = socket_mode
        self.events: list[str] = []
        self.fatal: list[str] = []
        self.app = App(
            client=WebClient(token="xoxb-test", base_url=fake.url),
            token_verification_enabled=False,
            request_verification_enabled=False,
        )

        @self.app.event("app_mention")
        def mentioned(event: dict) -> None:
            self.events.append(event["text"])

        self.link = SocketModeLink(
            self.app, APP_TOKEN, api_url=fake.url, on_fatal=self.fatal.append
        )


@pytest.fixture
def linked(fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Linked]:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with FakeSocketMode() as socket_mode:
        fake_slack.socket_mode = socket_mode
        made = Linked(fake_slack, socket_mode)
        made.link.start()
        try:
            yield made
        finally:
            made.link.stop()


def event(event_id: str, text: str) -> dict:
    return {
        "type": "event_callback",
        "team_id": "T0HARK",
        "api_app_id": "A0HARK",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "event": {
            "type": "app_mention",
            "user": "U0SME1",
            "text": text,
            "channel": "C0K8S",
            "ts": "1700000000.000100",
        },
    }


def test_the_link_connects_and_reports_its_hello(linked: Linked) -> None:
    linked.socket_mode.wait_for_connections(1)
    wait_until(lambda: linked.link.health()["last_hello"] is not None)
    health = linked.link.health()
    assert health["connected"] is True and health["reconnects"] == 0
    assert health["duplicate_events_skipped"] == 0


def test_an_event_slack_sends_again_is_acked_and_handled_once(linked: Linked) -> None:
    first = linked.socket_mode.send("events_api", event("Ev1", "hello"))
    linked.socket_mode.wait_for_ack(first)
    again = linked.socket_mode.send(
        "events_api", event("Ev1", "hello"), retry_attempt=1, retry_reason="timeout"
    )
    linked.socket_mode.wait_for_ack(again)
    other = linked.socket_mode.send("events_api", event("Ev2", "second"))
    linked.socket_mode.wait_for_ack(other)
    wait_until(lambda: len(linked.events) == 2)
    assert linked.events == ["hello", "second"]
    assert linked.link.health()["duplicate_events_skipped"] == 1


def test_link_disabled_is_fatal_with_what_to_do(linked: Linked) -> None:
    linked.socket_mode.disconnect("link_disabled")
    wait_until(lambda: linked.fatal)
    assert linked.fatal == [LINK_DISABLED]
    assert "Enable Socket Mode" in LINK_DISABLED and "SLACK_APP_TOKEN" in LINK_DISABLED
    assert linked.link.health()["last_disconnect_reason"] == "link_disabled"


def test_recent_ids_remember_a_bounded_number_oldest_forgotten_first() -> None:
    seen = RecentIds(size=2)
    assert [seen.first_time(k) for k in ("a", "b", "a")] == [True, True, False]
    assert seen.first_time("c") is True  # "a" is forgotten now
    assert [seen.first_time(k) for k in ("a", "c")] == [True, False]


def test_recent_ids_agree_across_threads() -> None:
    seen = RecentIds()
    answers: list[bool] = []
    threads = [
        threading.Thread(target=lambda: answers.append(seen.first_time("Ev1"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [False] * 7 + [True]
