"""Hark driven with requests shaped like the ones Slack really sends (tests/support/slackreq.py):
slash commands with every form field, block_actions from a channel message, an ephemeral
message, the App Home and a modal, view_submission with empty optional inputs,
app_home_opened, url_verification and ssl_check."""

from __future__ import annotations

import io
import json

import pytest

from tests.support import slackreq
from tests.support.blockkit import validate_view
from tests.support.harness import SECRET, seed_conversation


@pytest.fixture
def h(harness_factory):
    return harness_factory()


def test_url_verification_echoes_the_challenge(h):
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    response = h.dispatch(slackreq.url_verification(SECRET, challenge))
    assert response.status == 200
    assert json.loads(response.body) == {"challenge": challenge}


def test_url_verification_with_a_bad_signature_is_refused(h):
    response = h.dispatch(slackreq.url_verification(SECRET, "x", bad_signature=True))
    assert response.status == 401


def test_ssl_check_is_answered_200_and_runs_nothing(h):
    response = h.dispatch(slackreq.ssl_check(SECRET))
    assert response.status == 200
    assert h.fake.calls() == []


@pytest.mark.parametrize(
    "where",
    [
        {},
        {"channel_id": "D0SME1", "channel_name": "directmessage"},
        {"channel_id": "G0SECRET", "channel_name": "privategroup"},
        {"enterprise_id": "E0GRID", "enterprise_name": "Acme Grid"},
    ],
    ids=["channel", "dm", "private", "enterprise"],
)
@pytest.mark.parametrize(
    ("command", "text", "expect"),
    [
        ("/who-covers", "kubernetes", "kubernetes"),
        ("/hark", "help", "/hark topics"),
        ("/digest", "7d", "7 days"),
        ("/register", "help", "/register show"),
    ],
)
def test_slash_commands_with_every_field_slack_sends(h, where, command, text, expect):
    response = h.command(command, text, user_id="U0MARKETER", **where)
    assert response.status == 200
    answer = h.last_response()
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert expect in json.dumps(answer)


def test_claim_from_the_card_as_slack_sends_it(h):
    cid = seed_conversation(h)
    card = h.fake.messages["C0K8S"][-1]
    click = slackreq.message_action(
        SECRET, card, "claim", "C0K8S", response_url=h.fake.response_url("claim")
    )
    body = json.loads(dict(_form(click.body))["payload"])
    assert body["container"] == {
        "type": "message",
        "message_ts": card["ts"],
        "channel_id": "C0K8S",
        "is_ephemeral": False,
    }
    assert body["message"]["blocks"] == card["blocks"]
    assert h.dispatch(click).status == 200
    assert h.store.conversation(cid).owner == "U0SME1"
    update = h.fake.last("chat.update").args
    assert (update["channel"], update["ts"]) == ("C0K8S", card["ts"])
    assert "Claimed by <@U0SME1>" in json.dumps(update["blocks"])


def test_the_cards_menu_as_slack_sends_an_overflow_choice(h):
    h.click("claim", seed_conversation(h))  # the menu shows on a claimed card
    card = h.fake.messages["C0K8S"][-1]
    menu = next(
        el
        for block in card["blocks"]
        for el in [*(block.get("elements") or []), block.get("accessory") or {}]
        if el.get("type") == "overflow"
    )
    history = next(o["value"] for o in menu["options"] if o["value"].startswith("history"))
    click = slackreq.message_action(
        SECRET, card, menu["action_id"], "C0K8S", selected=history, user_id="U0SME2"
    )
    assert h.dispatch(click).status == 200
    answer = h.fake.last("chat.postEphemeral").args
    assert (answer["channel"], answer["user"]) == ("C0K8S", "U0SME2")


def test_share_from_an_ephemeral_answer(h):
    h.store.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {})
    h.command("/who-covers", "kubernetes", user_id="U0MARKETER")
    answer = h.last_response()
    button = next(el for b in answer["blocks"] if b["type"] == "actions" for el in b["elements"])
    click = slackreq.block_action(
        SECRET,
        button["action_id"],
        button["value"],
        block_id="who_covers",
        user_id="U0MARKETER",
        ephemeral=True,
        response_url=h.fake.response_url("share"),
    )
    body = json.loads(dict(_form(click.body))["payload"])
    assert "message" not in body and body["container"]["is_ephemeral"] is True
    assert h.dispatch(click).status == 200
    shared, receipt = h.fake.calls("response")[-2:]
    assert shared.args["response_type"] == "in_channel"
    assert receipt.args["replace_original"] is True


def test_post_the_digest_from_an_ephemeral_answer(h):
    h.command("/digest", "7d", user_id="U0MARKETER", channel_id="C0MKTG")
    answer = h.last_response()
    button = next(el for b in answer["blocks"] if b["type"] == "actions" for el in b["elements"])
    click = slackreq.block_action(
        SECRET,
        button["action_id"],
        button["value"],
        block_id="digest",
        user_id="U0MARKETER",
        channel_id="C0MKTG",
        ephemeral=True,
        response_url=h.fake.response_url("post"),
    )
    assert h.dispatch(click).status == 200
    assert h.fake.last("chat.postMessage").args["channel"] == "C0MKTG"
    assert "Posted the digest" in h.fake.last("response").args["text"]


def test_app_home_opened_first_and_later_visits(h):
    first = slackreq.event_callback(SECRET, slackreq.app_home_opened("U0SME1"))
    assert h.dispatch(first).status == 200
    home = h.fake.home_views["U0SME1"]
    assert validate_view(h.fake.last("views.publish").args["view"], "home") == []
    later = slackreq.event_callback(SECRET, slackreq.app_home_opened("U0SME1", view=home))
    assert h.dispatch(later).status == 200
    assert len(h.fake.calls("views.publish")) == 2
    messages_tab = slackreq.event_callback(SECRET, slackreq.app_home_opened(tab="messages"))
    assert h.dispatch(messages_tab).status == 200
    assert len(h.fake.calls("views.publish")) == 2  # nothing to publish on the Messages tab


def test_claim_from_the_app_home_as_slack_sends_it(h):
    h.store.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {})
    cid = seed_conversation(h)
    h.dispatch(slackreq.event_callback(SECRET, slackreq.app_home_opened("U0SME1")))
    home = h.fake.home_views["U0SME1"]
    button = next(
        el
        for b in home["blocks"]
        for el in [*(b.get("elements") or []), b.get("accessory") or {}]
        if el.get("action_id") == "claim"
    )
    click = slackreq.block_action(
        SECRET, "claim", button["value"], view=slackreq.view_as_slack_holds_it(home)
    )
    body = json.loads(dict(_form(click.body))["payload"])
    assert body["container"]["type"] == "view" and "response_url" not in body
    assert h.dispatch(click).status == 200
    assert h.store.conversation(cid).owner == "U0SME1"
    assert h.fake.last("views.publish").args["user_id"] == "U0SME1"


def _open_modal(h, action_id: str, cid: int) -> dict:
    card = h.fake.messages["C0K8S"][-1]
    h.dispatch(slackreq.message_action(SECRET, card, action_id, "C0K8S"))
    return h.fake.last("views.open").response["view"]  # as Slack holds it: id, hash, ...


def test_share_draft_from_inside_the_reply_modal(h):
    cid = seed_conversation(h)
    h.click("claim", cid)
    view = _open_modal(h, "reply", cid)
    typed = slackreq.empty_inputs(view["blocks"])
    typed["draft"]["value"]["value"] = "Try `kubectl describe pod`."
    held = slackreq.view_as_slack_holds_it(view, values=typed)
    draft_button = next(
        el for b in view["blocks"] if b["type"] == "actions" for el in b["elements"]
    )
    click = slackreq.block_action(SECRET, draft_button["action_id"], "", view=held)
    assert h.dispatch(click).status == 200
    thread = h.fake.last("chat.postMessage").args
    assert thread["thread_ts"] == h.store.conversation(cid).ts
    assert "kubectl describe pod" in json.dumps(thread)
    assert h.fake.last("views.update").args["view_id"] == view["id"]


def _submit_empty(h, view: dict, user_id: str = "U0SME1"):
    values = slackreq.empty_inputs(view["blocks"])
    request = slackreq.view_submission(
        SECRET,
        view["callback_id"],
        values,
        private_metadata=view.get("private_metadata", ""),
        blocks=view["blocks"],
        user_id=user_id,
    )
    return h.dispatch(request)


def test_reply_modal_submitted_empty_asks_for_the_link(h):
    cid = seed_conversation(h)
    h.click("claim", cid)
    view = _open_modal(h, "reply", cid)
    response = _submit_empty(h, view)
    assert response.status == 200
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors" and "reply_url" in answer["errors"]
    # Slack shows an error only under an input block of the view; other keys are refused.
    inputs = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert set(answer["errors"]) <= inputs
    assert h.store.conversation(cid).state == "claimed"


def test_ignore_modal_submitted_without_the_optional_mutes(h):
    cid = seed_conversation(h)
    h.click("claim", cid)
    view = _open_modal(h, "ignore", cid)
    values = slackreq.empty_inputs(view["blocks"])
    reason = next(b for b in view["blocks"] if b.get("block_id") == "reason")["element"]
    values["reason"]["value"]["selected_option"] = reason["options"][0]
    request = slackreq.view_submission(
        SECRET, view["callback_id"], values, private_metadata=view["private_metadata"]
    )
    assert h.dispatch(request).status == 200
    assert h.store.conversation(cid).state == "ignored"


def test_register_modal_submitted_with_every_optional_field_empty(h):
    h.command("/register", "")
    view = h.fake.last("views.open").args["view"]
    response = _submit_empty(h, view)
    assert response.status == 200
    assert response.body in ("", None) or "errors" not in json.loads(response.body)


def _form(body: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(body, keep_blank_values=True)


# -- the same requests through Hark's HTTP endpoint (POST /slack/events) -------------------


def _over_http(h, request: slackreq.SignedRequest) -> tuple[str, bytes]:
    """One in-process WSGI call of POST /slack/events: (status line, body)."""
    from bot.config import Settings
    from bot.ops.web import health_report, wsgi_app

    application = wsgi_app(
        h.app,
        lambda: health_report(h.store, lambda: True),
        settings=Settings(signing_secret=SECRET),
    )
    data = request.body.encode()
    environ = {
        "PATH_INFO": "/slack/events",
        "REQUEST_METHOD": "POST",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": request.headers["Content-Type"],
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
    }
    for name, value in request.headers.items():
        if name != "Content-Type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    captured: dict[str, str] = {}

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        captured["status"] = status

    body = b"".join(application(environ, start_response))
    return captured["status"], body


def test_url_verification_and_ssl_check_over_http(h):
    status, body = _over_http(h, slackreq.url_verification(SECRET, "challenge-123"))
    assert status.startswith("200") and json.loads(body) == {"challenge": "challenge-123"}
    status, _ = _over_http(h, slackreq.ssl_check(SECRET))
    assert status.startswith("200")


def test_a_command_with_a_picked_channel_over_http(h):
    request = slackreq.slash_command(
        SECRET,
        "/hark",
        "topics add k8s <#C0DEVOPS|devops> kubernetes",
        user_id="U0MARKETER",
        enterprise_id="E0GRID",
        response_url=h.fake.response_url("http"),
    )
    status, _ = _over_http(h, request)
    assert status.startswith("200")
    assert "Added topic" in json.dumps(h.last_response())
    assert h.store.topic_by_name("k8s").channel == "C0DEVOPS"
