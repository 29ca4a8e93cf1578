"""Modals opened from a conversation card: Reply, Ignore and (admins) Reassign."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.blocks.text import fit, link, plain
from bot.grammar import mention
from bot.models import Conversation
from bot.viewdata import (
    DEFAULT_GUIDELINES,
    DRAFT_LIMIT,
    IGNORE_REASONS,
    OTHER_REASON_LIMIT,
    mute_value,
)

REPLY_CALLBACK = "reply_submit"
IGNORE_CALLBACK = "ignore_submit"
REASSIGN_CALLBACK = "reassign_submit"
SHARE_DRAFT = "share_draft"
GUIDELINES = DEFAULT_GUIDELINES


def _metadata(row: Conversation, channel: str) -> str:
    return json.dumps({"conversation_id": row.id, "channel": channel})


def view_metadata(view: Mapping[str, Any]) -> dict[str, Any]:
    """A modal's ``private_metadata`` read back: {} unless it is a JSON object."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _text_input(
    block_id: str, label: str, *, multiline: bool = False, optional: bool = False, **element: Any
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": multiline,
            **element,
        },
    }
    if optional:
        block["optional"] = True
    return block


def modal(
    callback_id: str,
    private_metadata: str,
    title: str,
    submit: str,
    close: str,
    blocks: list[dict[str, Any]],
) -> dict[str, Any]:
    """A modal view; ``title``, ``submit`` and ``close`` are Hark's own words."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": close},
        "blocks": blocks,
    }


def reply_modal(
    row: Conversation,
    channel: str,
    guidelines: str = GUIDELINES,
    *,
    draft: str = "",
    notice: str = "",
) -> dict[str, Any]:
    """The reply form: the conversation, the guidelines, a draft box that can be shared in
    the card's thread for review, and the link to the reply once posted."""
    head = f"*{link(row.link, row.title or '(untitled)', 250)}*\n{fit(row.text, 600)}"
    draft_input = _text_input(
        "draft",
        "Draft your reply",  # Slack adds "(optional)" to an optional input's label itself
        multiline=True,
        optional=True,
        max_length=DRAFT_LIMIT,
        placeholder={"type": "plain_text", "text": "Write it here to get a colleague's review"},
    )
    if draft:
        draft_input["element"]["initial_value"] = draft[:DRAFT_LIMIT]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": head}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": guidelines[:2000]}]},
        draft_input,
        {
            "type": "actions",
            "block_id": "draft_actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Share draft in thread"},
                    "action_id": SHARE_DRAFT,
                    "value": str(row.id),
                }
            ],
        },
    ]
    if notice:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": notice[:2000]}]})
    blocks.append(
        _text_input(
            "reply_url",
            "Link to your reply, once posted",
            max_length=2000,
            placeholder={"type": "plain_text", "text": "https://…"},
        )
    )
    return modal(REPLY_CALLBACK, _metadata(row, channel), "Reply", "Mark replied", "Close", blocks)


def ignore_modal(row: Conversation, channel: str) -> dict[str, Any]:
    """Why ignore? The reason is logged and tunes relevance; muting is offered too."""
    options = [
        {"text": {"type": "plain_text", "text": label}, "value": key}
        for key, label in IGNORE_REASONS.items()
    ]
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{fit(row.title, 200, one_line=True)}*"},
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
        {
            "type": "input",
            "block_id": "other_reason",
            "optional": True,
            "label": {"type": "plain_text", "text": "In your words (needed for Other)"},
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "max_length": OTHER_REASON_LIMIT,
                "placeholder": {"type": "plain_text", "text": "e.g. a competitor's own forum"},
            },
        },
    ]
    mutes = [
        {
            "text": {"type": "plain_text", "text": plain(f"Mute the {kind}: {value}", 75)},
            "value": kind,
        }
        for kind in ("author", "site")
        if (value := mute_value(row, kind))
    ]
    if mutes:
        blocks.append(
            {
                "type": "input",
                "block_id": "mute",
                "optional": True,
                "label": {"type": "plain_text", "text": "Hear less like this"},
                "element": {"type": "checkboxes", "action_id": "value", "options": mutes},
            }
        )
    return modal(IGNORE_CALLBACK, _metadata(row, channel), "Ignore", "Ignore", "Cancel", blocks)


def reassign_modal(row: Conversation, channel: str) -> dict[str, Any]:
    """An admin picks who owns the conversation from now on."""
    element: dict[str, Any] = {"type": "users_select", "action_id": "value"}
    if row.owner:
        element["initial_user"] = row.owner
    owner = f"Claimed by {mention(row.owner)}" if row.owner else "Not claimed yet"
    return modal(
        REASSIGN_CALLBACK,
        _metadata(row, channel),
        "Reassign",
        "Reassign",
        "Cancel",
        [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{fit(row.title, 200, one_line=True)}*\n{owner}",
                },
            },
            {
                "type": "input",
                "block_id": "new_owner",
                "label": {"type": "plain_text", "text": "Give it to"},
                "element": element,
            },
        ],
    )
