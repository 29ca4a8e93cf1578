"""/hark topics, sources and status: what an admin reads to see Hark's state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.blocks.replies import section
from bot.blocks.text import duration, fit
from bot.store import Store


def topics_listing(store: Store) -> dict[str, Any]:
    rows = store.topics()
    if not rows:
        return {
            "text": "No topics",
            "blocks": [section("No topics yet. Add them under `topics:` in the config file.")],
        }
    lines = [
        f"• *{fit(r['name'], 60, one_line=True)}* → {fit(r['channel'], 80)} — "
        f"`{fit(r['query'], 300, one_line=True)}`"
        for r in rows
    ]
    return {"text": f"{len(rows)} topics", "blocks": [section("*Topics*\n" + "\n".join(lines))]}


def sources_listing(store: Store) -> dict[str, Any]:
    rows = store.sources()
    if not rows:
        return {
            "text": "No sources",
            "blocks": [section("No sources yet. Add them under `sources:` in the config file.")],
        }
    now = store.now()
    lines = []
    for r in rows[:60]:
        name = fit(r["label"] or r["target"], 120, one_line=True)
        if not r["enabled"]:
            health = ":double_vertical_bar: paused"
        elif r["consecutive_failures"]:
            health = (
                f":red_circle: failing ×{r['consecutive_failures']}: "
                f"{fit(r['last_error'] or '', 200, one_line=True)}"
            )
        elif r["last_success_at"]:
            health = f":large_green_circle: ok {duration(now - r['last_success_at'])} ago"
        else:
            health = ":white_circle: not polled yet"
        lines.append(f"`{r['id']}` {name} — {health}")
    more = f"\n…and {len(rows) - 60} more" if len(rows) > 60 else ""
    return {
        "text": f"{len(rows)} sources",
        "blocks": [section("*Sources*\n" + "\n".join(lines) + more)],
    }


def status_report(store: Store, x_budget: int | None = None) -> dict[str, Any]:
    sources = store.sources(enabled_only=True)
    failing = [s for s in sources if s["consecutive_failures"]]
    last = max((s["last_success_at"] or 0 for s in sources), default=0)
    waiting = len(store.outbox(1000))
    when = datetime.fromtimestamp(last, UTC).strftime("%Y-%m-%d %H:%M UTC") if last else "never"
    text = (
        f"*Hark status*\n• {len(sources)} sources, {len(failing)} failing\n"
        f"• last successful poll: {when}\n• conversations waiting to be sent: {waiting}\n"
        f"• topics: {len(store.topics())}"
    )
    if x_budget is not None and any(s["kind"] == "x" for s in sources):
        from bot.xsearch import month_key

        used = store.x_reads(month_key(store.now()))
        text += (
            f"\n• X posts read this month: {used} of {x_budget} "
            "(X bills per post read; polling stops at the budget)"
        )
    return {"text": "Hark status", "blocks": [section(text)]}
