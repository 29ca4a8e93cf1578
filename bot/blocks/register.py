"""The /register modal, prefilled with what the person registered before (and their Slack title).

Each input's ``block_id`` is the field name that :func:`bot.people.handles.validate_registration`
reads and reports errors on, so ``response_action=errors`` lands on the right field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks.answers import section
from bot.blocks.dialogs import modal
from bot.blocks.text import fit, link, plain
from bot.grammar import count
from bot.viewdata import POSTS_COUNTED, Erasure, ErasurePreview, RegistrationHeld

CALLBACK_ID = "register"
ERASE_ACTION = "register_erase"
ACTION = "value"
_PLACEHOLDERS = {
    "x": "@alice",
    "linkedin": "https://www.linkedin.com/in/alice",
    "mastodon": "@alice@mastodon.social",
    "bluesky": "alice.bsky.social",
    "github": "alice",
    "reddit": "u/alice",
    "stackoverflow": "https://stackoverflow.com/users/123/alice",
    "youtube": "@alice",
    "blog": "https://alice.dev/feed.xml",
}


def _text_input(
    block_id: str, label: str, initial: str = "", placeholder: str = "", max_length: int = 300
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ACTION,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = plain(initial, max_length)
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder[:150]}
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": plain(value, 75)}, "value": value[:150]}


def register_modal(
    topics: Sequence[str],
    prefill: Mapping[str, Any],
    *,
    networks: Mapping[str, str],
    private_metadata: str = "",
) -> dict[str, Any]:
    """The registration view. ``prefill`` holds field -> value (accounts, tags, …);
    ``networks`` is network -> label, one account field each (bot/people/handles.py)."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Tell Hark where you talk in public and what you know about, so the "
                "right conversations find you. Every field is optional. Hark reads the "
                "public feeds of your blog, Mastodon and Bluesky accounts and counts your "
                "posts about the company or a topic as its reach; it never reposts them.",
            },
        }
    ]
    if topics:
        element: dict[str, Any] = {
            "type": "multi_static_select",
            "action_id": ACTION,
            "placeholder": {"type": "plain_text", "text": "Pick the topics you can speak to"},
            "options": [_option(t) for t in topics[:100]],
        }
        chosen = [t for t in prefill.get("topics", []) if t in topics[:100]]
        if chosen:
            element["initial_options"] = [_option(t) for t in chosen]
        blocks.append(
            {
                "type": "input",
                "block_id": "topics",
                "optional": True,
                "label": {"type": "plain_text", "text": "Topics"},
                "element": element,
            }
        )
    blocks.append(
        _text_input(
            "tags",
            "Other expertise (comma-separated)",
            prefill.get("tags", ""),
            "postgres, pricing, SRE",
        )
    )
    for network, label in networks.items():
        blocks.append(_text_input(network, label, prefill.get(network, ""), _PLACEHOLDERS[network]))
    blocks.append(
        _text_input("title", "Title", prefill.get("title", ""), "Staff Engineer", max_length=150)
    )
    blocks.append(
        _text_input("department", "Department", prefill.get("department", ""), max_length=100)
    )
    blocks.append(
        _text_input("languages", "Languages you reply in", prefill.get("languages", ""), "en, de")
    )
    pingable_option = {
        "text": {"type": "plain_text", "text": "Mention me for conversations on my topics"},
        "value": "yes",
    }
    checkbox: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ACTION,
        "options": [pingable_option],
    }
    if prefill.get("pingable"):
        checkbox["initial_options"] = [pingable_option]
    blocks.append(
        {
            "type": "input",
            "block_id": "pingable",
            "optional": True,
            "label": {"type": "plain_text", "text": "Mentions"},
            "element": checkbox,
        }
    )
    picker: dict[str, Any] = {"type": "datepicker", "action_id": ACTION}
    if prefill.get("away_until"):
        picker["initial_date"] = str(prefill["away_until"])
    blocks.append(
        {
            "type": "input",
            "block_id": "away_until",
            "optional": True,
            "label": {"type": "plain_text", "text": "Away until"},
            "element": picker,
        }
    )
    return modal(
        CALLBACK_ID, private_metadata[:3000], "Register with Hark", "Save", "Cancel", blocks
    )


def read_register_values(state_values: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten a view_submission's ``state.values`` into field -> value."""
    values: dict[str, Any] = {}
    for block_id, actions in state_values.items():
        element = actions.get(ACTION) or {}
        kind = element.get("type")
        if kind == "multi_static_select":
            values[block_id] = [o["value"] for o in element.get("selected_options") or []]
        elif kind == "checkboxes":
            values[block_id] = bool(element.get("selected_options"))
        elif kind == "datepicker":
            values[block_id] = element.get("selected_date")
        else:
            values[block_id] = element.get("value") or ""
    return values


REGISTER_HELP = """*Register with Hark* so the conversations on your topics find you.
• `/register` — open the form: your accounts (X, LinkedIn, Mastodon, Bluesky, GitHub, Reddit, Stack Overflow, YouTube, blog), the topics you can speak to, whether Hark may mention you, when you're away
• `/register show` — what Hark holds about you
• `/register delete` — erase your profile, accounts and recorded posts (anonymous counts stay)
Hark reads the public feeds of your blog, Mastodon and Bluesky accounts and counts your posts that mention the company or a topic as the company's reach: they are never posted to a channel, and `/register show` and the App Home show them to you.
Handles can be written as you like: `@alice`, `alice` and `https://x.com/alice` are the same X account."""


def register_help() -> dict[str, Any]:
    """The plain answer to ``/register help``."""
    return {"text": "How /register works", "blocks": [section(REGISTER_HELP)]}


def registration_shown(held: RegistrationHeld | None) -> dict[str, Any]:
    """``/register show``: everything Hark holds about the person, in their words."""
    if held is None:
        return {
            "text": "You're not registered",
            "blocks": [section("Hark holds nothing about you. `/register` to start.")],
        }
    person = held.person
    lines = ["*What Hark holds about you*"]
    for key, label in (
        ("name", "Name"),
        ("title", "Title"),
        ("department", "Department"),
        ("tags", "Expertise"),
        ("languages", "Languages"),
        ("away_until", "Away until"),
    ):
        value = getattr(person, key)
        if value:
            lines.append(f"• {label}: {fit(str(value), 300, one_line=True)}")
    topics = held.topics
    lines.append(f"• Topics: {fit(', '.join(topics), 500) if topics else 'none'}")
    for account in held.accounts:
        shown = link(account.url, account.handle, 200)
        lines.append(f"• {account.network}: {shown}")
    lines.append(f"• Mentions: {'yes' if person.pingable else 'no'}")
    if held.posts:
        lines.append(
            f"• Your public posts Hark counted as the company's reach: {held.posts}"
            f"{'+' if held.posts == POSTS_COUNTED else ''}"
        )
    return {"text": "Your Hark registration", "blocks": [section("\n".join(lines))]}


def erasure_confirmation(preview: ErasurePreview) -> dict[str, Any]:
    """``/register delete``: what would go, and a button to confirm (nothing is erased yet)."""
    held = preview.held
    if held is None and not preview.conversations:
        text = "Hark holds nothing about you; there is nothing to erase."
        return {"text": text, "blocks": [section(text)]}
    lines = ["*Erase what Hark holds about you?* Nothing is erased until you confirm."]
    if held is not None:
        lines.append(
            f"• Your profile ({fit(held.person.name or 'no name', 80, one_line=True)}), "
            f"{count(len(held.topics), 'topic')} and {count(len(held.accounts), 'account')}"
        )
        if held.posts:
            lines.append(f"• {count(held.posts, 'public post')} of yours counted as reach")
    if preview.open_claims:
        lines.append(
            f"• {count(preview.open_claims, 'open claim')}: back to the team for someone "
            "else to pick up"
        )
    if preview.conversations:
        lines.append(
            f"• Your name on {count(preview.conversations, 'conversation')}: cards stop naming "
            "you; claims and replies stay counted, linked to nobody"
        )
    text = "\n".join(lines)
    button = {
        "type": "button",
        "action_id": ERASE_ACTION,
        "text": {"type": "plain_text", "text": "Erase my data"},
        "value": "erase",
        "style": "danger",
        "confirm": {
            "title": {"type": "plain_text", "text": "Erase your data?"},
            "text": {"type": "plain_text", "text": "This can't be undone."},
            "confirm": {"type": "plain_text", "text": "Erase"},
            "deny": {"type": "plain_text", "text": "Keep it"},
            "style": "danger",
        },
    }
    return {
        "text": "Erase what Hark holds about you? Nothing is erased until you confirm.",
        "blocks": [section(text), {"type": "actions", "block_id": "erase", "elements": [button]}],
    }


def erasure_answer(erasure: Erasure) -> dict[str, Any]:
    """``/register delete``: what was erased, and the claims given back."""
    if erasure.erased:
        text = (
            "Done: your profile, topics, accounts and recorded posts are erased. "
            "Engagement counts stay, no longer linked to you."
        )
    else:
        text = "Hark held no profile for you; nothing to erase."
    released = erasure.released
    if released:
        text += f" {released} open claim{'s' if released != 1 else ''} went back to the team."
    return {"text": text, "blocks": [section(text)]}
