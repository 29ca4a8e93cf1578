"""Slash commands: /register, /who-covers, /digest, /hark. Thin: parse, call bot/, render."""

from __future__ import annotations

import difflib
import json
import logging
from datetime import UTC, datetime

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import listings, registration
from bot.blocks.register import register_modal
from bot.blocks.replies import digest_message, error_message, help_message, who_covers_message
from bot.blocks.text import fit
from bot.digest import PeriodError, build_digest, parse_period
from bot.services import Services

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.command("/register")(register_command)
    app.command("/who-covers")(who_covers_command)
    app.command("/digest")(digest_command)
    app.command("/hark")(hark_command)


def register_command(
    ack: Ack, command: dict, client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """``/register`` opens the modal; ``show``, ``delete`` and ``help`` answer in place."""
    ack()
    hark: Services = context["hark"]
    user_id = command["user_id"]
    sub = (command.get("text") or "").strip().lower()
    if sub == "help":
        respond(response_type="ephemeral", **registration.register_help())
        return
    if sub == "show":
        respond(response_type="ephemeral", **registration.show_registration(hark.store, user_id))
        return
    if sub == "delete":
        respond(response_type="ephemeral", **registration.delete_registration(hark.store, user_id))
        return
    if sub:
        respond(
            response_type="ephemeral",
            **error_message(
                f"`/register {fit(sub, 40, one_line=True)}` isn't something I know. "
                "Use `/register` (open the form), `/register show`, `/register delete` "
                "or `/register help`."
            ),
        )
        return
    prefill = registration.registration_prefill(hark.store, user_id)
    if not prefill.get("title"):
        prefill.update(_slack_profile(client, user_id))
    topics = [t["name"] for t in hark.store.topics()]
    metadata = json.dumps({"title": prefill.get("title", ""), "name": prefill.get("name", "")})
    client.views_open(
        trigger_id=command["trigger_id"],
        view=register_modal(topics, prefill, private_metadata=metadata),
    )


def _slack_profile(client: WebClient, user_id: str) -> dict[str, str]:
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception as exc:  # noqa: BLE001 - prefill is a courtesy; the form still opens
        log.info("users.info failed for prefill: %s", type(exc).__name__)
        return {}
    profile = user.get("profile") or {}
    return {
        "title": profile.get("title", ""),
        "name": profile.get("real_name") or user.get("real_name") or user.get("name", ""),
    }


def who_covers_command(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
    """``/who-covers <topic>``: the people who cover it, best first."""
    ack()
    hark: Services = context["hark"]
    asked = (command.get("text") or "").strip()
    names = [t["name"] for t in hark.store.topics()]
    if not asked:
        listing = ", ".join(f"`{fit(n, 60, one_line=True)}`" for n in names[:30]) or "none yet"
        respond(
            response_type="ephemeral",
            **error_message(f"Which topic? Write `/who-covers kubernetes`. Topics: {listing}"),
        )
        return
    topic = next((n for n in names if n.casefold() == asked.casefold()), None)
    if topic is None:
        close = difflib.get_close_matches(asked.casefold(), [n.casefold() for n in names], n=3)
        suggestions = [n for n in names if n.casefold() in close]
        hint = (
            "Did you mean "
            + " or ".join(f"`{fit(s, 60, one_line=True)}`" for s in suggestions)
            + "?"
            if suggestions
            else "`/hark topics` lists them."
        )
        respond(
            response_type="ephemeral",
            **error_message(f"There is no topic `{fit(asked, 60, one_line=True)}`. {hint}"),
        )
        return
    now = hark.store.now()
    rows = hark.store.covering(topic, since=now - 90 * 86400)
    accounts = {r["user_id"]: hark.store.accounts(r["user_id"]) for r in rows}
    today = datetime.fromtimestamp(now, UTC).date().isoformat()
    respond(response_type="ephemeral", **who_covers_message(topic, rows, accounts, today))


def digest_command(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
    """``/digest [period] [topic]``."""
    ack()
    hark: Services = context["hark"]
    words = (command.get("text") or "").split(maxsplit=1)
    period_text = words[0] if words else "7d"
    topic = words[1].strip() if len(words) > 1 else None
    try:
        period = parse_period(period_text, hark.store.now())
    except PeriodError as exc:
        # Maybe they gave only a topic: `/digest kubernetes`.
        if hark.store.topic_by_name(" ".join(words)):
            period, topic = parse_period("7d", hark.store.now()), " ".join(words)
        else:
            respond(response_type="ephemeral", **error_message(str(exc)))
            return
    if topic is not None:
        row = hark.store.topic_by_name(topic)
        if row is None:
            respond(
                response_type="ephemeral",
                **error_message(
                    f"There is no topic `{fit(topic, 60, one_line=True)}`; `/hark topics` lists them."
                ),
            )
            return
        topic = row["name"]
    respond(response_type="ephemeral", **digest_message(build_digest(hark.store, period, topic)))


def hark_command(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
    """``/hark <subcommand>``: help, topics, sources, status."""
    ack()
    hark: Services = context["hark"]
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    if sub == "help":
        respond(response_type="ephemeral", **help_message())
    elif sub == "topics":
        respond(response_type="ephemeral", **listings.topics_listing(hark.store))
    elif sub == "sources":
        respond(response_type="ephemeral", **listings.sources_listing(hark.store))
    elif sub == "status":
        respond(response_type="ephemeral", **listings.status_report(hark.store))
    else:
        respond(
            response_type="ephemeral",
            **error_message(
                f"`/hark {fit(sub, 30, one_line=True)}` isn't a Hark command. "
                "Try `/hark help`, `/hark topics`, `/hark sources` or `/hark status`."
            ),
        )
