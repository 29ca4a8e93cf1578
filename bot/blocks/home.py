"""The App Home tab: my open conversations and my numbers."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.blocks.text import fit, link


def home_view(
    mine: Sequence[sqlite3.Row], registered: bool, topics: Sequence[str]
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Hark"}},
    ]
    if not registered:
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
    elif topics:
        names = ", ".join(f"*{fit(t, 60, one_line=True)}*" for t in topics[:20])
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Your topics: {names}"}}
        )
    blocks.append(
        {"type": "header", "text": {"type": "plain_text", "text": "Waiting on your reply"}}
    )
    if not mine:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "Nothing claimed and unanswered. 🎉"}],
            }
        )
    for row in mine[:20]:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{link(row['link'], row['title'], 200)}*\n"
                    f"topic *{fit(row['topic'], 60, one_line=True)}*",
                },
            }
        )
    return {"type": "home", "blocks": blocks}
