"""``/hark`` subcommands: a table from name to function, and who may run each."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.admin import listings
from bot.authz import ACTIONS, Actor
from bot.blocks.replies import error_message, help_message
from bot.blocks.text import quoted
from bot.wiring import Services

Message = dict[str, Any]
Handler = Callable[[Services, Actor, list[str]], Message]


@dataclass(frozen=True)
class Subcommand:
    handler: Handler
    usage: str


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(name: str, usage: str) -> Callable[[Handler], Handler]:
    """Register a ``/hark <name>`` handler: ``handler(services, actor, args) -> message``.

    Who may run it is bot/authz.py's table: ``hark.<name>`` and ``hark.<name>.<word>``
    (the first argument, e.g. ``hark.topics.add``).
    """

    def add(handler: Handler) -> Handler:
        SUBCOMMANDS[name] = Subcommand(handler, usage)
        return handler

    return add


def subcommand_action(name: str, args: list[str]) -> str:
    """The authz action ``/hark <name> <args…>`` asks for."""
    if args and f"hark.{name}.{args[0].lower()}" in ACTIONS:
        return f"hark.{name}.{args[0].lower()}"
    return f"hark.{name}"


def run_subcommand(services: Services, actor: Actor, text: str) -> Message:
    """Parse ``text`` (shell-like quoting), ask bot/authz.py, run the subcommand."""
    try:
        words = shlex.split(text)
    except ValueError:
        if text.count('"') % 2:
            return error_message('Unbalanced quotes: close every `"` you open.')
        words = text.split()  # an apostrophe (don't) is not a quote here
    name = words[0].lower() if words else "help"
    sub = SUBCOMMANDS.get(name)
    if sub is None:
        names = ", ".join(f"`/hark {n}`" for n in sorted(SUBCOMMANDS))
        return error_message(
            f"{quoted('/hark ' + name, 40)} isn't a Hark command. Try one of: {names}."
        )
    decision = services.authz.may(actor, subcommand_action(name, words[1:]))
    if not decision:
        return error_message(decision.message)
    return sub.handler(services, actor, words[1:])


@subcommand("help", "/hark help")
def _help(services: Services, actor: Actor, args: list[str]) -> Message:
    return help_message()


@subcommand("topics", "/hark topics")
def _topics(services: Services, actor: Actor, args: list[str]) -> Message:
    return listings.topics_listing(services.store)


@subcommand("status", "/hark status")
def _status(services: Services, actor: Actor, args: list[str]) -> Message:
    return listings.status_report(services.store, services.settings.config.x_max_reads_per_month)


# Feature subcommands register themselves on import (after the table above).
from bot.admin import mutes, sources, topics  # noqa: F401
