"""Signed Slack requests for tests: slash commands, button clicks, view submissions, events.

Each builder returns a `SignedRequest` — a `(body, headers)` pair signed the way Slack signs
(`X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")` with
`X-Slack-Request-Timestamp`), which unpacks as a tuple and also offers `.bolt()` for
`app.dispatch(...)` and `.post(url)` for a running `hark run`. `bad_signature=True` signs
with the wrong secret; `stale=True` signs correctly but six minutes in the past, which Bolt
refuses (its window is five minutes).

Interactive payloads go in a form body as `payload=<JSON>`, slash commands as plain form
fields, events as a JSON body: the three shapes Slack sends. The shapes follow Slack's
documented payloads (slash commands, block_actions from a channel message, an ephemeral
message, the App Home or a modal, view_submission with empty optional inputs,
app_home_opened, url_verification, ssl_check); tests/test_slack_payloads.py drives Hark with
each.
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

# The same workspace the fake Slack server (tests/support/fakeslack.py, slack_team.py) describes.
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
    enterprise_id: str | None = None,
    enterprise_name: str = "",
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    timestamp: int | None = None,
    bad_signature: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A signed slash command (`/who-covers kubernetes`) as a form body, with every field
    Slack sends, in Slack's order. `text` is what Slack sends: with `should_escape: true` in
    the manifest a picked channel arrives as `<#C0K8S|k8s>`, a user as `<@U0SME1|sam>`, a
    link as `<https://…>`. In a DM `channel_name` is "directmessage" (a private channel:
    "privategroup"). `enterprise_id` adds the Enterprise Grid fields."""
    fields = {
        "token": "verification-token-unused",
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
    }
    if enterprise_id is not None:
        fields.update(enterprise_id=enterprise_id, enterprise_name=enterprise_name or "Acme Grid")
    fields.update(
        {
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
    )
    return _signed_request(urlencode(fields), secret, timestamp, bad_signature, stale)


def payload_body(payload: dict[str, Any]) -> str:
    """An interactive payload as Slack posts it: the form body `payload=<JSON>`."""
    return urlencode({"payload": json.dumps(payload)})


def admin_menu_choice(conversation_id: int, choice: str) -> dict[str, Any]:
    """The action object of picking ``choice`` ("reassign", "reopen") in a card's admin menu."""
    return {
        "type": "overflow",
        "action_id": "conversation_admin",
        "block_id": "conversation",
        "selected_option": {
            "text": {"type": "plain_text", "text": choice},
            "value": f"{choice}:{conversation_id}",
        },
        "action_ts": "1700000000.1",
    }


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
    ephemeral: bool = False,
    channel_name: str = "k8s",
    state: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    timestamp: int | None = None,
    bad_signature: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A signed `block_actions` payload: a click on `action_id` in a message.

    `action` replaces the whole action object (for selects: `selected_option`, ...). With
    `view` the click happened in a modal or the App Home (see `modal_view`, `home_view`):
    the container names the view, there is no channel, message or response_url. With
    `ephemeral` it happened in a message only the clicker sees (a command's answer): the
    container says `is_ephemeral`, and Slack sends no `message`. `state` is the message's
    `state.values` (inputs in it; `{}` for buttons only).
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
        "state": {"values": state or {}},
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0VIEW")}
        payload["view"] = view
        payload["state"] = view.get("state") or {"values": {}}
    elif ephemeral:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": True,
        }
        payload["channel"] = {"id": channel_id, "name": channel_name}
        payload["response_url"] = response_url
    else:
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": "B0HARKBOT",
            "app_id": APP_ID,
            "team": team_id,
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
        payload["channel"] = {"id": channel_id, "name": channel_name}
        payload["message"] = message
        payload["response_url"] = response_url
    return _signed_request(payload_body(payload), secret, timestamp, bad_signature, stale)


def message_action(
    secret: str, message: dict[str, Any], action_id: str, channel_id: str, **kw: Any
) -> SignedRequest:
    """A click on the element `action_id` of `message`, a message as Slack holds it (e.g.
    `fake.messages[channel][-1]`): the action carries the element's block_id, text, value,
    style and options as Slack copies them, and `message` is the whole message."""
    for block in message.get("blocks") or []:
        elements = block.get("elements") or []
        if block.get("accessory"):
            elements = [*elements, block["accessory"]]
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                action = {k: v for k, v in element.items() if k not in ("options", "confirm")}
                action.update(block_id=block.get("block_id", ""), action_ts=f"{time.time():.6f}")
                if element.get("type") in ("overflow", "static_select"):
                    chosen = kw.pop("selected", None)
                    options = element.get("options") or []
                    option = next((o for o in options if o["value"] == chosen), options[0])
                    action["selected_option"] = option
                return block_action(
                    secret,
                    action_id,
                    action=action,
                    channel_id=channel_id,
                    message_ts=message["ts"],
                    message_blocks=message.get("blocks"),
                    message_text=message.get("text", ""),
                    **kw,
                )
    raise AssertionError(f"no element {action_id!r} in the message")


def view_as_slack_holds_it(
    view: dict[str, Any],
    *,
    view_id: str = "V0VIEW",
    values: dict[str, Any] | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A view (modal or home) as Slack sends it back in payloads: the app's view plus the
    fields Slack adds (id, hash, state, root_view_id, app ids...); a view the fake Slack
    returned keeps its id and hash. `values` are what the person typed or picked."""
    view_id = view.get("id", view_id)
    return {
        "id": view_id,
        "team_id": team_id,
        "type": view.get("type", "modal"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": values or {}},
        "hash": view.get("hash", "1700000000.abcdef01"),
        "title": view.get("title", {"type": "plain_text", "text": "Hark"}),
        "clear_on_close": view.get("clear_on_close", False),
        "notify_on_close": view.get("notify_on_close", False),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": view.get("external_id", ""),
        "app_installed_team_id": team_id,
        "bot_id": "B0HARKBOT",
    }


def empty_inputs(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """`state.values` of a modal submitted with every input left empty, as Slack sends it:
    a text input's `value` is null, a select's `selected_option` is null, checkboxes'
    `selected_options` is [], a users select's `selected_user` is null."""
    empty: dict[str, Any] = {
        "static_select": {"selected_option": None},
        "external_select": {"selected_option": None},
        "radio_buttons": {"selected_option": None},
        "checkboxes": {"selected_options": []},
        "multi_static_select": {"selected_options": []},
        "users_select": {"selected_user": None},
        "multi_users_select": {"selected_users": []},
        "conversations_select": {"selected_conversation": None},
        "channels_select": {"selected_channel": None},
        "datepicker": {"selected_date": None},
    }
    values: dict[str, Any] = {}
    for block in blocks:
        element = block.get("element") if block.get("type") == "input" else None
        if not element:
            continue
        kind = element["type"]
        values[block["block_id"]] = {
            element["action_id"]: {"type": kind, **empty.get(kind, {"value": None})}
        }
    return values


def text_inputs(values: dict[str, dict[str, str | None]]) -> dict[str, Any]:
    """`state.values` for plain text inputs from `{block_id: {action_id: "typed text"}}`;
    None is an input left empty (Slack sends `"value": null`)."""
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
        "context_team_id": team_id,
        "context_enterprise_id": None,
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
        "event_context": f"4-{hashlib.sha1(str(event).encode()).hexdigest()[:24]}",
    }
    return _signed_request(json.dumps(body), secret, timestamp, bad_signature, stale)


def app_home_opened(
    user_id: str = USER_ID, tab: str = "home", view: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `app_home_opened` event a user's visit to the App Home sends; after the first
    visit Slack includes the `view` last published for them."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D" + user_id[1:],
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None:
        event["view"] = view
    return event


def url_verification(
    secret: str, challenge: str, *, timestamp: int | None = None, bad_signature: bool = False
) -> SignedRequest:
    """The JSON body Slack sends when a request URL is saved (Event Subscriptions); the app
    must answer 200 with the challenge."""
    body = {
        "token": "verification-token-unused",
        "challenge": challenge,
        "type": "url_verification",
    }
    return _signed_request(json.dumps(body), secret, timestamp, bad_signature, False)


def ssl_check(secret: str, *, timestamp: int | None = None) -> SignedRequest:
    """The form body Slack sends to check a slash command's URL certificate; answer 200."""
    body = urlencode({"ssl_check": "1", "token": "verification-token-unused"})
    return _signed_request(body, secret, timestamp, False, False)
