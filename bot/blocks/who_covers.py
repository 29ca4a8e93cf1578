"""The /who-covers answer: ranked people with their handles, and a Share button."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.answers import error_message, section
from bot.blocks.text import duration, fit, link, quoted
from bot.grammar import mention
from bot.viewdata import Coverer, profile_url

SHARE_ACTION = "who_covers_share"
_BUDGET = 10_000  # characters of rows per message: Slack refuses messages past ~13 k
_RANKING_NOTE = (
    "Ranked by verified replies, replies and claims on the topic in the last 90 days, "
    "then by who declared it."
)
_LABELS = {
    "x": "X",
    "linkedin": "LinkedIn",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "github": "GitHub",
    "reddit": "Reddit",
    "stackoverflow": "Stack Overflow",
    "youtube": "YouTube",
    "blog": "Blog",
}


def who_covers_message(
    topic: str,
    people: Sequence[Coverer],
    *,
    asked: str | None = None,
    others: Sequence[str] = (),
    shared: bool = False,
) -> dict[str, Any]:
    """People who cover ``topic``, best first, away people marked, handles listed.

    The ephemeral answer ends with a *Share in channel* button (its value is the
    topic). ``shared`` renders the copy for the channel: there, only people who
    allowed it are mentioned; the others are named.
    """
    name = fit(topic, 80, one_line=True)
    title = f"Who covers *{name}*"
    if asked:
        title += f" (its query has _{fit(asked, 80, one_line=True)}_)"
    if not people:
        body = (
            f"{title}: nobody yet. Ask the experts to run `/register` and pick this topic, "
            "or claim the topic's conversations to show up here."
        )
        return {"text": f"Nobody covers {name} yet", "blocks": [section(body)]}
    blocks: list[dict[str, Any]] = [section(title)]
    used = 0
    for i, person in enumerate(people):
        row = _row(person, shared)
        if used + len(row) > _BUDGET:
            blocks.append(section(f"…and {len(people) - i} more."))
            break
        used += len(row)
        blocks.append(section(row))
    notes = [_RANKING_NOTE]
    if others:
        listed = ", ".join(f"`{fit(o, 60, one_line=True)}`" for o in others)
        notes.append(f"Other topics with these words: {listed}.")
    if shared:
        notes.append("Shared from `/who-covers`.")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " ".join(notes)}]})
    if not shared:
        blocks.append(
            {
                "type": "actions",
                "block_id": "who_covers",
                "elements": [
                    {
                        "type": "button",
                        "action_id": SHARE_ACTION,
                        "text": {"type": "plain_text", "text": "Share in channel"},
                        "value": topic[:2000],
                    }
                ],
            }
        )
    return {"text": f"Who covers {name}", "blocks": blocks}


def _row(person: Coverer, shared: bool) -> str:
    if shared and not person.pingable:
        who = f"*{fit(person.name, 80, one_line=True)}*" if person.name else "a teammate"
    else:
        who = mention(person.user_id)
        if person.name:
            who += f" ({fit(person.name, 80, one_line=True)})"
    if person.title:
        who += f", {fit(person.title, 100, one_line=True)}"
    if person.away_until:
        who += f" _(away until {fit(person.away_until, 10)})_"
    shown = []
    if person.replies:
        verified = f" ({person.verified} verified)" if person.verified else ""
        shown.append(f"{_count(person.replies, 'reply', 'replies')}{verified}")
    if person.claims:
        shown.append(_count(person.claims, "claim", "claims"))
    if person.declared:
        shown.append("declared the topic")
    if person.median_reply is not None:
        shown.append(f"median reply {duration(person.median_reply)}")
    line = f"• {who}\n    {' · '.join(shown) or 'registered'}"
    handles = [_handle(network, handle) for network, handle in sorted(person.handles.items())]
    if handles:
        line += "\n    " + " · ".join(handles)
    return line


def _handle(network: str, handle: str) -> str:
    label = _LABELS.get(network, network)
    url = profile_url(network, handle)
    shown_url = url if url and len(url) <= 300 else None
    return f"{fit(label, 20)} {link(shown_url, handle, 60)}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def topic_not_found(
    asked: str, suggestions: Sequence[str], tagged: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """No topic fits: the closest names, and people whose expertise tags hold the words."""
    shown = quoted(asked)
    if suggestions:
        hint = "Did you mean " + " or ".join(quoted(s) for s in suggestions)
        hint += "?"
    else:
        hint = "`/who-covers` alone lists the topics."
    text = f"There is no topic {shown}, and no topic's query has those words. {hint}"
    message = error_message(text)
    if tagged:
        names = ", ".join(
            mention(p["user_id"])
            + (f" _(away until {fit(p['away_until'], 10)})_" if p["away_until"] else "")
            for p in tagged
        )
        message["blocks"].append(section(f"People who list _{shown}_ in their expertise: {names}"))
    return message


def which_topic(topics: Sequence[str]) -> dict[str, Any]:
    """``/who-covers`` without a topic: how to ask, and the topics there are."""
    listing = ", ".join(f"`{fit(n, 60, one_line=True)}`" for n in topics[:40]) or "none yet"
    return error_message(
        f"Which topic? Write `/who-covers kubernetes` (a topic's name, or words from its "
        f"query). Topics: {listing}"
    )
