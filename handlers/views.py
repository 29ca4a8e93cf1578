"""Modal submissions: /register, Reply, Ignore."""

from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks.dialogs import IGNORE_CALLBACK, REPLY_CALLBACK
from bot.blocks.register import CALLBACK_ID as REGISTER_CALLBACK
from bot.blocks.register import read_register_values
from bot.registration import save_registration
from bot.services import Services

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(REGISTER_CALLBACK)(submit_registration)
    app.view(REPLY_CALLBACK)(submit_reply)
    app.view(IGNORE_CALLBACK)(submit_ignore)


def _metadata(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def submit_registration(
    ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
) -> None:
    """Save the profile, or show each wrong field's error on the field (values are kept)."""
    hark: Services = context["hark"]
    user = body["user"]["id"]
    values = read_register_values(view["state"]["values"])
    meta = _metadata(view)
    slack_profile = {"title": str(meta.get("title", "")), "name": str(meta.get("name", ""))}
    reg = save_registration(hark.store, user, values, slack_profile)
    if reg.errors:
        ack(response_action="errors", errors=reg.errors)
        return
    ack()
    count = len(reg.accounts)
    client.chat_postMessage(
        channel=user,
        text=f"Saved: {count} account{'s' if count != 1 else ''} and {len(reg.topics)} topics. "
        "`/register show` shows what Hark holds; `/register` again to change it.",
    )


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
