"""``/hark`` subcommands: a table from name to function, and who may run each."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import listings
from bot.blocks.replies import error_message, help_message
from bot.blocks.text import fit, mention
from bot.services import Services

Message = dict[str, Any]
Handler = Callable[[Services, str, list[str]], Message]


@dataclass(frozen=True)
class Subcommand:
    handler: Handler
    usage: str
    admin_only: bool = False  # only admins may change topics, sources, mutes, settings


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(name: str, usage: str, *, admin_only: bool = False) -> Callable[[Handler], Handler]:
    """Register a ``/hark <name>`` handler: ``handler(services, user_id, args) -> message``."""

    def add(handler: Handler) -> Handler:
        SUBCOMMANDS[name] = Subcommand(handler, usage, admin_only)
        return handler

    return add


def run_subcommand(services: Services, user_id: str, text: str) -> Message:
    """Parse ``text`` (shell-like quoting), check permission, run the subcommand."""
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
            f"`/hark {fit(name, 30, one_line=True)}` isn't a Hark command. Try one of: {names}."
        )
    if sub.admin_only and not services.directory.is_admin(user_id):
        admins = ", ".join(mention(a) for a in sorted(services.settings.config.admins))
        who = (
            f"Ask an admin: {admins}."
            if admins
            else "No admins are configured (`admins:` in the config)."
        )
        return error_message(
            f"Only Hark admins (the config's `admins`, or workspace admins) can run "
            f"`/hark {name}`. {who}"
        )
    return sub.handler(services, user_id, words[1:])


@subcommand("help", "/hark help")
def _help(services: Services, user_id: str, args: list[str]) -> Message:
    return help_message()


@subcommand("topics", "/hark topics")
def _topics(services: Services, user_id: str, args: list[str]) -> Message:
    return listings.topics_listing(services.store)


@subcommand("sources", "/hark sources")
def _sources(services: Services, user_id: str, args: list[str]) -> Message:
    return listings.sources_listing(services.store)


@subcommand("status", "/hark status")
def _status(services: Services, user_id: str, args: list[str]) -> Message:
    return listings.status_report(services.store, services.settings.config.x_max_reads_per_month)


# Feature subcommands register themselves on import (after the table above).
from bot import (  # noqa: F401
    mute_commands,
    source_commands,
    topic_commands,
)
