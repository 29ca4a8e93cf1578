"""Signed Slack requests for tests: slash commands, button clicks, view submissions, events.

Each builder returns a `SignedRequest` — a `(body, headers)` pair signed the way Slack signs
(`X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")` with
`X-Slack-Request-Timestamp`), which unpacks as a tuple and also offers `.bolt()` for
`app.dispatch(...)` and `.post(url)` for a running `hark run`. `bad_signature=True` signs
with the wrong secret; `stale=True` signs correctly but six minutes in the past, which Bolt
refuses (its window is five minutes).

Interactive payloads go in a form body as `payload=<JSON>`, slash commands as plain form
fields, events as a JSON body: the three shapes Slack sends.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Any, NamedTuple
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest

SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
STALE_SECONDS = 6 * 60  # Bolt refuses timestamps more than 5 minutes away from now

# The same workspace the fake Slack server (tests/fakeslack.py) describes.
TEAM_ID = "T0HARK"
TEAM_DOMAIN = "hark-test"
APP_ID = "A0HARK"
BOT_USER_ID = "U0HARKBOT"
USER_ID = "U0SME1"
USER_NAME = "sam"
CHANNEL_ID = "C0K8S"
MESSAGE_TS = "1700000000.000100"
# Port 9 (discard) on loopback: a response_url nobody set fails fast, never reaches Slack.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/unset"

_serial = itertools.count(1)


class SignedRequest(NamedTuple):
    """A signed request body and its headers."""

    body: str
    headers: dict[str, str]

    def bolt(self) -> BoltRequest:
        """This request as Bolt receives it over HTTP, for `app.dispatch(...)`."""
        return BoltRequest(body=self.body, headers=dict(self.headers))

    def post(self, url: str, timeout: float = 5) -> tuple[int, str]:
        """POST this request to `url` (`http://127.0.0.1:PORT/slack/events`): (status, body)."""
        req = urllib.request.Request(
            url, data=self.body.encode("utf-8"), headers=self.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode("utf-8")


def signature(body: str, secret: str, timestamp: int | str) -> str:
    """Slack's v0 signature of `body` sent at `timestamp`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed(
    body: str,
    secret: str,
    timestamp: int | None = None,
    *,
    bad_signature: bool = False,
    stale: bool = False,
) -> dict[str, str]:
    """Headers Slack would send with `body`: content type, timestamp and signature.

    `timestamp` defaults to now (six minutes ago with `stale`); `bad_signature` signs with a
    secret that is not `secret`.
    """
    if timestamp is None:
        timestamp = int(time.time()) - (STALE_SECONDS if stale else 0)
    key = f"not-{secret}" if bad_signature else secret
    return {
        "Content-Type": JSON if body.startswith("{") else FORM,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(body, key, timestamp),
    }


def _signed_request(
    body: str, secret: str, timestamp: int | None, bad_signature: bool, stale: bool
) -> SignedRequest:
    return SignedRequest(
        body, signed(body, secret, timestamp, bad_signature=bad_signature, stale=stale)
    )


def _trigger_id() -> str:
    """A fresh trigger ID each time: Slack (and the fake) accept each one once."""
    return f"{next(_serial)}.1700000000.{hashlib.sha1(str(time.time_ns()).encode()).hexdigest()}"


def _user(user_id: str, user_name: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def slash_command(
    secret: str,
    command: str,
    text: str = "",
    *,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = "k8s",
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    timestamp: int | None = None,
    bad_signature: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A signed slash command (`/who-covers kubernetes`) as a form body."""
    fields = {
        "token": "verification-token-unused",
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _trigger_id(),
    }
    return _signed_request(urlencode(fields), secret, timestamp, bad_signature, stale)


def payload_body(payload: dict[str, Any]) -> str:
    """An interactive payload as Slack posts it: the form body `payload=<JSON>`."""
    return urlencode({"payload": json.dumps(payload)})


def block_action(
    secret: str,
    action_id: str,
    value: str = "",
    *,
    block_id: str = "conversation",
    action_type: str = "button",
    action: dict[str, Any] | None = None,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    message_ts: str = MESSAGE_TS,
    message_blocks: list[dict[str, Any]] | None = None,
    message_text: str = "",
    view: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    timestamp: int | None = None,
    bad_signature: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A signed `block_actions` payload: a click on `action_id` in a message.

    `action` replaces the whole action object (for selects: `selected_option`, ...). With
    `view` the click happened in a modal or the App Home instead of a channel message.
    """
    if action is None:
        action = {"action_id": action_id, "block_id": block_id, "value": value}
        action.update(type=action_type, action_ts=f"{time.time():.6f}")
        if action_type == "button":
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "trigger_id": trigger_id or _trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0VIEW")}
        payload["view"] = view
    else:
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": "B0HARKBOT",
            "ts": message_ts,
            "text": message_text,
            "blocks": message_blocks or [],
        }
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "k8s"}
        payload["message"] = message
        payload["response_url"] = response_url
    return _signed_request(payload_body(payload), secret, timestamp, bad_signature, stale)


def text_inputs(values: dict[str, dict[str, str]]) -> dict[str, Any]:
    """`state.values` for plain text inputs from `{block_id: {action_id: "typed text"}}`."""
    return {
        block_id: {
            action_id: {"type": "plain_text_input", "value": text}
            for action_id, text in actions.items()
        }
        for block_id, actions in values.items()
    }


def view_submission(
    secret: str,
    callback_id: str,
    values: dict[str, Any] | None = None,
    *,
    private_metadata: str = "",
    view_id: str = "V0SUBMIT",
    blocks: list[dict[str, Any]] | None = None,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    timestamp: int | None = None,
    bad_signature: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A signed `view_submission` payload; `values` is `view.state.values` (see `text_inputs`)."""
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "blocks": blocks or [],
        "state": {"values": values or {}},
        "hash": "1700000000.abcdef01",
        "title": {"type": "plain_text", "text": "Hark"},
        "close": None,
        "submit": {"type": "plain_text", "text": "Save"},
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": "B0HARKBOT",
    }
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "trigger_id": _trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _signed_request(payload_body(payload), secret, timestamp, bad_signature, stale)


def event_callback(
    secret: str,
    event: dict[str, Any],
    *,
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    timestamp: int | None = None,
    bad_signature: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A signed Events API `event_callback` wrapping `event`, as a JSON body."""
    now = int(time.time())
    body = {
        "token": "verification-token-unused",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev0{next(_serial):08d}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return _signed_request(json.dumps(body), secret, timestamp, bad_signature, stale)


def app_home_opened(user_id: str = USER_ID, tab: str = "home") -> dict[str, Any]:
    """The `app_home_opened` event a user's visit to the App Home sends."""
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D" + user_id[1:],
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
