"""Signed requests shaped like Slack's reach a real Bolt app, whose client answers to the fake Slack."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from tests.support.fakeslack import FakeSlack
from tests.support.handmade import modal
from tests.support.slackreq import (
    app_home_opened,
    block_action,
    event_callback,
    signed,
    slash_command,
    text_inputs,
    view_submission,
)

SECRET = "test-signing-secret"


# -- Bolt, signed requests --------------------------------------------------------------------


@pytest.fixture
def app(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> App:
    """A tiny real Bolt app wired to the fake the way Hark's app factory should be."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    bolt = App(  # no token=: with client= given, Bolt ignores it and logs a warning
        signing_secret=SECRET,
        client=WebClient(base_url=fake.url, token="xoxb-test"),
        process_before_response=True,
        token_verification_enabled=False,
    )

    @bolt.command("/who-covers")
    def who_covers(ack: Any, command: dict[str, Any], client: WebClient, respond: Any) -> None:
        ack()
        client.chat_postMessage(channel=command["channel_id"], text=f"covers {command['text']}")
        respond(text="done")

    @bolt.command("/register")
    def register(ack: Any, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=modal(callback_id="register"))

    @bolt.action("claim")
    def claim(ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_update(
            channel=body["container"]["channel_id"],
            ts=body["container"]["message_ts"],
            text=f"claimed {action['value']} by {body['user']['id']}",
        )

    @bolt.view("ignore_reason")
    def ignore_reason(ack: Any, view: dict[str, Any], client: WebClient) -> None:
        ack()
        reason = view["state"]["values"]["reason"]["text"]["value"]
        client.chat_postMessage(channel=view["private_metadata"], text=f"ignored: {reason}")

    @bolt.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    return bolt


def test_signed_headers_satisfy_slack_sdk_verifier() -> None:
    headers = signed("a=1", SECRET)
    assert SignatureVerifier(SECRET).is_valid_request("a=1", headers)
    assert not SignatureVerifier(SECRET).is_valid_request("a=2", headers)
    assert not SignatureVerifier(SECRET).is_valid_request("a=1", signed("a=1", SECRET, stale=True))


def test_slash_command_reaches_listener_whose_client_hits_the_fake(
    fake: FakeSlack, app: App
) -> None:
    request = slash_command(
        SECRET, "/who-covers", "kubernetes", response_url=fake.response_url("cmd1")
    )
    response = app.dispatch(request.bolt())
    assert response.status == 200
    post = fake.last("chat.postMessage")
    # Bolt's per-request client adds team_id to every call.
    assert post.args == {"channel": "C0K8S", "text": "covers kubernetes", "team_id": "T0HARK"}
    assert fake.calls("auth.test"), "Bolt's per-request authorization uses the fake too"
    reply = fake.last("response")
    assert (reply.args["text"], reply.path) == ("done", "/response/cmd1")


def test_slash_command_trigger_id_opens_a_modal(fake: FakeSlack, app: App) -> None:
    assert app.dispatch(slash_command(SECRET, "/register").bolt()).status == 200
    opened = fake.last("views.open")
    assert opened.response["ok"] and opened.args["view"]["callback_id"] == "register"


@pytest.mark.parametrize("forgery", [{"bad_signature": True}, {"stale": True}])
def test_forged_or_stale_requests_get_401(
    fake: FakeSlack, app: App, forgery: dict[str, bool]
) -> None:
    request = slash_command(SECRET, "/who-covers", "k8s", **forgery)
    assert app.dispatch(BoltRequest(body=request.body, headers=request.headers)).status == 401
    assert fake.calls("chat.postMessage") == []


def test_block_action_click_updates_the_message(
    fake: FakeSlack, app: App, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel="C0K8S", text="new conversation")["ts"]
    request = block_action(SECRET, "claim", "42", user_id="U0SME2", message_ts=ts)
    assert app.dispatch(request.bolt()).status == 200
    assert fake.messages["C0K8S"][0]["text"] == "claimed 42 by U0SME2"


def test_view_submission_carries_state_values(fake: FakeSlack, app: App) -> None:
    values = text_inputs({"reason": {"text": "off topic"}})
    request = view_submission(SECRET, "ignore_reason", values, private_metadata="C0K8S")
    assert app.dispatch(request.bolt()).status == 200
    assert fake.last("chat.postMessage").args["text"] == "ignored: off topic"


def test_event_callback_app_home_opened_publishes(fake: FakeSlack, app: App) -> None:
    assert app.dispatch(event_callback(SECRET, app_home_opened("U0SME1")).bolt()).status == 200
    assert fake.home_views["U0SME1"]["type"] == "home"


@pytest.fixture
def bolt_over_http(app: App) -> Iterator[str]:
    """The Bolt app behind a real local HTTP server, as `hark run` serves it."""

    class Events(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            resp = app.dispatch(BoltRequest(body=body, headers=dict(self.headers)))
            data = resp.body.encode()
            self.send_response(resp.status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Events)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    server.shutdown()
    server.server_close()
    thread.join()


def test_signed_requests_over_http(fake: FakeSlack, bolt_over_http: str) -> None:
    request = slash_command(SECRET, "/who-covers", "k8s", response_url=fake.response_url())
    assert request.post(bolt_over_http)[0] == 200
    assert fake.last("chat.postMessage").args["text"] == "covers k8s"
    forged = slash_command(SECRET, "/who-covers", "k8s", bad_signature=True)
    assert forged.post(bolt_over_http)[0] == 401
