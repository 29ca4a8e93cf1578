"""/register: open the modal, save it (errors shown on the fields), show, delete, help."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.authz import actor_of
from bot.blocks.answers import error_message
from bot.blocks.dialogs import view_metadata
from bot.blocks.register import CALLBACK_ID as REGISTER_CALLBACK
from bot.blocks.register import (
    ERASE_ACTION,
    erasure_answer,
    erasure_confirmation,
    read_register_values,
    register_help,
    register_modal,
    registration_shown,
)
from bot.blocks.text import quoted
from bot.engage.transitions import Engagement
from bot.grammar import count
from bot.people import registration
from bot.people.handles import NETWORKS
from bot.people.profiles import slack_profile
from bot.people.registration import save_registration
from bot.wiring import Services


def register(app: App) -> None:
    app.command("/register")(register_command)
    app.view(REGISTER_CALLBACK)(submit_registration)
    app.action(ERASE_ACTION)(confirm_erasure)


def register_command(
    ack: Ack, command: dict, client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """``/register`` opens the modal; ``show``, ``delete`` and ``help`` answer in place."""
    ack()
    hark: Services = context["hark"]
    decision = hark.authz.may(actor_of(command), "register")  # always the sender's own
    if not decision:
        respond(response_type="ephemeral", **error_message(decision.message))
        return
    user_id = command["user_id"]
    sub = (command.get("text") or "").strip().lower()
    if sub == "help":
        respond(response_type="ephemeral", **register_help())
        return
    if sub == "show":
        respond(response_type="ephemeral", **show_registration(hark.store, user_id))
        return
    if sub == "delete":  # what would go, and a button: nothing is erased yet
        preview = registration.erasure_preview(hark.store, user_id)
        respond(response_type="ephemeral", **erasure_confirmation(preview))
        return
    if sub:
        respond(
            response_type="ephemeral",
            **error_message(
                f"{quoted('/register ' + sub, 50)} isn't something I know. "
                "Use `/register` (open the form), `/register show`, `/register delete` "
                "or `/register help`."
            ),
        )
        return
    prefill = registration.registration_prefill(hark.store, user_id)
    if not prefill.get("title"):
        prefill.update(slack_profile(client, user_id))
    topics = [t.name for t in hark.store.topics()]
    metadata = json.dumps({"name": prefill.get("name", "")})
    client.views_open(
        trigger_id=command["trigger_id"],
        view=register_modal(topics, prefill, networks=NETWORKS, private_metadata=metadata),
    )


def show_registration(store: Any, user_id: str) -> dict:  # the Store: reached through bot/
    """``/register show``: what bot/people/ finds, rendered by bot/blocks/register.py."""
    return registration_shown(registration.registration_held(store, user_id))


def delete_registration(
    store: Any,
    user_id: str,
    engagement: Engagement | None = None,
    refresh: Callable[[int], object] | None = None,
) -> dict:
    """``/register delete``: bot/people/ erases (open claims back first), blocks/ answers."""
    return erasure_answer(registration.delete_registration(store, user_id, engagement, refresh))


def confirm_erasure(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
    """The "Erase my data" button under ``/register delete``: the clicker's own data only."""
    ack()
    hark: Services = context["hark"]
    actor = actor_of(body)
    decision = hark.authz.may(actor, "register")
    if not decision:
        respond(
            response_type="ephemeral", replace_original=False, **error_message(decision.message)
        )
        return
    answer = delete_registration(hark.store, actor.user_id, hark.engagement, hark.publisher.refresh)
    respond(response_type="ephemeral", replace_original=True, **answer)


def submit_registration(
    ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
) -> None:
    """Save the profile, or show each wrong field's error on the field (values are kept)."""
    hark: Services = context["hark"]
    actor = actor_of(body)
    decision = hark.authz.may(actor, "register")  # the submitter's own profile only
    if not decision:
        ack(response_action="errors", errors={"name": decision.message})
        return
    user = actor.user_id
    values = read_register_values(view["state"]["values"])
    meta = view_metadata(view)
    slack_profile = {"name": str(meta.get("name", ""))}
    reg = save_registration(hark.store, user, values, slack_profile)
    if reg.errors:
        ack(response_action="errors", errors=reg.errors)
        return
    ack()
    client.chat_postMessage(
        channel=user,
        text=f"Saved: {count(len(reg.accounts), 'account')} and "
        f"{count(len(reg.topics), 'topic')}. "
        "`/register show` shows what Hark holds; `/register` again to change it.",
    )
