"""Answers to slash commands: help, /who-covers, /digest."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.blocks.text import SECTION_TEXT, duration, fit, mention
from bot.digest import Digest

HELP = """*Hark* puts the company's experts into the conversations that matter.

*For everyone*
• `/register` — your social accounts and the topics you can speak to
• `/register show` · `/register delete`
• `/who-covers <topic>` — who covers a topic
• `/digest [period] [topic]` — what was heard and answered (`today`, `7d`, `30d`, `week`, `month`, `2026-11-01..2026-11-15`)

*For admins*
• `/hark topics` — the topics (beats) and their channels
• `/hark sources` — the sources and their health
• `/hark status` — is Hark healthy?
• `/hark help` — this message

On each conversation: *Claim* it, then *Reply* (record your reply) or *Ignore* (say why)."""


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section; ``text`` must already be safe (escaped where untrusted)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT]}}


def help_message() -> dict[str, Any]:
    return {"text": "Hark help", "blocks": [section(HELP)]}


def error_message(text: str) -> dict[str, Any]:
    """An ephemeral error; ``text`` is Hark's own words (may quote escaped user input)."""
    return {"text": text[:3000], "blocks": [section(f":warning: {text}")]}


def who_covers_message(
    topic: str, rows: Sequence[sqlite3.Row], accounts: dict[str, dict[str, str]], today: str
) -> dict[str, Any]:
    """People who cover a topic, best first, with their handles; away people marked."""
    title = f"Who covers *{fit(topic, 80, one_line=True)}*"
    if not rows:
        body = (
            f"{title}: nobody yet. Ask the experts to run `/register` and pick this topic, "
            "or claim the topic's conversations to show up here."
        )
        return {"text": f"Nobody covers {fit(topic, 80)} yet", "blocks": [section(body)]}
    lines = []
    for r in rows:
        shown = []
        if r["verified"]:
            shown.append(f"{r['verified']} verified replies")
        if r["replies"] and r["replies"] != r["verified"]:
            shown.append(f"{r['replies']} replies")
        if r["claims"]:
            shown.append(f"{r['claims']} claims")
        if r["declared"]:
            shown.append("declared the topic")
        away = r["away_until"] and r["away_until"] >= today
        flag = f" _(away until {fit(r['away_until'], 10)})_" if away else ""
        handles = ", ".join(
            f"{fit(n, 20)}: {fit(h, 80, one_line=True)}"
            for n, h in sorted(accounts.get(r["user_id"], {}).items())
        )
        line = f"• {mention(r['user_id'])}{flag} — {', '.join(shown) or 'registered'}"
        if handles:
            line += f"\n    {handles}"
        lines.append(line)
    blocks = [section(title), section("\n".join(lines))]
    return {"text": f"Who covers {fit(topic, 80)}", "blocks": blocks}


def digest_message(d: Digest) -> dict[str, Any]:
    """The /digest answer: the funnel and who engaged."""
    scope = f" · topic *{fit(d.topic, 80, one_line=True)}*" if d.topic else ""
    head = f"*Digest — {d.period.label}*{scope}"
    funnel = (
        f"Heard *{d.heard}* · relevant *{d.relevant}* · posted *{d.posted}* · "
        f"claimed *{d.claimed}* · replied *{d.replied}* · ignored *{d.ignored}* · "
        f"still open *{d.open}*"
    )
    if d.median_claim_seconds is not None:
        funnel += f"\nMedian time to claim: *{duration(d.median_claim_seconds)}*"
    blocks = [section(head), section(funnel)]
    if d.people:
        people = "\n".join(
            f"• {mention(p.user_id)} — {p.claims} claimed, {p.replies} replied"
            f" ({fit(p.topics, 200, one_line=True)})"
            for p in d.people
        )
        blocks.append(section("*Who engaged*\n" + people))
    else:
        blocks.append(section("_Nobody claimed a conversation in this period._"))
    text = (
        f"Digest {d.period.label}: {d.relevant} relevant, {d.claimed} claimed, {d.replied} replied"
    )
    return {"text": text, "blocks": blocks}
