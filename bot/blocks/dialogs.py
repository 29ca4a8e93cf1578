"""Modals opened from a conversation card: Reply and Ignore."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from bot.blocks.text import fit, link
from bot.engagement import IGNORE_REASONS

REPLY_CALLBACK = "reply_submit"
IGNORE_CALLBACK = "ignore_submit"
GUIDELINES = (
    "*Before you reply*: say who you work for, be helpful first, don't sell. "
    "Link to docs, not to pricing."
)


def _metadata(row: sqlite3.Row, channel: str) -> str:
    return json.dumps({"conversation_id": row["id"], "channel": channel})


def reply_modal(row: sqlite3.Row, channel: str, guidelines: str = GUIDELINES) -> dict[str, Any]:
    """The reply form: the conversation, the guidelines, and the link to the reply."""
    head = f"*{link(row['link'], row['title'], 250)}*\n{fit(row['text'], 600)}"
    return {
        "type": "modal",
        "callback_id": REPLY_CALLBACK,
        "private_metadata": _metadata(row, channel),
        "title": {"type": "plain_text", "text": "Reply"},
        "submit": {"type": "plain_text", "text": "Mark replied"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": head}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": guidelines[:2000]}]},
            {
                "type": "input",
                "block_id": "reply_url",
                "label": {"type": "plain_text", "text": "Link to your reply, once posted"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": {"type": "plain_text", "text": "https://…"},
                    "max_length": 2000,
                },
            },
        ],
    }


def ignore_modal(row: sqlite3.Row, channel: str) -> dict[str, Any]:
    """Why ignore? The reason is logged and tunes relevance."""
    options = [
        {"text": {"type": "plain_text", "text": label}, "value": key}
        for key, label in IGNORE_REASONS.items()
    ]
    return {
        "type": "modal",
        "callback_id": IGNORE_CALLBACK,
        "private_metadata": _metadata(row, channel),
        "title": {"type": "plain_text", "text": "Ignore"},
        "submit": {"type": "plain_text", "text": "Ignore"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{fit(row['title'], 200, one_line=True)}*"},
            },
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Why?"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "value",
                    "options": options,
                    "initial_option": options[0],
                },
            },
        ],
    }
