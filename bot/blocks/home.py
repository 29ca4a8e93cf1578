"""The App Home tab: my open conversations, what waits on my topics, my numbers this month."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.blocks.text import duration, fit, link
from bot.models import Conversation
from bot.viewdata import HomeSummary

SHOWN = 15
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _where(row: Conversation) -> str:
    channel = row.channel
    place = f"<#{channel}>" if _CHANNEL_ID.match(channel or "") else fit(channel, 80)
    return f"topic *{fit(row.topic, 60, one_line=True)}* in {place}"


def _conversation(row: Conversation, now: float, *, claimable: bool) -> dict[str, Any]:
    title = link(row.link, row.title or row.text[:120] or "(untitled)", 200)
    since = row.claimed_at if not claimable else row.sent_at
    age = (
        f" · {'claimed' if not claimable else 'posted'} {duration(now - since)} ago"
        if since
        else ""
    )
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": f"*{title}*\n{_where(row)}{age}"},
    }
    if claimable:
        block["accessory"] = {
            "type": "button",
            "text": {"type": "plain_text", "text": "Claim"},
            "action_id": "claim",
            "value": str(row.id),
        }
    return block


def _mine(row: Conversation, now: float, permalink: str | None) -> list[dict[str, Any]]:
    """A conversation I claimed: where it is, a link to its card, and Reply / Release."""
    block = _conversation(row, now, claimable=False)
    if permalink:
        block["text"]["text"] += f"\n{link(permalink, 'Open the card in the channel', 80)}"
    buttons = {
        "type": "actions",
        "block_id": f"home_mine_{row.id}",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Reply"},
                "action_id": "reply",
                "value": str(row.id),
                "style": "primary",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Release"},
                "action_id": "release",
                "value": str(row.id),
            },
        ],
    }
    return [block, buttons]


def home_view(
    summary: HomeSummary, now: float, permalinks: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """The Home tab for one person; ``now`` measures how long things have waited;
    ``permalinks`` (conversation id to its card's link) lets each claimed one link to its card."""
    permalinks = permalinks or {}
    blocks: list[dict[str, Any]] = [_header("Hark")]
    if not summary.registered:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "You haven't registered yet: run `/register` so the conversations "
                    "on your topics find you.",
                },
            }
        )
    elif summary.topics:
        names = ", ".join(f"*{fit(t, 60, one_line=True)}*" for t in summary.topics[:20])
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Your topics: {names}"}}
        )

    blocks.append(_header("Waiting on your reply"))
    if not summary.mine:
        blocks.append(_context("Nothing claimed and unanswered. 🎉"))
    for row in summary.mine[:SHOWN]:
        blocks += _mine(row, now, permalinks.get(row.id))

    blocks.append(_header("Waiting on your topics"))
    if not summary.topics:
        blocks.append(_context("Pick topics with `/register` to see what nobody has claimed yet."))
    elif not summary.waiting:
        blocks.append(_context("Nothing unclaimed on your topics."))
    blocks += [_conversation(r, now, claimable=True) for r in summary.waiting[:SHOWN]]

    month = summary.month
    blocks.append(_header("Your numbers this month"))
    blocks.append(
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Claims*\n{month.claims}"},
                {"type": "mrkdwn", "text": f"*Replies*\n{month.replies}"},
                {
                    "type": "mrkdwn",
                    "text": f"*Median time to claim*\n{duration(month.median_to_claim)}",
                },
                {
                    "type": "mrkdwn",
                    "text": f"*Median time to reply*\n{duration(month.median_to_reply)}",
                },
            ],
        }
    )
    blocks.append(_context("Times count from when Hark posted the conversation in Slack."))
    return {"type": "home", "blocks": blocks}
