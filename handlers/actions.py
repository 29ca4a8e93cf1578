"""Buttons on a conversation card: Claim, Reply, Ignore, Release, Undo."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks.dialogs import ignore_modal, reply_modal
from bot.engagement import Outcome
from bot.services import Services

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action("claim")(claim)
    app.action("release")(release)
    app.action("undo_ignore")(undo_ignore)
    app.action("reply")(open_reply)
    app.action("ignore")(open_ignore)


def _ids(body: dict) -> tuple[int | None, str, str]:
    action = body["actions"][0]
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
        "channel_id", ""
    )
    try:
        conversation_id = int(action.get("value", ""))
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
    if outcome.ok:
        hark.publisher.refresh(conversation_id)
    elif channel:
        client.chat_postEphemeral(channel=channel, user=user, text=outcome.message)


def claim(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    hark: Services = context["hark"]
    conversation_id, user, channel = _ids(body)
    if conversation_id is None:
        return
    _finish(
        hark, client, conversation_id, user, channel, hark.engagement.claim(conversation_id, user)
    )


def release(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    hark: Services = context["hark"]
    conversation_id, user, channel = _ids(body)
    if conversation_id is None:
        return
    outcome = hark.engagement.release(conversation_id, user)
    _finish(hark, client, conversation_id, user, channel, outcome)


def undo_ignore(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    hark: Services = context["hark"]
    conversation_id, user, channel = _ids(body)
    if conversation_id is None:
        return
    outcome = hark.engagement.undo_ignore(conversation_id, user)
    _finish(hark, client, conversation_id, user, channel, outcome)


def open_reply(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """Reply opens a modal (excerpt, link, a box for the reply's link)."""
    ack()
    hark: Services = context["hark"]
    conversation_id, user, channel = _ids(body)
    row = hark.store.conversation(conversation_id) if conversation_id is not None else None
    if row is None:
        return
    if row["state"] == "claimed" and row["owner"] != user and not hark.engagement.is_admin(user):
        outcome = hark.engagement.reply(conversation_id, user, None)  # explains who owns it
        _finish(hark, client, conversation_id, user, channel, outcome)
        return
    client.views_open(trigger_id=body["trigger_id"], view=reply_modal(row, channel))


def open_ignore(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """Ignore asks why first (the reason tunes relevance)."""
    ack()
    hark: Services = context["hark"]
    conversation_id, user, channel = _ids(body)
    row = hark.store.conversation(conversation_id) if conversation_id is not None else None
    if row is None:
        return
    if row["state"] == "claimed" and row["owner"] != user and not hark.engagement.is_admin(user):
        outcome = hark.engagement.ignore(conversation_id, user)  # explains who owns it
        _finish(hark, client, conversation_id, user, channel, outcome)
        return
    client.views_open(trigger_id=body["trigger_id"], view=ignore_modal(row, channel))
