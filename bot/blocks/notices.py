"""The direct messages Hark sends its admins: a channel it cannot post in, a card Slack
keeps refusing, a source down for a day. bot/admin/notices.py decides when (each once);
these say what happened and what to do, with every stored or Slack-given text escaped."""

from __future__ import annotations

import re

from bot.blocks.text import fit, link
from bot.error_text import plain
from bot.models import Conversation, Source

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")  # as bot/ops/channels.py reads one


def channel_trouble(channel: str, error: str) -> str:
    where = _channel_ref(channel)
    if error == "channel_not_found":
        what = (
            f"Hark cannot find the channel {where}: it was deleted, or it is private and "
            "Hark is not in it. Invite the bot with `/invite @Hark` in that channel, or "
            "point the topic at another one"
        )
    elif error in ("is_archived", "channel_is_archived"):
        what = f"{where} is archived. Unarchive it, or point the topic at another channel"
    else:
        what = (
            f"Hark cannot post in {where} ({fit(error, 60)}). Invite the bot with "
            "`/invite @Hark` in that channel"
        )
    return f":warning: {what}; the conversations are kept and will be sent."


def cards_refused(error: str, a_day: int) -> str:
    """More than ``a_day`` cards were set aside today: the last notice about them today."""
    return (
        f":warning: Slack keeps refusing Hark's conversation cards ({fit(error, 60)}): "
        f"more than {a_day} were set aside today, and no more "
        "messages about them will follow today. This is likely a fault in Hark, not "
        "in the posts: tell whoever runs Hark (the details are in Hark's log). Other "
        "cards are still sent."
    )


def card_given_up(row: Conversation, error: str) -> str:
    title = row.title or row.text or "(untitled)"
    return (
        f":warning: Slack refused the card for a *{fit(row.topic, 60, one_line=True)}* "
        f"conversation ({fit(error, 60)}) several times, so Hark stopped trying to post it "
        f"in {_channel_ref(row.channel)}: {link(row.link, title, 200)}. Every other "
        "conversation is still sent. If this happens again, tell whoever runs Hark "
        f"(conversation {row.id}, `{fit(error, 60)}`; the details are in Hark's log)."
    )


def source_down(row: Source) -> str:
    return (
        f":warning: Source {row.id} ({fit(row.label or row.target, 200, one_line=True)})"
        f" has failed for a day: {fit(plain(row.last_error or ''), 300, one_line=True)}. "
        "Hark keeps "
        "retrying; `/hark sources` shows its health."
    )


def _channel_ref(channel: str) -> str:
    """``<#C…>`` (Slack shows the channel's name) for an ID; the escaped name otherwise."""
    return f"<#{channel}>" if _CHANNEL_ID.match(channel) else fit(channel, 80, one_line=True)
