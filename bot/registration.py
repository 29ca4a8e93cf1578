"""What /register shows, saves and erases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.blocks.replies import section
from bot.blocks.text import fit
from bot.people import NETWORKS, Registration, validate_registration
from bot.store import Store

REGISTER_HELP = """*Register with Hark* so the conversations on your topics find you.
• `/register` — open the form: your accounts (X, LinkedIn, Mastodon, Bluesky, GitHub, Reddit, Stack Overflow, YouTube, blog), the topics you can speak to, whether Hark may mention you, when you're away
• `/register show` — what Hark holds about you
• `/register delete` — erase your profile and accounts (anonymous counts stay)
Handles can be written as you like: `@alice`, `alice` and `https://x.com/alice` are the same X account."""


def register_help() -> dict[str, Any]:
    return {"text": "How /register works", "blocks": [section(REGISTER_HELP)]}


def registration_prefill(store: Store, user_id: str) -> dict[str, Any]:
    """Field -> value, from what the person registered before."""
    person = store.person(user_id)
    if person is None:
        return {}
    prefill: dict[str, Any] = {k: person[k] for k in person.keys() if k != "user_id"}  # noqa: SIM118 (Row)
    prefill.update(store.accounts(user_id))
    prefill["topics"] = store.person_topics(user_id)
    return prefill


def save_registration(
    store: Store, user_id: str, values: dict[str, Any], slack_profile: dict[str, str]
) -> Registration:
    """Validate and, when every field is right, save. Errors are per field."""
    topics = [t["name"] for t in store.topics()]
    today = datetime.fromtimestamp(store.now(), UTC).date()
    reg = validate_registration({**slack_profile, **values}, topics, today)
    if not reg.errors:
        store.save_person(user_id, reg.profile, reg.topics, reg.accounts)
    return reg


def show_registration(store: Store, user_id: str) -> dict[str, Any]:
    person = store.person(user_id)
    if person is None:
        return {
            "text": "You're not registered",
            "blocks": [section("Hark holds nothing about you. `/register` to start.")],
        }
    lines = ["*What Hark holds about you*"]
    for key, label in (
        ("title", "Title"),
        ("department", "Department"),
        ("tags", "Expertise"),
        ("languages", "Languages"),
        ("away_until", "Away until"),
    ):
        if person[key]:
            lines.append(f"• {label}: {fit(str(person[key]), 300, one_line=True)}")
    topics = store.person_topics(user_id)
    lines.append(f"• Topics: {fit(', '.join(topics), 500) if topics else 'none'}")
    for network, handle in sorted(store.accounts(user_id).items()):
        lines.append(f"• {NETWORKS.get(network, network)}: {fit(handle, 200, one_line=True)}")
    lines.append(f"• Mentions: {'yes' if person['pingable'] else 'no'}")
    return {"text": "Your Hark registration", "blocks": [section("\n".join(lines))]}


def delete_registration(store: Store, user_id: str) -> dict[str, Any]:
    if store.delete_person(user_id):
        text = "Done: your profile, topics and accounts are erased. Anonymous counts stay."
    else:
        text = "Hark held no profile for you; nothing to erase."
    return {"text": text, "blocks": [section(text)]}
