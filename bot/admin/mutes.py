"""``/hark mutes add|remove|list``: authors, sites and phrases that never reach a channel."""

from __future__ import annotations

import re

from bot.answer import Answer, Quoted, Untrusted, User, joined, refusal, reply, say
from bot.authz import Actor
from bot.grammar import count
from bot.store.mutes import MUTE_KINDS
from bot.wiring import Services

USAGE = "/hark mutes [add|remove author|site|phrase <value>]"
ADD_USAGE = (
    "`/hark mutes add author|site|phrase &lt;value&gt;`, e.g. `/hark mutes add site spam.example`"
)
MUTES_SHOWN = 60
# What a new mute keeps out, said for its kind (an author is a person: "their", not "its").
_MUTED_POSTS = {
    "author": "their posts",
    "site": "posts from that site",
    "phrase": "posts with that phrase",
}
_SITE = re.compile(r"^(?:https?://)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)\.?/?$", re.IGNORECASE)


def mutes_command(services: Services, actor: Actor, args: list[str]) -> Answer:
    """List the mutes, or (admins: bot/admin/commands.py asked bot/authz.py) add or remove one."""
    if not args or args[0].lower() == "list":
        return _listing(services)
    action = args[0].lower()
    if action not in ("add", "remove"):
        return refusal(
            Quoted("/hark mutes " + args[0], 40),
            " isn't a mutes command. "
            f"Use `/hark mutes` to list them, or {ADD_USAGE} (and `remove` the same way).",
        )
    if len(args) < 2 or args[1].lower() not in MUTE_KINDS:
        named = say(Quoted(args[1], 40), " isn't something Hark mutes. ") if len(args) > 1 else ()
        return refusal(
            named,
            "Hark mutes three kinds of thing: an `author`, a `site` or a `phrase`. "
            f"Write it as {ADD_USAGE}.",
        )
    if len(args) < 3:
        return refusal(f"Say which {args[1].lower()} to mute. Write it as {ADD_USAGE}.")
    kind = args[1].lower()
    value = normalized(kind, " ".join(args[2:]))
    if value is None:
        return refusal(
            Quoted(" ".join(args[2:]), 100),
            f" isn't a {kind} Hark can mute. Write it as {ADD_USAGE}.",
        )
    shown = say(f"{kind} *", Untrusted(value, 200, True), "*")
    if action == "add":
        if not services.store.add_mute(kind, value, actor.user_id):
            return reply("The ", shown, " is already muted.")
        return reply("Muted the ", shown, f": {_MUTED_POSTS[kind]} no longer reach any channel.")
    if not services.store.remove_mute(kind, value):
        return refusal("The ", shown, " isn't muted. `/hark mutes` lists the mutes.")
    return reply("Unmuted the ", shown, ".")


def normalized(kind: str, value: str) -> str | None:
    """The stored form: authors without ``@``, sites as a lower-case host, phrases trimmed."""
    value = " ".join(value.split())
    if kind == "author":
        value = value.lstrip("@")
    elif kind == "site":
        m = _SITE.match(value)
        if m is None:
            return None
        value = m.group(1).lower()
    elif not any(ch.isalnum() for ch in value):
        return None  # a phrase must have a word in it, or it could never match
    return value[:200] or None


def _listing(services: Services) -> Answer:
    rows = services.store.mutes()
    if not rows:
        return reply(f"Nothing is muted. Admins mute with {ADD_USAGE}.")
    lines = [
        say(f"• {r.kind}: *", Untrusted(r.value, 100, True), "* — by ", User(r.created_by))
        for r in rows[:MUTES_SHOWN]
    ]
    more = f"\n…and {len(rows) - MUTES_SHOWN} more." if len(rows) > MUTES_SHOWN else ""
    text = say(f"*Mutes* ({len(rows)})\n", joined("\n", lines), more)
    return Answer((text,), fallback=(count(len(rows), "mute"),))
