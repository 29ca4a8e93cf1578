"""``/hark mutes add|remove|list``: authors, sites and phrases that never reach a channel."""

from __future__ import annotations

import re

from bot.authz import Actor
from bot.blocks.answers import Message, error_message, section
from bot.blocks.text import fit, mention, quoted
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


def mutes_command(services: Services, actor: Actor, args: list[str]) -> Message:
    """List the mutes, or (admins: bot/admin/commands.py asked bot/authz.py) add or remove one."""
    if not args or args[0].lower() == "list":
        return _listing(services)
    action = args[0].lower()
    if action not in ("add", "remove"):
        return error_message(
            f"{quoted('/hark mutes ' + args[0], 40)} isn't a mutes command. "
            f"Use `/hark mutes` to list them, or {ADD_USAGE} (and `remove` the same way)."
        )
    if len(args) < 2 or args[1].lower() not in MUTE_KINDS:
        named = f"{quoted(args[1], 40)} isn't something Hark mutes. " if len(args) > 1 else ""
        return error_message(
            f"{named}Hark mutes three kinds of thing: an `author`, a `site` or a `phrase`. "
            f"Write it as {ADD_USAGE}."
        )
    if len(args) < 3:
        return error_message(f"Say which {args[1].lower()} to mute. Write it as {ADD_USAGE}.")
    kind = args[1].lower()
    value = normalized(kind, " ".join(args[2:]))
    if value is None:
        return error_message(
            f"{quoted(' '.join(args[2:]), 100)} isn't a {kind} Hark can mute. "
            f"Write it as {ADD_USAGE}."
        )
    shown = f"{kind} *{fit(value, 200, one_line=True)}*"
    if action == "add":
        if not services.store.add_mute(kind, value, actor.user_id):
            return _reply(f"The {shown} is already muted.")
        return _reply(f"Muted the {shown}: {_MUTED_POSTS[kind]} no longer reach any channel.")
    if not services.store.remove_mute(kind, value):
        return error_message(f"The {shown} isn't muted. `/hark mutes` lists the mutes.")
    return _reply(f"Unmuted {shown}.")


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


def _listing(services: Services) -> Message:
    rows = services.store.mutes()
    if not rows:
        return _reply(f"Nothing is muted. Admins mute with {ADD_USAGE}.")
    lines = [
        f"• {r.kind}: *{fit(r.value, 100, one_line=True)}* — by {mention(r.created_by)}"
        for r in rows[:MUTES_SHOWN]
    ]
    more = f"\n…and {len(rows) - MUTES_SHOWN} more." if len(rows) > MUTES_SHOWN else ""
    text = f"*Mutes* ({len(rows)})\n" + "\n".join(lines) + more
    return {"text": count(len(rows), "mute"), "blocks": [section(text)]}


def _reply(text: str) -> Message:
    return {"text": text[:3000], "blocks": [section(text)]}
