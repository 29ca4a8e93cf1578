"""Buttons on a conversation card (Claim, Reply, Ignore, Release, Undo, the admin menu),
on the App Home (Claim) and in the Reply modal (Share draft in thread)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.authz import Actor, actor_of
from bot.blocks.conversation import ADMIN_MENU, CONFIRM_MUTE, draft_for_review, history_text
from bot.blocks.dialogs import SHARE_DRAFT, ignore_modal, reassign_modal, reply_modal, view_metadata
from bot.engage.transitions import Engagement, Outcome
from bot.models import Conversation
from bot.wiring import Services
from handlers.events import publish_home_for

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action("claim")(claim)
    app.action("release")(release)
    app.action("undo_ignore")(undo_ignore)
    for kind in ("author", "site"):  # one button per kind the Ignore modal offers
        app.action(f"{CONFIRM_MUTE}_{kind}")(confirm_mute)
    app.action("reply")(open_reply)
    app.action("ignore")(open_ignore)
    app.action(ADMIN_MENU)(admin_menu)
    app.action(SHARE_DRAFT)(share_draft)


def _ids(body: dict) -> tuple[int | None, str, str]:
    action = body["actions"][0]
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
        "channel_id", ""
    )
    value = action.get("value") or (action.get("selected_option") or {}).get("value", "")
    try:
        conversation_id = int(value.rpartition(":")[2])
    except ValueError:
        conversation_id = None
    return conversation_id, body["user"]["id"], channel


def _finish(
    hark: Services,
    client: WebClient,
    conversation_id: int,
    user: str,
    channel: str,
    outcome: Outcome,
) -> None:
    """Re-render the card after a change; otherwise tell only the clicker why not."""
    if outcome.ok:
        hark.publisher.refresh(conversation_id)
    elif channel:
        client.chat_postEphemeral(channel=channel, user=user, text=outcome.message)


def _allowed(
    hark: Services,
    client: WebClient,
    actor: Actor,
    action: str,
    row: Conversation | None,
    channel: str,
) -> bool:
    """Ask bot/authz.py; a refusal is explained to the clicker alone."""
    decision = hark.authz.may(actor, action, row)
    if not decision and channel:
        client.chat_postEphemeral(channel=channel, user=actor.user_id, text=decision.message)
    return decision.ok


def _run(
    body: dict,
    client: WebClient,
    context: BoltContext,
    action: str,
    step: Callable[..., Outcome],
) -> str | None:
    """Read the click, ask authz, run one engagement step, then refresh the card or explain
    why not.

    Returns the clicking user's id, or None when the click named no conversation.
    """
    hark: Services = context["hark"]
    conversation_id, user, channel = _ids(body)
    if conversation_id is None:
        return None
    row = hark.store.conversation(conversation_id)
    if row is None:
        return None
    if not _allowed(hark, client, actor_of(body), action, row, channel):
        return None
    outcome = step(hark.engagement, conversation_id, user)
    _finish(hark, client, conversation_id, user, channel, outcome)
    return user


def claim(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    user = _run(body, client, context, "conversation.claim", Engagement.claim)
    if user and (body.get("view") or {}).get("type") == "home":  # claimed from the App Home
        publish_home_for(context["hark"], client, user)


def release(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    user = _run(body, client, context, "conversation.release", Engagement.release)
    if user and (body.get("view") or {}).get("type") == "home":  # released from the App Home
        publish_home_for(context["hark"], client, user)


def undo_ignore(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    _run(body, client, context, "conversation.undo_ignore", Engagement.undo_ignore)


def confirm_mute(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """An admin confirms the mute an SME proposed (the button's value: ``kind:id``)."""
    ack()
    kind = (body["actions"][0].get("value") or "").partition(":")[0]

    def step(engagement: Engagement, conversation_id: int, user: str) -> Outcome:
        return engagement.confirm_mute(conversation_id, user, kind)

    _run(body, client, context, "conversation.confirm_mute", step)


def _handleable(
    body: dict, client: WebClient, hark: Services, verb: str, action: str
) -> tuple[Conversation, str] | None:
    """The clicked conversation and its channel (the store's), if this user may reply to or
    ignore it now; otherwise None, after telling them why."""
    conversation_id, user, channel = _ids(body)
    row = hark.store.conversation(conversation_id) if conversation_id is not None else None
    if row is None:
        return None
    outcome = hark.engagement.answerable(row.id, user, verb)
    if not outcome.ok:
        _finish(hark, client, row.id, user, channel, outcome)
        return None
    if not _allowed(hark, client, actor_of(body), action, row, channel):
        return None
    return row, row.channel


def open_reply(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """Reply opens a modal: the post, the guidelines, a draft box, the reply's link."""
    ack()
    hark: Services = context["hark"]
    found = _handleable(body, client, hark, "reply to", "conversation.reply")
    if found is None:
        return
    row, channel = found
    view = reply_modal(
        row,
        channel,
        hark.engagement.settings.guidelines,
        draft=hark.store.draft(row.id, body["user"]["id"]),
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_ignore(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """Ignore asks why first (the reason tunes relevance) and offers to mute."""
    ack()
    found = _handleable(body, client, context["hark"], "ignore", "conversation.ignore")
    if found is None:
        return
    row, channel = found
    client.views_open(trigger_id=body["trigger_id"], view=ignore_modal(row, channel))


def admin_menu(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """The card's overflow menu: History for anyone; Reassign… and Reopen for admins."""
    ack()
    hark: Services = context["hark"]
    conversation_id, user, channel = _ids(body)
    choice = (body["actions"][0].get("selected_option") or {}).get("value", "").partition(":")[0]
    action = {
        "history": "conversation.history",
        "reopen": "conversation.reopen",
        "reassign": "conversation.reassign",
    }.get(choice)
    if conversation_id is None or action is None:
        return
    row = hark.store.conversation(conversation_id)
    if row is None or not _allowed(hark, client, actor_of(body), action, row, channel):
        return
    if choice == "reopen":
        outcome = hark.engagement.reopen(conversation_id, user)
        _finish(hark, client, conversation_id, user, channel, outcome)
    elif choice == "history":
        text = history_text(hark.store.engagements(conversation_id))
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        view = reassign_modal(row, row.channel)
        client.views_open(trigger_id=body["trigger_id"], view=view)


def share_draft(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """Post the draft from the Reply modal in the card's thread; the modal stays open.

    The modal's metadata names the conversation; whether this user may post in its thread
    is asked of bot/authz.py from the store (owner, channel), never from the metadata.
    """
    ack()
    hark: Services = context["hark"]
    view = body.get("view") or {}
    conversation_id, user = view_metadata(view).get("conversation_id"), body["user"]["id"]
    row = hark.store.conversation(conversation_id) if isinstance(conversation_id, int) else None
    if row is None:
        return
    values = (view.get("state") or {}).get("values") or {}
    draft = ((values.get("draft") or {}).get("value") or {}).get("value") or ""
    decision = hark.authz.may(actor_of(body), "conversation.share_draft", row)
    outcome = (
        hark.engagement.share_draft(row.id, user, draft)
        if decision
        else Outcome(False, decision.message)
    )
    if outcome.ok and row.ts:
        client.chat_postMessage(
            channel=row.channel,
            thread_ts=row.ts,
            unfurl_links=False,
            unfurl_media=False,
            **draft_for_review(user, draft),
        )
        notice = ":white_check_mark: Shared in the conversation's thread for review."
    else:
        notice = f":warning: {outcome.message or 'The conversation is not in Slack yet.'}"
    client.views_update(
        view_id=view.get("id"),
        hash=view.get("hash"),
        view=reply_modal(
            row,
            row.channel,
            hark.engagement.settings.guidelines,
            draft=draft.strip(),
            notice=notice,
        ),
    )
