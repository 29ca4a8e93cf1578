"""The /who-covers answer."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.blocks.replies import section
from bot.blocks.text import fit, mention


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
