"""The fake Slack server answers the real slack_sdk the way Slack does: roundtrips, refusals,
scripted failures and what it records.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from tests.support.blockkit import (
    MSG_BLOCKS_MAX_CHARS,
    blocks_json_chars,
    validate_blocks,
)
from tests.support.fakeslack import FakeSlack
from tests.support.handmade import button, error_of, header, section
from tests.support.slack_team import manifest_scopes

# -- Web API roundtrips -----------------------------------------------------------------------


def test_url_is_slack_sdk_base_url(fake: FakeSlack) -> None:
    assert fake.url.startswith("http://127.0.0.1:") and fake.url.endswith("/api/")


def test_post_history_update_roundtrip_keeps_metadata(fake: FakeSlack, client: WebClient) -> None:
    metadata = {"event_type": "hark_conversation", "event_payload": {"post_id": 7}}
    blocks = [section("New on *HN*"), {"type": "actions", "elements": [button(action_id="claim")]}]
    posted = client.chat_postMessage(channel="C0K8S", text="New", blocks=blocks, metadata=metadata)
    assert posted["channel"] == "C0K8S" and posted["message"]["blocks"] == blocks

    history = client.conversations_history(channel="C0K8S", include_all_metadata=True)
    assert [m["ts"] for m in history["messages"]] == [posted["ts"]]
    assert history["messages"][0]["metadata"] == metadata

    updated = client.chat_update(channel="C0K8S", ts=posted["ts"], text="Claimed by Sam")
    assert updated["ts"] == posted["ts"] and updated["text"] == "Claimed by Sam"
    message = client.conversations_history(channel="C0K8S", include_all_metadata=True)["messages"][
        0
    ]
    assert message["text"] == "Claimed by Sam" and message["blocks"] == blocks
    assert message["metadata"] == metadata and "edited" in message

    call = fake.last("chat.postMessage")
    assert call.args["metadata"] == metadata and call.headers["authorization"] == "Bearer xoxb-test"


def test_history_is_newest_first_and_honours_limit_oldest_cursor_metadata(
    client: WebClient,
) -> None:
    meta = {"event_type": "t", "event_payload": {}}
    ts = [client.chat_postMessage(channel="C1", text=str(i), metadata=meta)["ts"] for i in range(5)]
    assert ts == sorted(ts) and len(set(ts)) == 5

    page = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in page["messages"]] == ["4", "3"] and page["has_more"]
    assert all("metadata" not in m for m in page["messages"])
    cursor = page["response_metadata"]["next_cursor"]
    page2 = client.conversations_history(channel="C1", limit=2, cursor=cursor)
    assert [m["text"] for m in page2["messages"]] == ["2", "1"]

    newer = client.conversations_history(channel="C1", oldest=ts[2])
    assert [m["text"] for m in newer["messages"]] == ["4", "3"] and not newer["has_more"]
    inclusive = client.conversations_history(channel="C1", oldest=ts[2], inclusive=True)
    assert [m["text"] for m in inclusive["messages"]] == ["4", "3", "2"]


def test_thread_replies_stay_out_of_history(client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)
    assert [m["text"] for m in client.conversations_history(channel="C1")["messages"]] == ["parent"]
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]


def test_update_delete_permalink_and_their_errors(fake: FakeSlack, client: WebClient) -> None:
    assert error_of(lambda: client.chat_update(channel="C1", ts="1.000001", text="x")) == (
        "message_not_found"
    )
    theirs = fake.seed_message("C1", "a person wrote this")
    assert error_of(lambda: client.chat_update(channel="C1", ts=theirs, text="x")) == (
        "cant_update_message"
    )
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/C1/p{ts.replace('.', '')}")
    assert client.chat_delete(channel="C1", ts=ts)["ts"] == ts
    assert error_of(lambda: client.chat_delete(channel="C1", ts=ts)) == "message_not_found"


def test_post_ephemeral_answers_message_ts(client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U0SME1", text="only you")
    assert answer["message_ts"]


def test_channel_rules(fake: FakeSlack, client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="#nowhere", text="x")) == (
        "channel_not_found"
    )
    fake.channel_names["C0MKTG"] = "marketing"
    assert client.chat_postMessage(channel="#marketing", text="x")["channel"] == "C0MKTG"
    assert client.chat_postMessage(channel="U0SME1", text="dm")["channel"] == "D0SME1"

    fake.not_in_channel.add("C0LOCKED")
    assert error_of(lambda: client.chat_postMessage(channel="C0LOCKED", text="x")) == (
        "not_in_channel"
    )
    assert client.conversations_info(channel="C0LOCKED")["channel"]["is_member"] is False
    assert error_of(lambda: client.conversations_join(channel="C0LOCKED")) == "missing_scope"
    fake.scopes.append("channels:join")  # Hark's manifest does not ask for it
    client.conversations_join(channel="C0LOCKED")
    assert client.chat_postMessage(channel="C0LOCKED", text="x")["ok"]

    fake.strict_channels = True
    assert error_of(lambda: client.chat_postMessage(channel="C0NEW", text="x")) == (
        "channel_not_found"
    )
    fake.channels.add("C0NEW")
    assert client.chat_postMessage(channel="C0NEW", text="x")["ok"]


def test_users_and_members(client: WebClient) -> None:
    user = client.users_info(user="U0MARKETER")["user"]
    assert user["is_admin"] and user["tz"] == "Europe/Berlin"
    assert user["profile"]["title"] == "Head of Developer Marketing"
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"
    assert "U0SME1" in client.conversations_members(channel="C1")["members"]


def test_auth_test_and_token_rules(fake: FakeSlack) -> None:
    me = WebClient(token="xoxb-test", base_url=fake.url).auth_test()
    assert (me["user_id"], me["bot_id"], me["team_id"]) == ("U0HARKBOT", "B0HARKBOT", "T0HARK")
    assert me["url"] and me["team"]
    assert error_of(WebClient(base_url=fake.url).auth_test) == "not_authed"
    assert error_of(WebClient(token="xoxa-nope", base_url=fake.url).auth_test) == "invalid_auth"
    fake.tokens = {"xoxb-right"}
    assert error_of(WebClient(token="xoxb-wrong", base_url=fake.url).auth_test) == "invalid_auth"
    assert WebClient(token="xoxb-right", base_url=fake.url).auth_test()["ok"]


def test_unknown_method_and_socket_mode_are_refused_and_recorded(
    fake: FakeSlack, client: WebClient
) -> None:
    assert error_of(lambda: client.api_call("nope.never")) == "unknown_method"
    assert error_of(lambda: client.apps_connections_open(app_token="xoxb-test")) == (
        "not_allowed_token_type"
    )
    # An app token Slack does not know is refused as Slack refuses it; a known one opens a
    # connection only when a tests/support/fakesocket.FakeSocketMode is attached.
    assert error_of(lambda: client.apps_connections_open(app_token="xapp-1")) == "invalid_auth"
    known = next(iter(fake.app_tokens))
    assert error_of(lambda: client.apps_connections_open(app_token=known)) == (
        "socket_mode_not_attached_to_fake_slack"
    )
    assert [c.method for c in fake.calls()] == ["nope.never"] + ["apps.connections.open"] * 3


def test_form_bodies_with_json_fields_and_get_query_strings(
    fake: FakeSlack, client: WebClient
) -> None:
    blocks = [section("hello")]
    client.api_call(
        "chat.postMessage", params={"channel": "C1", "text": "t", "blocks": json.dumps(blocks)}
    )
    assert fake.last("chat.postMessage").args["blocks"] == blocks

    req = urllib.request.Request(
        fake.url + "users.info?user=U0SME2", headers={"Authorization": "Bearer xoxb-test"}
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert json.load(resp)["user"]["id"] == "U0SME2"
    assert fake.last("users.info").args == {"user": "U0SME2"}


def test_views_open_update_push_publish(fake: FakeSlack, client: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Ignore"}, "blocks": []}
    assert error_of(lambda: client.views_open(trigger_id="", view=modal)) == "invalid_arguments"
    opened = client.views_open(trigger_id="t1", view=modal)["view"]
    assert opened["id"].startswith("V") and opened["title"]["text"] == "Ignore"
    assert error_of(lambda: client.views_open(trigger_id="t1", view=modal)) == (
        "exchanged_trigger_id"
    )
    fake.expired_trigger_ids.add("old")
    assert error_of(lambda: client.views_open(trigger_id="old", view=modal)) == (
        "expired_trigger_id"
    )

    too_long = {**modal, "title": {"type": "plain_text", "text": "x" * 25}}
    with pytest.raises(SlackApiError) as info:
        client.views_push(trigger_id="t2", view=too_long)
    assert info.value.response["error"] == "invalid_arguments"
    assert (
        "json-pointer:/view/title/text" in info.value.response["response_metadata"]["messages"][0]
    )

    again = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)["view"]
    assert again["id"] == opened["id"]
    assert error_of(
        lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    ) == ("hash_conflict")
    assert error_of(lambda: client.views_update(view_id="V0NONE", view=modal)) == "not_found"

    home = {"type": "home", "blocks": [section("My conversations")]}
    client.views_publish(user_id="U0SME1", view=home)
    assert fake.home_views["U0SME1"]["blocks"] == home["blocks"]


def test_file_upload_v2_roundtrip(fake: FakeSlack, client: WebClient) -> None:
    answer = client.files_upload_v2(channel="C1", content=b"id,title\n1,x\n", filename="e.csv")
    file_id = answer["file"]["id"]
    assert fake.uploads[file_id] == b"id,title\n1,x\n"
    assert answer["file"]["channels"] == ["C1"]
    upload_url = fake.last("files.getUploadURLExternal").response["upload_url"]
    assert upload_url == f"{fake.origin}/upload/{file_id}"


# -- scripted failures ------------------------------------------------------------------------


def test_429_with_retry_after_is_retried_by_slack_sdk(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=0)
    client = WebClient(
        token="xoxb-test",
        base_url=fake.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    first, second = fake.calls("chat.postMessage")
    assert (first.status, first.response["error"], second.status) == (429, "ratelimited", 200)


def test_429_carries_retry_after_header(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"


def test_500_times_n_then_success(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            client.chat_postMessage(channel="C1", text="x")
        assert info.value.response.status_code == 500
    assert client.chat_postMessage(channel="C1", text="x")["ok"]

    fake.fail("chat.postMessage", status=500, times=2)
    retrying = WebClient(
        token="xoxb-test",
        base_url=fake.url,
        retry_handlers=[ServerErrorRetryHandler(2, FixedValueRetryIntervalCalculator(0))],
    )
    assert retrying.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [500, 500, 200, 500, 500, 200]


def test_error_until_cleared_and_failures_queue_in_order(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail("chat.postMessage", error="channel_not_found", times=None)
    for _ in range(3):
        assert error_of(lambda: client.chat_postMessage(channel="C1", text="x")) == (
            "channel_not_found"
        )
    assert fake.last("chat.postMessage").status == 200  # Slack's way: HTTP 200, ok false
    fake.clear_failures()
    assert client.chat_postMessage(channel="C1", text="x")["ok"]

    fake.fail("*", error="ratelimited")
    fake.fail("*", error="fatal_error")
    assert error_of(client.auth_test) == "ratelimited"
    assert error_of(client.auth_test) == "fatal_error"
    assert client.auth_test()["ok"]


def test_delay_times_out_a_client_and_close_is_prompt() -> None:
    fake = FakeSlack()
    fake.delay("auth.test", 30)
    impatient = WebClient(token="xoxb-test", base_url=fake.url, timeout=0.2)
    with pytest.raises(OSError):  # socket timeout: slack_sdk lets it through
        impatient.auth_test()
    started = time.monotonic()
    fake.close()
    assert time.monotonic() - started < 1


def test_delay_then_answer(fake: FakeSlack, client: WebClient) -> None:
    fake.delay("auth.test", 0.2)
    started = time.monotonic()
    assert client.auth_test()["ok"]
    assert time.monotonic() - started >= 0.2
    fake.delay("auth.test", 0)
    assert fake.last("auth.test").status == 200


# -- recording --------------------------------------------------------------------------------


def test_wait_for_wakes_on_calls_from_other_threads(fake: FakeSlack, client: WebClient) -> None:
    def post_later() -> None:
        time.sleep(0.05)
        for i in range(3):
            client.chat_postMessage(channel="C1", text=str(i))

    threading.Thread(target=post_later, daemon=True).start()
    calls = fake.wait_for("chat.postMessage", count=3, timeout=5)
    assert [c.args["text"] for c in calls] == ["0", "1", "2"]


def test_wait_for_and_last_explain_what_is_missing(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match="got 0"):
        fake.wait_for("chat.update", timeout=0.05)
    with pytest.raises(AssertionError, match="received: auth.test"):
        fake.last("chat.update")


def test_concurrent_posts_are_all_recorded_with_unique_ts(
    fake: FakeSlack, client: WebClient
) -> None:
    threads = [
        threading.Thread(target=client.chat_postMessage, kwargs={"channel": "C1", "text": str(i)})
        for i in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake.calls("chat.postMessage")) == 16
    assert len({m["ts"] for m in fake.messages["C1"]}) == 16


def test_reset_forgets_calls_state_and_failures(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    fake.fail("auth.test", status=500, times=None)
    fake.reset()
    assert fake.calls() == [] and fake.messages == {}
    assert client.auth_test()["ok"]


# -- refusals ---------------------------------------------------------------------------------


def test_server_refuses_invalid_blocks_with_messages(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="x", blocks=[header("h" * 151)])
    assert info.value.response["error"] == "invalid_blocks"
    assert info.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"
    ]


def test_msg_blocks_too_long_over_the_undocumented_total(client: WebClient) -> None:
    blocks = [section("x" * 2900) for _ in range(5)]  # each block is within every limit
    assert validate_blocks(blocks) == [] and blocks_json_chars(blocks) > MSG_BLOCKS_MAX_CHARS
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", blocks=blocks)) == (
        "msg_blocks_too_long"
    )
    ts = client.chat_postMessage(channel="C1", text="x", blocks=blocks[:4])["ts"]
    assert error_of(lambda: client.chat_update(channel="C1", ts=ts, text="x", blocks=blocks)) == (
        "msg_blocks_too_long"
    )


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_text_over_40k_and_no_content_are_refused(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x" * 40_001)) == (
        "msg_too_long"
    )
    assert client.chat_postMessage(channel="C1", text="x" * 40_000)["ok"]
    assert error_of(lambda: client.chat_postMessage(channel="C1")) == "no_text"
    bad_metadata = {"event_type": "t"}  # no event_payload
    assert error_of(
        lambda: client.chat_postMessage(channel="C1", text="x", metadata=bad_metadata)
    ) == ("invalid_metadata_format")


def test_sent_text_covers_text_blocks_views_metadata(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(
        channel="C1",
        text="fallback",
        blocks=[
            section("in a section"),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "in context <!here>"}]},
        ],
        metadata={"event_type": "t", "event_payload": {"title": "in metadata"}},
    )
    client.views_publish(user_id="U0SME1", view={"type": "home", "blocks": [section("home")]})
    sent = fake.sent_text()
    for piece in ("fallback", "in a section", "in context <!here>", "in metadata", "home"):
        assert piece in sent
    assert fake.mentions() == ["<!here>"]


def test_raw_here_counts_when_sent_with_link_names(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="raw @here")
    assert fake.mentions() == [] and fake.mentions(strict=True) == ["@here"]
    client.chat_postMessage(channel="C1", text="raw @channel", link_names=True)
    assert fake.mentions() == ["@channel"]


def test_arguments_the_fake_cannot_read_answer_500_with_detail(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.conversations_history(channel="C1", limit="many")
    assert info.value.response.status_code == 500
    assert "ValueError" in info.value.response["detail"]


def test_response_url_refuses_invalid_blocks(fake: FakeSlack) -> None:
    body = json.dumps({"blocks": [header("h" * 151)]}).encode()
    req = urllib.request.Request(
        fake.response_url("x"), data=body, headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=5)
    info.value.close()
    assert info.value.code == 400
    assert fake.last("response").status == 400


def test_every_answer_carries_the_tokens_scopes_and_a_missing_one_is_refused(
    fake: FakeSlack, client: WebClient
) -> None:
    me = client.auth_test()
    assert me.headers["x-oauth-scopes"].split(",") == manifest_scopes()
    assert "chat:write" in me.headers["x-oauth-scopes"].split(",")
    posted = client.chat_postMessage(channel="C1", text="x")
    assert posted.headers["x-accepted-oauth-scopes"] == "chat:write"
    fake.scopes = [s for s in fake.scopes if s != "users:read"]
    try:
        client.users_info(user="U0SME1")
    except SlackApiError as exc:
        assert exc.response["error"] == "missing_scope"
        assert exc.response["needed"] == "users:read"
        assert "users:read" not in exc.response["provided"].split(",")
    else:
        raise AssertionError("users.info without users:read was answered")


def _post_response(fake: FakeSlack, payload: dict[str, Any]) -> int:
    req = urllib.request.Request(
        fake.response_url("limits"),
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def test_response_url_refuses_what_chat_post_message_refuses(fake: FakeSlack) -> None:
    assert _post_response(fake, {"text": "fine"}) == 200
    assert _post_response(fake, {"text": "x" * 40_001}) == 400
    assert fake.last("response").response == ["msg_too_long"]
    big = [section("x" * 2_900, block_id=f"b{i}") for i in range(5)]
    assert validate_blocks(big) == [] and blocks_json_chars(big) > MSG_BLOCKS_MAX_CHARS
    assert _post_response(fake, {"blocks": big}) == 400
    assert fake.last("response").response == ["msg_blocks_too_long"]
    assert _post_response(fake, {"response_type": "ephemeral"}) == 400  # nothing to show
    assert _post_response(fake, {"delete_original": True}) == 200
