"""/who-covers <topic>: the people who cover a topic, best first."""

from __future__ import annotations

import difflib
from datetime import UTC, datetime

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.replies import error_message
from bot.blocks.text import fit
from bot.blocks.who_covers import who_covers_message
from bot.services import Services


def register(app: App) -> None:
    app.command("/who-covers")(who_covers_command)


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
