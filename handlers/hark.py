"""/hark <subcommand>: the table of subcommands lives in bot/admin/commands.py."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.admin.commands import run_subcommand
from bot.authz import actor_of
from bot.blocks.admin import answer_message
from bot.wiring import Services


def register(app: App) -> None:
    app.command("/hark")(hark_command)


def hark_command(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
    """``/hark <subcommand> …``: each subcommand lives in bot/admin/commands.py's table, and
    who may run it in bot/authz.py's."""
    ack()
    hark: Services = context["hark"]
    words = (command.get("text") or "").strip()
    answer = run_subcommand(hark, actor_of(command), words)
    respond(response_type="ephemeral", **answer_message(answer))
