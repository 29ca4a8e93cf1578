"""``/hark`` subcommands: one table from name to function; bot/authz.py says who may run each."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass

from bot.admin import mutes, sources, status, topics
from bot.answer import Answer, Quoted, Untrusted, refusal, reply
from bot.authz import ACTIONS, Actor
from bot.wiring import Services

Handler = Callable[[Services, Actor, list[str]], Answer]


@dataclass(frozen=True)
class Subcommand:
    handler: Handler
    usage: str


def _help(services: Services, actor: Actor, args: list[str]) -> Answer:
    return Answer(help=True)


def _status(services: Services, actor: Actor, args: list[str]) -> Answer:
    return status.status_report(services.store, services.settings.config.x_max_reads_per_month)


# Who may run each is bot/authz.py's table: ``hark.<name>`` and ``hark.<name>.<word>``
# (the first argument, e.g. ``hark.topics.add``).
SUBCOMMANDS: dict[str, Subcommand] = {
    "help": Subcommand(_help, "/hark help"),
    "topics": Subcommand(topics.topics_command, topics.TOPICS_USAGE),
    "test": Subcommand(topics.test_command, "/hark test <query>"),
    "search": Subcommand(topics.search_command, "/hark search <words>"),
    "sources": Subcommand(sources.sources_command, sources.USAGE),
    "mutes": Subcommand(mutes.mutes_command, mutes.USAGE),
    "status": Subcommand(_status, "/hark status"),
}


def subcommand_action(name: str, args: list[str]) -> str:
    """The authz action ``/hark <name> <args…>`` asks for."""
    if args and f"hark.{name}.{args[0].lower()}" in ACTIONS:
        return f"hark.{name}.{args[0].lower()}"
    return f"hark.{name}"


def run_subcommand(services: Services, actor: Actor, text: str) -> Answer:
    """Parse ``text`` (shell-like quoting), ask bot/authz.py, run the subcommand."""
    try:
        words = shlex.split(text)
    except ValueError:
        if text.count('"') % 2:
            return refusal('Unbalanced quotes: close every `"` you open.')
        words = text.split()  # an apostrophe (don't) is not a quote here
    name = words[0].lower() if words else "help"
    sub = SUBCOMMANDS.get(name)
    if sub is None:
        names = ", ".join(f"`/hark {n}`" for n in sorted(SUBCOMMANDS))
        return refusal(Quoted("/hark " + name, 40), f" isn't a Hark command. Try one of: {names}.")
    args = words[1:]
    if name in LISTED_BY_DEFAULT and args and args[0].lower() == "help":
        return _usage(sub.usage)  # `/hark topics help`: that subcommand's usage
    if name in LISTED_BY_DEFAULT and args and args[0].lower() == "list":
        args = args[1:]  # `/hark sources list` is `/hark sources`
        if args:
            return _usage(sub.usage)
    decision = services.authz.may(actor, subcommand_action(name, args))
    if not decision:
        return refusal(decision.message)
    return sub.handler(services, actor, args)


# Subcommands whose bare form lists something: `list` is accepted as a synonym.
LISTED_BY_DEFAULT = frozenset({"topics", "sources", "mutes"})


def _usage(usage: str) -> Answer:
    return reply("Write it as `", Untrusted(usage, 3000), "`. `/hark help` lists every command.")
