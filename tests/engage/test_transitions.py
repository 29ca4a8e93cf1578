"""The conversation state machine, driven by signed Slack requests against the fake Slack:
each transition checks the store, the engagement log and the card updated in place."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import slackreq
from tests.support.blockkit import validate_blocks, validate_view
from tests.support.harness import BASE_CONFIG, SECRET, seed_conversation
from tests.support.mentions import find_mentions
from tests.support.slack_team import make_user

ADMIN = "U0MARKETER"


def actions(h) -> list[str]:
    return [e.action for e in h.store.engagements(1)]


def card(h) -> dict:
    """The card as it is now in the fake Slack channel."""
    row = h.store.conversation(1)
    message = next(m for m in h.fake.messages[row.channel] if m["ts"] == row.ts)
    assert validate_blocks(message["blocks"]) == []
    return message


def card_text(h) -> str:
    return json.dumps(card(h)["blocks"])


def buttons(h) -> list[str]:
    found = []
    for block in card(h)["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        elements += [block["accessory"]] if "accessory" in block else []
        found += [e["text"]["text"] for e in elements if e["type"] == "button"]
    return found


def ephemeral_to(h, user: str) -> str:
    call = h.fake.last("chat.postEphemeral").args
    assert call["user"] == user
    return call["text"]


def choose(h, conversation_id: int, choice: str, user: str):
    """Pick ``choice`` ("reassign", "reopen") in the card's admin overflow menu."""
    row = h.store.conversation(conversation_id)
    action = slackreq.admin_menu_choice(conversation_id, choice)
    request = slackreq.block_action(
        SECRET,
        "conversation_admin",
        action=action,
        user_id=user,
        channel_id=row.channel,
        message_ts=row.ts,
    )
    return h.dispatch(request)


def submit_reply(h, url: str, user: str = "U0SME1", draft: str = ""):
    values = slackreq.text_inputs({"reply_url": {"value": url}, "draft": {"value": draft}})
    return h.submit(
        "reply_submit", values, user_id=user, metadata={"conversation_id": 1, "channel": "C0K8S"}
    )


def submit_ignore(
    h, reason: str, mute: list[str] = (), user: str = "U0SME1", words: str | None = None
):
    values = {
        "reason": {"value": {"type": "radio_buttons", "selected_option": {"value": reason}}},
        "mute": {"value": {"type": "checkboxes", "selected_options": [{"value": m} for m in mute]}},
        "other_reason": {"value": {"type": "plain_text_input", "value": words}},
    }
    return h.submit(
        "ignore_submit", values, user_id=user, metadata={"conversation_id": 1, "channel": "C0K8S"}
    )


@pytest.fixture
def h(harness_factory):
    h = harness_factory()
    seed_conversation(h, author="kube_fan", link="https://forum.example.com/t/1")
    return h


def test_claim_then_release_by_owner(h):
    assert buttons(h) == ["Claim", "Reply", "Ignore"]
    h.click("claim", 1, user_id="U0SME1")
    row = h.store.conversation(1)
    assert (row.state, row.owner) == ("claimed", "U0SME1")
    assert row.owned_since == row.claimed_at
    assert "Claimed by <@U0SME1> after" in card_text(h)
    assert buttons(h) == ["Reply", "Release", "Ignore"]

    h.click("release", 1, user_id="U0SME1")
    row = h.store.conversation(1)
    assert (row.state, row.owner, row.claimed_at) == ("new", None, None)
    assert actions(h) == ["claim", "release"]
    assert "Released by <@U0SME1>" in card_text(h)
    assert buttons(h) == ["Claim", "Reply", "Ignore"]


def test_only_the_owner_or_an_admin_may_release(h):
    h.click("claim", 1, user_id="U0SME1")
    updates = len(h.fake.calls("chat.update"))
    h.click("release", 1, user_id="U0SME2")
    assert "<@U0SME1> has claimed this conversation" in ephemeral_to(h, "U0SME2")
    assert "only they or an admin can release it" in ephemeral_to(h, "U0SME2")
    assert h.store.conversation(1).owner == "U0SME1"
    assert actions(h) == ["claim"]
    assert len(h.fake.calls("chat.update")) == updates  # an unauthorized click changes nothing

    h.click("release", 1, user_id=ADMIN)
    assert h.store.conversation(1).state == "new"
    assert [(e.action, e.user_id) for e in h.store.engagements(1)][-1] == ("release", ADMIN)


def test_many_simultaneous_claims_leave_one_owner(h):
    users = [f"U0CLAIM{i:02d}" for i in range(24)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(lambda u: h.click("claim", 1, user_id=u), users))
    assert all(r.status == 200 for r in responses)
    owner = h.store.conversation(1).owner
    assert owner in users
    assert [(e.action, e.user_id) for e in h.store.engagements(1)] == [("claim", owner)]
    refused = h.fake.calls("chat.postEphemeral")
    assert sorted(c.args["user"] for c in refused) == sorted(u for u in users if u != owner)
    assert all(f"<@{owner}> has claimed" in c.args["text"] for c in refused)
    assert len(h.fake.calls("chat.update")) == 1


def test_reply_modal_has_guidelines_draft_and_link(harness_factory):
    config = BASE_CONFIG.replace("sources:\n%s", "") + (
        'engagement: {guidelines: "Disclose you work at Acme. *Never* pitch."}\n'
    )
    h = harness_factory(config=config)
    seed_conversation(h)
    h.click("reply", 1, user_id="U0SME1")
    view = h.fake.last("views.open").args["view"]
    assert validate_view(view) == []
    text = json.dumps(view)
    assert "Disclose you work at Acme. *Never* pitch." in text
    assert "<https://forum.example.com/t/1|How do I debug a k8s CrashLoopBackOff?>" in text
    block_ids = [b.get("block_id") for b in view["blocks"]]
    assert {"draft", "draft_actions", "reply_url"} <= set(block_ids)
    assert view["submit"]["text"] == "Mark replied"


def test_submitting_a_link_marks_replied_self_reported(h):
    h.click("claim", 1, user_id="U0SME1")
    response = submit_reply(h, "not a link")
    assert "http(s) URL" in json.loads(response.body)["errors"]["reply_url"]
    response = submit_reply(h, "")
    assert "Paste the link" in json.loads(response.body)["errors"]["reply_url"]
    assert h.store.conversation(1).state == "claimed"

    submit_reply(h, "https://forum.example.com/t/1#reply-7", draft="Try kubectl describe.")
    row = h.store.conversation(1)
    assert (row.state, row.reply_url, row.reply_verified) == (
        "replied",
        "https://forum.example.com/t/1#reply-7",
        0,
    )
    assert h.store.draft(1, "U0SME1") == "Try kubectl describe."
    assert actions(h) == ["claim", "reply"]
    text = card_text(h)
    assert "Replied by <@U0SME1> after" in text and "(self-reported)" in text
    assert "<https://forum.example.com/t/1#reply-7|the reply>" in text
    assert buttons(h) == []


def test_only_the_owner_may_mark_replied(h):
    h.click("claim", 1, user_id="U0SME1")
    h.click("reply", 1, user_id="U0SME2")
    assert "only they or an admin can reply to it" in ephemeral_to(h, "U0SME2")
    assert h.fake.calls("views.open") == []
    # A submission from a modal opened before the claim is refused too, privately.
    response = submit_reply(h, "https://forum.example.com/t/1#r", user="U0SME2")
    assert response.status == 200
    assert "<@U0SME1> has claimed" in ephemeral_to(h, "U0SME2")
    assert h.store.conversation(1).state == "claimed"
    # An admin may record the owner's reply; the owner stays the owner.
    submit_reply(h, "https://forum.example.com/t/1#r", user=ADMIN)
    row = h.store.conversation(1)
    assert (row.state, row.owner) == ("replied", "U0SME1")


def test_reply_to_an_open_conversation_claims_it(h):
    submit_reply(h, "https://forum.example.com/t/1#r", user="U0SME2")
    row = h.store.conversation(1)
    assert (row.state, row.owner) == ("replied", "U0SME2")
    assert row.claimed_at == row.replied_at


def test_a_draft_is_shared_in_the_thread_escaped(h):
    h.click("claim", 1, user_id="U0SME1")
    h.click("reply", 1, user_id="U0SME1")
    opened = h.fake.last("views.open").response["view"]
    draft = "Hi <!channel> & <@U0MARKETER>: try `kubectl describe`\n> not a quote"
    view = dict(opened, state={"values": slackreq.text_inputs({"draft": {"value": draft}})})
    h.dispatch(slackreq.block_action(SECRET, "share_draft", "1", view=view, user_id="U0SME1"))

    post = h.fake.last("chat.postMessage").args
    row = h.store.conversation(1)
    assert post["thread_ts"] == row.ts and post["channel"] == "C0K8S"
    body = post["blocks"][1]["text"]["text"]
    assert body.startswith("> Hi &lt;!channel&gt; &amp; &lt;@U0MARKETER&gt;")
    assert "\n> &gt; not a quote" in body
    assert find_mentions(json.dumps(post)) == ["<@U0SME1>", "<@U0SME1>"]  # only the drafter
    assert h.store.draft(1, "U0SME1") == draft
    assert actions(h) == ["claim", "share_draft"]
    updated = h.fake.last("views.update").args
    assert "Shared in the conversation's thread" in json.dumps(updated["view"])
    assert h.store.conversation(1).state == "claimed"  # sharing is not replying

    # Reopening the modal brings the draft back.
    h.click("reply", 1, user_id="U0SME1")
    draft_block = next(
        b for b in h.fake.last("views.open").args["view"]["blocks"] if b.get("block_id") == "draft"
    )
    assert draft_block["element"]["initial_value"] == draft


def test_only_the_owner_may_share_a_draft(h):
    h.click("claim", 1, user_id="U0SME1")
    h.click("reply", 1, user_id="U0SME1")
    opened = h.fake.last("views.open").response["view"]
    view = dict(opened, state={"values": slackreq.text_inputs({"draft": {"value": "mine"}})})
    posts = len(h.fake.calls("chat.postMessage"))
    h.dispatch(slackreq.block_action(SECRET, "share_draft", "1", view=view, user_id="U0SME2"))
    assert len(h.fake.calls("chat.postMessage")) == posts
    assert "only they or an admin" in json.dumps(h.fake.last("views.update").args["view"])
    assert actions(h) == ["claim"]


def test_ignore_with_reason_and_mutes_collapses_with_undo(h):
    h.click("ignore", 1, user_id="U0SME2")
    view = h.fake.last("views.open").args["view"]
    assert validate_view(view) == []
    text = json.dumps(view)
    for label in ("off-topic", "spam or bot", "already handled", "not worth joining", "other"):
        assert label in text
    assert "Mute the author: kube_fan" in text and "Mute the site: forum.example.com" in text

    submit_ignore(h, "spam", user="U0SME2")
    row = h.store.conversation(1)
    assert (row.state, row.ignore_reason) == ("ignored", "spam or bot")
    assert [(e.action, e.detail) for e in h.store.engagements(1)] == [("ignore", "spam")]
    blocks = card(h)["blocks"]
    assert len(blocks) == 1 and "\n" not in blocks[0]["text"]["text"]  # one line
    assert "Ignored by <@U0SME2> (spam or bot)" in blocks[0]["text"]["text"]
    assert buttons(h) == ["Undo"]

    h.click("undo_ignore", 1, user_id="U0SME3")
    assert "Only <@U0SME2>, who ignored it, or an admin" in ephemeral_to(h, "U0SME3")
    assert h.store.conversation(1).state == "ignored"
    h.click("undo_ignore", 1, user_id="U0SME2")
    assert h.store.conversation(1).state == "new"
    assert "Ignore undone by <@U0SME2>" in card_text(h)
    assert buttons(h) == ["Claim", "Reply", "Ignore"]


def confirm_mute(h, kind: str, user: str):
    row = h.store.conversation(1)
    request = slackreq.block_action(
        SECRET,
        f"confirm_mute_{kind}",
        f"{kind}:1",
        user_id=user,
        channel_id=row.channel,
        message_ts=row.ts,
    )
    return h.dispatch(request)


def test_an_smes_mute_from_ignore_waits_for_an_admin_and_the_card_says_so(h):
    """Any SME could mute an author or a whole site from the Ignore modal (though
    `/hark mutes add` is admin-only), and the card never said a mute was made."""
    submit_ignore(h, "spam", mute=["author", "site"], user="U0SME2")
    assert h.store.mutes() == []
    assert [(e.action, e.detail) for e in h.store.engagements(1)] == [
        ("ignore", "spam"),
        ("mute_proposal", "author:kube_fan"),
        ("mute_proposal", "site:forum.example.com"),
    ]
    text = card_text(h)
    assert "<@U0SME2> proposed muting the author *kube_fan*" in text
    assert "it takes effect when an admin confirms" in text
    assert buttons(h) == ["Undo", "Mute this author", "Mute this site"]
    # an SME cannot confirm it
    confirm_mute(h, "author", "U0SME1")
    assert "Only Hark admins" in ephemeral_to(h, "U0SME1") and h.store.mutes() == []
    confirm_mute(h, "author", ADMIN)
    assert [(m.kind, m.value, m.created_by) for m in h.store.mutes()] == [
        ("author", "kube_fan", ADMIN)
    ]
    text = card_text(h)
    assert "Muted the author *kube_fan*: proposed by <@U0SME2>, confirmed by <@U0MARKETER>" in text
    assert "proposed muting the site *forum.example.com*" in text


def test_an_admins_own_ignore_mutes_at_once(h):
    submit_ignore(h, "spam", mute=["author"], user=ADMIN)
    assert [(m.kind, m.value, m.created_by) for m in h.store.mutes()] == [
        ("author", "kube_fan", ADMIN)
    ]
    assert "<@U0MARKETER> muted the author *kube_fan*" in card_text(h)
    assert "confirm_mute" not in card_text(h)


def test_ignore_other_asks_for_words_and_the_card_shows_them(h):
    """The Ignore reason "other" had no text box: the card read "Ignored by … (other)"."""
    h.click("ignore", 1, user_id="U0SME1")
    view = h.fake.last("views.open").args["view"]
    assert any(b.get("block_id") == "other_reason" for b in view["blocks"])
    response = submit_ignore(h, "other")
    assert json.loads(response.body)["errors"]["other_reason"].startswith("Say why")
    assert h.store.conversation(1).state == "new"
    response = submit_ignore(h, "other", words="a competitor's own forum")
    row = h.store.conversation(1)
    assert (row.state, row.ignore_reason) == ("ignored", "a competitor's own forum")
    assert "Ignored by <@U0SME1> (a competitor's own forum)" in card_text(h)


def test_platform_sites_are_not_offered_for_muting(harness_factory):
    h = harness_factory()
    seed_conversation(h, link="https://www.reddit.com/r/devops/comments/abc123/x/", author="/u/a")
    h.click("ignore", 1, user_id="U0SME1")
    text = json.dumps(h.fake.last("views.open").args["view"])
    assert "Mute the author: /u/a" in text and "Mute the site" not in text


def test_a_claimed_conversation_is_ignored_only_by_its_owner(h):
    h.click("claim", 1, user_id="U0SME1")
    h.click("ignore", 1, user_id="U0SME2")
    assert "only they or an admin can ignore it" in ephemeral_to(h, "U0SME2")
    submit_ignore(h, "off_topic", user="U0SME2")
    assert h.store.conversation(1).state == "claimed"
    submit_ignore(h, "handled", user="U0SME1")
    h.click("undo_ignore", 1, user_id="U0SME1")
    row = h.store.conversation(1)
    assert (row.state, row.owner) == ("claimed", "U0SME1")  # back to where it was


def test_admin_reopens_any_state(h):
    h.click("claim", 1, user_id="U0SME1")
    submit_reply(h, "https://forum.example.com/t/1#r")
    choose(h, 1, "reopen", "U0SME1")
    assert "Only Hark admins" in ephemeral_to(h, "U0SME1")
    assert h.store.conversation(1).state == "replied"

    choose(h, 1, "reopen", ADMIN)
    row = h.store.conversation(1)
    assert (row.state, row.owner, row.reply_url, row.replied_at) == (
        "new",
        None,
        None,
        None,
    )
    assert [(e.action, e.detail) for e in h.store.engagements(1)][-1] == (
        "reopen",
        "replied",
    )
    assert "Reopened by <@U0MARKETER>" in card_text(h)
    assert buttons(h) == ["Claim", "Reply", "Ignore"]


def test_admin_reassigns_through_a_modal(h):
    h.click("claim", 1, user_id="U0SME1")
    choose(h, 1, "reassign", "U0SME2")
    assert "Only Hark admins" in ephemeral_to(h, "U0SME2")
    assert h.fake.calls("views.open") == []

    choose(h, 1, "reassign", ADMIN)
    view = h.fake.last("views.open").args["view"]
    assert validate_view(view) == []
    assert view["blocks"][1]["element"]["initial_user"] == "U0SME1"
    claimed_at = h.store.conversation(1).claimed_at
    h.store.clock = lambda: claimed_at + 600
    values = {"new_owner": {"value": {"type": "users_select", "selected_user": "U0SME3"}}}
    meta = {"conversation_id": 1, "channel": "C0K8S"}
    h.submit("reassign_submit", values, user_id=ADMIN, metadata=meta)
    row = h.store.conversation(1)
    assert (row.state, row.owner) == ("claimed", "U0SME3")
    assert row.claimed_at == claimed_at  # the team's time to claim is kept
    assert row.owned_since == claimed_at + 600  # the nudge counts from here
    assert [(e.action, e.detail) for e in h.store.engagements(1)][-1] == (
        "reassign",
        "U0SME1>U0SME3",
    )
    assert "Claimed by <@U0SME3>" in card_text(h) and "assigned by <@U0MARKETER>" in card_text(h)
    told = {c.args["channel"]: c.args["text"] for c in h.fake.calls("chat.postMessage")}
    assert "<@U0MARKETER> gave you a *kubernetes*" in told["U0SME3"]
    # the previous owner is told it is no longer theirs
    assert "to <@U0SME3>. It is no longer yours" in told["U0SME1"]
    # The new owner may now release; the old one may not.
    h.click("release", 1, user_id="U0SME1")
    assert h.store.conversation(1).owner == "U0SME3"
    h.click("release", 1, user_id="U0SME3")
    assert h.store.conversation(1).state == "new"


def test_reassign_refuses_hark_itself_and_other_apps(h):
    """Reassign accepted the bot (`Claimed by <@U0HARKBOT>`) and sent it a DM."""
    h.click("claim", 1, user_id="U0SME1")
    meta = {"conversation_id": 1, "channel": "C0K8S"}
    sent = len(h.fake.calls("chat.postMessage"))
    values = {"new_owner": {"value": {"type": "users_select", "selected_user": "U0HARKBOT"}}}
    response = h.submit("reassign_submit", values, user_id=ADMIN, metadata=meta)
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert "is an app or a deactivated account" in answer["errors"]["new_owner"]
    assert h.store.conversation(1).owner == "U0SME1"
    assert len(h.fake.calls("chat.postMessage")) == sent


def test_suggested_experts_on_the_card(harness_factory):
    h = harness_factory()
    people = {
        "U0PING": ({"name": "Pia", "pingable": 1}, ["kubernetes"]),
        "U0QUIET": ({"name": "Quinn <!here>", "pingable": 0}, ["kubernetes"]),
        "U0AWAY": ({"name": "Avery", "pingable": 1, "away_until": "2999-01-01"}, ["kubernetes"]),
        "U0OTHER": ({"name": "Otto", "pingable": 1}, ["billing"]),
        "U0FOURTH": ({"name": "Fay", "pingable": 1}, ["kubernetes"]),
    }
    for user, (profile, topics) in people.items():
        h.store.save_person(user, profile, topics, {})
    seed_conversation(h)
    meta = card(h)["blocks"][1]["elements"][0]["text"]
    line = meta.split("Who could answer: ")[1]
    # Available people first (by id), away ones last; at most three.
    assert line == "<@U0FOURTH>, <@U0PING>, Quinn &lt;!here&gt;"
    assert "U0OTHER" not in meta
    h.click("claim", 1, user_id="U0SME1")
    assert "Who could answer" not in card_text(h)


def test_past_repliers_rank_first(harness_factory):
    h = harness_factory()
    h.store.save_person("U0DECL", {"name": "Dee", "pingable": 1}, ["kubernetes"], {})
    h.store.save_person("U0DOER", {"name": "Doer", "pingable": 1}, [], {})
    h.fake.members["C0K8S"] = [*h.fake.users, "U0DOER"]  # may reply: in the card's channel
    seed_conversation(h)
    submit_reply(h, "https://forum.example.com/t/1#r", user="U0DOER")
    seed_conversation(h, link="https://forum.example.com/t/2", title="k8s ingress question")
    meta = h.fake.last("chat.postMessage").args["blocks"][1]["elements"][0]["text"]
    assert meta.endswith("Who could answer: <@U0DOER>, <@U0DECL>")


def test_away_experts_are_named_not_mentioned(harness_factory):
    h = harness_factory()
    h.store.save_person(
        "U0AWAY", {"name": "Avery", "pingable": 1, "away_until": "2999-01-01"}, ["kubernetes"], {}
    )
    h.store.save_person(
        "U0PING", {"name": "Pia", "pingable": 1, "away_until": "2000-01-01"}, ["kubernetes"], {}
    )
    seed_conversation(h)
    assert card_text(h).count("Who could answer: <@U0PING>, Avery (away)") == 1


def test_anyone_may_read_the_history(h):
    h.click("claim", 1, user_id="U0SME1")
    choose(h, 1, "history", "U0SME2")
    text = ephemeral_to(h, "U0SME2")
    assert "<@U0SME1> claimed it" in text
    assert h.store.conversation(1).owner == "U0SME1"


def test_a_slack_workspace_admin_counts_as_an_admin(h):
    h.fake.users["U0WSADMIN"] = make_user("U0WSADMIN", "wade", "Wade Admin", is_admin=True)
    h.click("claim", 1, user_id="U0SME1")
    choose(h, 1, "reopen", "U0WSADMIN")
    assert h.store.conversation(1).state == "new"
    assert "Reopened by <@U0WSADMIN>" in card_text(h)
