"""What /register shows, saves and erases."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from bot.blocks.answers import section
from bot.blocks.text import fit, link
from bot.engage.transitions import Engagement
from bot.models import State
from bot.people.handles import NETWORKS, Registration, validate_registration
from bot.store import Store
from bot.viewdata import profile_url

log = logging.getLogger(__name__)

REGISTER_HELP = """*Register with Hark* so the conversations on your topics find you.
• `/register` — open the form: your accounts (X, LinkedIn, Mastodon, Bluesky, GitHub, Reddit, Stack Overflow, YouTube, blog), the topics you can speak to, whether Hark may mention you, when you're away
• `/register show` — what Hark holds about you
• `/register delete` — erase your profile, accounts and recorded posts (anonymous counts stay)
Hark reads the public feeds of your blog, Mastodon and Bluesky accounts and counts your posts that mention the company or a topic as the company's reach: they are never posted to a channel, and `/register show` and the App Home show them to you.
Handles can be written as you like: `@alice`, `alice` and `https://x.com/alice` are the same X account."""


def register_help() -> dict[str, Any]:
    """The plain answer to ``/register help``."""
    return {"text": "How /register works", "blocks": [section(REGISTER_HELP)]}


def registration_prefill(store: Store, user_id: str) -> dict[str, Any]:
    """Field -> value, from what the person registered before."""
    person = store.person(user_id)
    if person is None:
        return {}
    prefill: dict[str, Any] = {k: v for k, v in asdict(person).items() if k != "user_id"}
    prefill.update(store.accounts(user_id))
    prefill["topics"] = store.person_topics(user_id)
    today = datetime.fromtimestamp(store.now(), UTC).date().isoformat()
    if prefill.get("away_until") and prefill["away_until"] < today:
        del prefill["away_until"]  # back already; a past date would fail the next save
    return prefill


def save_registration(
    store: Store, user_id: str, values: dict[str, Any], slack_profile: dict[str, str]
) -> Registration:
    """Validate and, when every field is right, save; otherwise save nothing.

    Errors are per field. ``slack_profile`` (name, title from Slack) fills what the
    form left out.
    """
    topics = [t.name for t in store.topics()]
    today = datetime.fromtimestamp(store.now(), UTC).date()
    # What Slack says is cut to fit: an error on a field the form doesn't show can't be fixed.
    from_slack = {k: str(v)[:100] for k, v in slack_profile.items()}
    reg = validate_registration({**from_slack, **values}, topics, today)
    if not reg.errors:
        store.save_person(user_id, reg.profile, reg.topics, reg.accounts)
    return reg


def show_registration(store: Store, user_id: str) -> dict[str, Any]:
    """Everything Hark holds about the person, in their words."""
    person = store.person(user_id)
    if person is None:
        return {
            "text": "You're not registered",
            "blocks": [section("Hark holds nothing about you. `/register` to start.")],
        }
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
    topics = store.person_topics(user_id)
    lines.append(f"• Topics: {fit(', '.join(topics), 500) if topics else 'none'}")
    for network, handle in sorted(store.accounts(user_id).items()):
        shown = link(profile_url(network, handle), handle, 200)
        lines.append(f"• {NETWORKS.get(network, network)}: {shown}")
    lines.append(f"• Mentions: {'yes' if person.pingable else 'no'}")
    posts = store.recent_employee_posts(user_id, limit=100)
    if posts:
        lines.append(
            f"• Your public posts Hark counted as the company's reach: {len(posts)}"
            f"{'+' if len(posts) == 100 else ''}"
        )
    return {"text": "Your Hark registration", "blocks": [section("\n".join(lines))]}


def delete_registration(
    store: Store,
    user_id: str,
    engagement: Engagement | None = None,
    refresh: Callable[[int], object] | None = None,
) -> dict[str, Any]:
    """Erase the person. Their open claims go back to the team first (``engagement``
    releases them, ``refresh`` re-renders those cards), so none is left with a ghost owner."""
    released = 0
    while engagement is not None:
        open_claims = store.conversations_for_owner(user_id, (State.CLAIMED,))
        done = [row.id for row in open_claims if engagement.release(row.id, user_id).ok]
        for conversation_id in done:
            if refresh is not None:
                try:
                    refresh(conversation_id)
                except Exception:  # noqa: BLE001 - the release is done; a stale card is cosmetic
                    log.warning("could not refresh conversation %s", conversation_id)
        released += len(done)
        if not done:
            break
    if store.delete_person(user_id):
        text = (
            "Done: your profile, topics, accounts and recorded posts are erased. "
            "Engagement counts stay, no longer linked to you."
        )
    else:
        text = "Hark held no profile for you; nothing to erase."
    if released:
        text += f" {released} open claim{'s' if released != 1 else ''} went back to the team."
    return {"text": text, "blocks": [section(text)]}
