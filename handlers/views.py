"""Modal submissions from a conversation card: Reply and Ignore."""

from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks.dialogs import IGNORE_CALLBACK, REPLY_CALLBACK
from bot.services import Services

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(REPLY_CALLBACK)(submit_reply)
    app.view(IGNORE_CALLBACK)(submit_ignore)


def _metadata(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def submit_reply(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
    hark: Services = context["hark"]
    meta = _metadata(view)
    user = body["user"]["id"]
    url = (view["state"]["values"].get("reply_url", {}).get("value", {}).get("value") or "").strip()
    conversation_id = meta.get("conversation_id")
    if not isinstance(conversation_id, int):
        ack()
        return
    outcome = hark.engagement.reply(conversation_id, user, url or None)
    if not outcome.ok and "link" in outcome.message:
        ack(response_action="errors", errors={"reply_url": outcome.message})
        return
    ack()
    if outcome.ok:
        hark.publisher.refresh(conversation_id)
    elif meta.get("channel"):
        client.chat_postEphemeral(channel=meta["channel"], user=user, text=outcome.message)


def submit_ignore(
    ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
) -> None:
    ack()
    hark: Services = context["hark"]
    meta = _metadata(view)
    user = body["user"]["id"]
    selected = view["state"]["values"].get("reason", {}).get("value", {}).get("selected_option")
    reason = (selected or {}).get("value", "other")
    conversation_id = meta.get("conversation_id")
    if not isinstance(conversation_id, int):
        return
    outcome = hark.engagement.ignore(conversation_id, user, reason)
    if outcome.ok:
        hark.publisher.refresh(conversation_id)
    elif meta.get("channel"):
        client.chat_postEphemeral(channel=meta["channel"], user=user, text=outcome.message)
