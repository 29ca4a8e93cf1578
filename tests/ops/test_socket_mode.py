"""`hark run` in Socket Mode, as a subprocess against the fake Slack Web API and the fake
Socket Mode endpoint (tests/support/fakesocket.py); and how `hark run` starts and stops in both modes.

One Hark process is shared by the tests of a running link (they run in file order and the
last one, link_disabled, ends it); the start-up and shutdown tests start their own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.support import slackreq
from tests.support.fakeslack import FakeSlack
from tests.support.fakesocket import FakeSocketMode
from tests.support.feeds import rss
from tests.support.feedserver import FeedServer
from tests.support.hark_cli import HARK, ITEMS, free_port
from tests.support.harness import SECRET

APP_TOKEN = "xapp-1-A0HARK-1-test"


def write_env(tmp: Path, fake: FakeSlack, feed_url: str | None, **extra: str) -> dict[str, str]:
    sources = f"sources:\n  - url: {feed_url}\n" if feed_url else ""
    config = tmp / "hark.yml"
    config.write_text(
        textwrap.dedent(
            """
            topics:
              - name: kubernetes
                query: 'kubernetes OR k8s'
                channel: C0K8S
            network: {allow_hosts: [127.0.0.1]}
            """
        )
        + sources
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HARK_", "X_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL=fake.url,
        HARK_DB=str(tmp / "hark.db"),
        HARK_CONFIG=str(config),
        HARK_METRICS_TOKEN="metrics-secret",
        PORT=str(free_port()),
        **extra,
    )
    return env


def start(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [*HARK, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    if proc.poll() is None:
        proc.terminate()
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err


def get(port: str, path: str, token: str | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=2) as resp:
            body = resp.read().decode()
            return resp.status, json.loads(body) if path == "/healthz" else body
    except urllib.error.HTTPError as exc:
        with exc:
            body = exc.read().decode()
            return exc.code, json.loads(body) if path == "/healthz" else body


def wait_until(check: Any, proc: subprocess.Popen, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"hark run exited ({proc.returncode}): {proc.stderr.read()}")
        try:
            value = check()
        except (urllib.error.URLError, ConnectionError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


# -- payloads: the same shapes as over HTTP (tests/support/slackreq.py), as Socket Mode carries them --


def command_payload(fake: FakeSlack, command: str, text: str = "", **kw: Any) -> dict[str, Any]:
    """A slash command's fields as the `payload` of a `slash_commands` envelope."""
    kw.setdefault("response_url", fake.response_url(f"{command.strip('/')}-{time.time_ns()}"))
    body, _ = slackreq.slash_command(SECRET, command, text, **kw)
    return dict(parse_qsl(body, keep_blank_values=True))


def interactive_payload(signed: slackreq.SignedRequest) -> dict[str, Any]:
    return json.loads(dict(parse_qsl(signed.body))["payload"])


def event_payload(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return json.loads(slackreq.event_callback(SECRET, event, event_id=event_id).body)


def responses_to(fake: FakeSlack, url: str) -> list[Any]:
    path = url.removeprefix(fake.origin)
    return [c for c in fake.calls("response") if c.path == path]


def wait_response(fake: FakeSlack, url: str, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = responses_to(fake, url)
        if found:
            return found[0]
        time.sleep(0.02)
    raise AssertionError(f"nothing posted to {url} within {timeout}s")


# -- one shared Socket Mode Hark ---------------------------------------------------------------


class Running:
    def __init__(self, fake: FakeSlack, sm: FakeSocketMode, proc: subprocess.Popen, port: str):
        self.fake, self.sm, self.proc, self.port = fake, sm, proc, port

    def health(self) -> dict[str, Any]:
        return get(self.port, "/healthz")[1]


@pytest.fixture(scope="module")
def hark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    tmp = tmp_path_factory.mktemp("socket")
    with FakeSlack() as fake, FakeSocketMode() as sm, FeedServer() as feeds:
        fake.socket_mode = sm
        feeds.set("/f.xml", rss(ITEMS))
        env = write_env(tmp, fake, feeds.url("/f.xml"), SLACK_APP_TOKEN=APP_TOKEN)
        proc = start(env)
        running = Running(fake, sm, proc, env["PORT"])
        try:
            sm.wait_for_connections(1, timeout=20)
            wait_until(lambda: running.health()["socket_mode"]["last_hello"], proc)
            yield running
        finally:
            stop(proc)


def test_cards_posted_and_health_says_connected(hark: Running) -> None:
    post = hark.fake.wait_for("chat.postMessage", timeout=15)[0]
    assert post.args["channel"] == "C0K8S"
    status, health = get(hark.port, "/healthz")
    assert status == 200 and health["ok"] is True and health["mode"] == "socket"
    link = health["socket_mode"]
    assert link["connected"] is True and link["last_hello"] and link["reconnects"] == 0
    # The start-up token check's URL opened the first connection: one call of a Tier 1 method.
    assert len(hark.fake.calls("apps.connections.open")) == 1
    assert health["scheduler"] == "running" and health["ticks"]["state"] == "running"
    status, metrics = get(hark.port, "/metrics", token="metrics-secret")
    assert status == 200 and "hark_" in metrics
    assert get(hark.port, "/metrics")[0] == 401  # protected as in HTTP mode
    assert get(hark.port, "/slack/events")[0] == 404  # Slack talks over the socket


def test_slash_commands_answered_within_3s(hark: Running) -> None:
    fake, sm = hark.fake, hark.sm
    for command, text in (("/who-covers", "kubernetes"), ("/digest", "")):
        payload = command_payload(fake, command, text)
        sent = time.monotonic()
        envelope_id = sm.send("slash_commands", payload)
        ack = sm.wait_for_ack(envelope_id, timeout=3)
        assert ack.time - sent < 3
        answer = wait_response(fake, payload["response_url"], timeout=3)
        assert answer.status == 200 and answer.args  # something was said, Slack took it
    register = command_payload(fake, "/register")
    envelope_id = sm.send("slash_commands", register)
    sm.wait_for_ack(envelope_id, timeout=3)
    opened = fake.wait_for("views.open", timeout=3)[-1]
    assert opened.args["trigger_id"] == register["trigger_id"]
    assert opened.response["ok"] is True


def test_claim_updates_the_card(hark: Running) -> None:
    fake, sm = hark.fake, hark.sm
    card = fake.wait_for("chat.postMessage", timeout=15)[0]
    message = fake.messages["C0K8S"][0]
    claim = next(
        el
        for block in message["blocks"]
        if block["type"] == "actions"
        for el in block["elements"]
        if el.get("action_id") == "claim"
    )
    payload = interactive_payload(
        slackreq.block_action(
            SECRET,
            "claim",
            claim["value"],
            block_id="conversation",
            channel_id=card.response["channel"],
            message_ts=card.response["ts"],
            message_blocks=message["blocks"],
            response_url=fake.response_url("claim"),
        )
    )
    envelope_id = sm.send("interactive", payload)
    assert sm.wait_for_ack(envelope_id, timeout=3)
    update = fake.wait_for("chat.update", timeout=3)[-1]
    assert update.args["ts"] == card.response["ts"] and "<@U0SME1>" in json.dumps(update.args)


def test_event_retried_by_slack_is_handled_once(hark: Running) -> None:
    fake, sm = hark.fake, hark.sm
    before = len(fake.calls("views.publish"))
    payload = event_payload(slackreq.app_home_opened("U0SME2"), "Ev0RETRY1")
    first = sm.send("events_api", payload)
    retry = sm.send("events_api", payload, retry_attempt=1, retry_reason="timeout")
    assert sm.wait_for_ack(first).payload is None
    assert sm.wait_for_ack(retry).payload is None  # acked, so Slack stops retrying
    fake.wait_for("views.publish", count=before + 1, timeout=10)
    time.sleep(0.5)  # room for a second (wrong) publish to arrive
    assert len(fake.calls("views.publish")) == before + 1


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_disconnect_from_slack_loses_no_envelope(hark: Running, reason: str) -> None:
    fake, sm = hark.fake, hark.sm
    old = sm.wait_for_connections(1)[0]
    sm.disconnect(reason, old)
    payloads = [command_payload(fake, "/hark", "help") for _ in range(3)]
    envelopes = [sm.send("slash_commands", p) for p in payloads]  # wait for the new link
    for envelope_id, payload in zip(envelopes, payloads, strict=True):
        sm.wait_for_ack(envelope_id, timeout=10)
        wait_response(fake, payload["response_url"], timeout=10)
    assert sm.wait_for_new_connection(old.number, timeout=10)
    assert all(len(sm.acks[e]) == 1 for e in envelopes)
    assert hark.health()["socket_mode"]["last_disconnect_reason"] == reason


def test_silent_drop_noticed_and_reconnected(hark: Running) -> None:
    sm = hark.sm
    before = hark.health()["socket_mode"]["reconnects"]
    dead = sm.drop_silently()
    # Hark notices in about 6 s (bench/socketmode.py); Bolt's defaults took 55 s.
    new = sm.wait_for_new_connection(dead.number, timeout=20)
    payload = command_payload(hark.fake, "/hark", "help")
    sm.wait_for_ack(sm.send("slash_commands", payload, connection=new), timeout=10)
    wait_response(hark.fake, payload["response_url"])
    assert hark.health()["socket_mode"]["reconnects"] > before


def test_two_processes_share_the_app_each_envelope_once(hark: Running, tmp_path: Path) -> None:
    fake, sm = hark.fake, hark.sm
    second = start(write_env(tmp_path, fake, None, SLACK_APP_TOKEN=APP_TOKEN))
    try:
        wait_until(lambda: len(sm.connections()) >= 2, second, timeout=20)
        payloads = [command_payload(fake, "/hark", "help") for _ in range(6)]
        envelopes = [sm.send("slash_commands", p) for p in payloads]
        for envelope_id, payload in zip(envelopes, payloads, strict=True):
            sm.wait_for_ack(envelope_id, timeout=10)
            wait_response(fake, payload["response_url"])
        time.sleep(0.3)
        assert all(len(sm.acks[e]) == 1 for e in envelopes)
        assert all(len(responses_to(fake, p["response_url"])) == 1 for p in payloads)
        assert len({sm.acks[e][0].connection for e in envelopes}) == 2  # both answered
        assert sm.peak_connections <= 10
    finally:
        code, err = stop(second)
    assert code == 0, err


def test_link_disabled_stops_hark_with_one_clear_line(hark: Running) -> None:
    hark.sm.disconnect("link_disabled")
    code, err = stop_on_its_own(hark.proc)
    assert code not in (0, None)
    lines = [line for line in err.splitlines() if not line.startswith("{")]  # not JSON logs
    assert len(lines) == 1 and "Socket Mode" in lines[0] and "SLACK_APP_TOKEN" in lines[0]
    assert "Traceback" not in err


def stop_on_its_own(proc: subprocess.Popen, timeout: float = 10) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"hark run did not stop by itself: {err}") from None
    return proc.returncode, err


# -- start-up checks and shutdown --------------------------------------------------------------


def test_refused_app_token_exits_at_once_with_one_line(fake_slack: FakeSlack, tmp_path):
    with FakeSocketMode() as sm, FeedServer() as feeds:
        fake_slack.socket_mode = sm
        feeds.set("/f.xml", rss(ITEMS))
        env = write_env(tmp_path, fake_slack, feeds.url("/f.xml"), SLACK_APP_TOKEN="xapp-bad")
        code, err = stop_on_its_own(start(env), timeout=15)
        assert code != 0
        lines = [line for line in err.splitlines() if not line.startswith("{")]
        assert len(lines) == 1 and "SLACK_APP_TOKEN" in lines[0] and "invalid_auth" in lines[0]
        assert "Traceback" not in err
        assert fake_slack.calls("chat.postMessage") == [] and feeds.requests == []
        assert sm.total_connections == 0


def test_refused_bot_token_exits_with_one_line(fake_slack: FakeSlack, tmp_path):
    fake_slack.tokens = {"xoxb-good"}
    env = write_env(tmp_path, fake_slack, None, SLACK_SIGNING_SECRET=SECRET)
    code, err = stop_on_its_own(start(env), timeout=15)
    lines = [line for line in err.splitlines() if not line.startswith("{")]
    assert code != 0 and len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]


@pytest.mark.parametrize(("mode", "signum"), [("socket", signal.SIGTERM), ("http", signal.SIGINT)])
def test_shutdown_waits_for_the_running_tick(mode, signum, fake_slack: FakeSlack, tmp_path):
    with FakeSocketMode() as sm, FeedServer() as feeds:
        fake_slack.socket_mode = sm
        feeds.set("/f.xml", rss(ITEMS), delay=1.5)  # the first tick is busy fetching
        extra = {"SLACK_APP_TOKEN": APP_TOKEN} if mode == "socket" else {}
        env = write_env(
            tmp_path, fake_slack, feeds.url("/f.xml"), SLACK_SIGNING_SECRET=SECRET, **extra
        )
        proc = start(env)
        try:
            wait_until(lambda: feeds.requests, proc, timeout=20)  # the tick is in flight
            proc.send_signal(signum)
            code, err = stop_on_its_own(proc, timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert code == 0, err
        assert "closed database" not in err and "Traceback" not in err
        # The tick finished before the store closed: its card was sent.
        assert [c.args["channel"] for c in fake_slack.calls("chat.postMessage")] == ["C0K8S"]
