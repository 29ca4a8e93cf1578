"""The conversation card posted to a topic's channel, in every state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.blocks.text import CONTEXT_TEXT, FALLBACK_TEXT, duration, fit, link, mention

EXCERPT = 400
TITLE = 250
METADATA_EVENT = "hark_conversation"

SOURCE_NAMES = {
    "reddit": "Reddit",
    "hn": "Hacker News",
    "stackoverflow": "Stack Overflow",
    "mastodon": "Mastodon",
    "youtube": "YouTube",
    "github": "GitHub",
    "bluesky": "Bluesky",
    "x": "X",
}


@dataclass(frozen=True)
class Card:
    """Everything the card shows. Text fields are untrusted and escaped on render."""

    conversation_id: int
    topic: str
    title: str
    link: str | None
    excerpt: str
    author: str = ""
    site: str = ""
    sources: tuple[str, ...] = ()
    published_at: float | None = None
    why: str = ""
    state: str = "new"  # new | claimed | replied | ignored
    owner: str | None = None
    sent_at: float | None = None
    claimed_at: float | None = None
    replied_at: float | None = None
    reply_url: str | None = None
    reply_verified: bool = False
    ignored_by: str | None = None
    ignore_reason: str | None = None
    suggested: tuple[str, ...] = field(default_factory=tuple)  # pre-rendered, trusted


def conversation_message(card: Card) -> dict[str, Any]:
    """``text``, ``blocks`` and ``metadata`` for chat.postMessage / chat.update."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": "post",
            "text": {"type": "mrkdwn", "text": _headline(card)},
        },
        {
            "type": "context",
            "block_id": "meta",
            "elements": [{"type": "mrkdwn", "text": _meta_line(card)}],
        },
    ]
    status = _status_line(card)
    if status:
        blocks.append(
            {
                "type": "context",
                "block_id": "status",
                "elements": [{"type": "mrkdwn", "text": status}],
            }
        )
    buttons = _buttons(card)
    if buttons:
        blocks.append({"type": "actions", "block_id": "conversation", "elements": buttons})
    return {
        "text": fit(f"{card.topic}: {card.title}", FALLBACK_TEXT, one_line=True),
        "blocks": blocks,
        "metadata": {
            "event_type": METADATA_EVENT,
            "event_payload": {"conversation_id": card.conversation_id},
        },
    }


def _headline(card: Card) -> str:
    title = link(card.link, card.title or "(untitled)", TITLE)
    excerpt = fit(card.excerpt, EXCERPT)
    text = f"*{title}*"
    if excerpt:
        text += "\n" + excerpt
    return text


def _meta_line(card: Card) -> str:
    parts: list[str] = []
    if card.author:
        parts.append(fit(card.author, 80, one_line=True))
    origins = card.sources or ((card.site,) if card.site else ())
    if origins:
        parts.append(
            " + ".join(fit(SOURCE_NAMES.get(s, s), 80, one_line=True) for s in origins[:4])
        )
    if card.published_at:
        when = datetime.fromtimestamp(card.published_at, UTC)
        parts.append(
            f"<!date^{int(card.published_at)}^{{date_short_pretty}} {{time}}|{when:%Y-%m-%d %H:%M} UTC>"
        )
    parts.append(f"topic *{fit(card.topic, 80, one_line=True)}*")
    line = " · ".join(parts)
    if card.why:
        line += "\n" + fit(card.why, 300, one_line=True)
    if card.suggested:
        line += "\nWho could answer: " + ", ".join(card.suggested)
    return line[:CONTEXT_TEXT]


def _status_line(card: Card) -> str:
    if card.state == "claimed":
        after = _after(card.sent_at, card.claimed_at)
        return f":raising_hand: Claimed by {mention(card.owner)}{after}"
    if card.state == "replied":
        how = "verified" if card.reply_verified else "self-reported"
        target = f" — {link(card.reply_url, 'the reply', 80)}" if card.reply_url else ""
        after = _after(card.sent_at, card.replied_at)
        return f":white_check_mark: Replied by {mention(card.owner)}{after} ({how}){target}"
    if card.state == "ignored":
        reason = f": {fit(card.ignore_reason, 200, one_line=True)}" if card.ignore_reason else ""
        return f":no_entry_sign: Ignored by {mention(card.ignored_by)}{reason}"
    return ""


def _after(start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return ""
    return f" after {duration(end - start)}"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _buttons(card: Card) -> list[dict[str, Any]]:
    value = str(card.conversation_id)
    if card.state == "new":
        return [
            _button("Claim", "claim", value, "primary"),
            _button("Reply", "reply", value),
            _button("Ignore", "ignore", value),
        ]
    if card.state == "claimed":
        return [
            _button("Reply", "reply", value, "primary"),
            _button("Release", "release", value),
            _button("Ignore", "ignore", value),
        ]
    if card.state == "ignored":
        return [_button("Undo", "undo_ignore", value)]
    return []
