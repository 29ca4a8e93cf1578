"""/hark topics, sources and status: what an admin reads to see Hark's state."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.blocks.answers import section
from bot.blocks.text import duration, fit
from bot.error_text import plain
from bot.fetch.client import redacted_url
from bot.grammar import count
from bot.store import Store


def topics_listing(store: Store) -> dict[str, Any]:
    rows = store.topics()
    if not rows:
        return {
            "text": "No topics",
            "blocks": [section("No topics yet. Add them under `topics:` in the config file.")],
        }
    lines = [
        f"• *{fit(r.name, 60, one_line=True)}* → {_channel(r.channel)} — "
        f"`{fit(r.query, 300, one_line=True)}`"
        for r in rows
    ]
    return {"text": count(len(rows), "topic"), "blocks": [section("*Topics*\n" + "\n".join(lines))]}


def _channel(channel: str) -> str:
    """A topic's channel as Slack links it (``<#C0K8S>``); a ``#name`` from the config as text."""
    if re.fullmatch(r"[CG][A-Z0-9]{2,20}", channel):
        return f"<#{channel}>"
    return fit(channel, 80, one_line=True)


SOURCES_SHOWN = 40
SOURCES_PER_SECTION = 8


def sources_listing(store: Store, *, reveal: bool = False) -> dict[str, Any]:
    """Every source with its health: failing ones first, then by number.

    Only admins (``reveal``) see a feed's full URL: it may hold credentials or tokens.
    """
    rows = store.sources()
    if not rows:
        return {
            "text": "No sources",
            "blocks": [
                section(
                    "No sources yet. Add them under `sources:` in the config file, or with "
                    "`/hark sources add <kind> <value> [every]` (admins)."
                )
            ],
        }
    now = store.now()
    failing = [r for r in rows if r.enabled and r.consecutive_failures]
    failing_ids = {r.id for r in failing}
    ordered = failing + [r for r in rows if r.id not in failing_ids]
    lines = [_source_line(r, now, reveal) for r in ordered[:SOURCES_SHOWN]]
    blocks = [section(f"*Sources* — {sources_summary(rows)}")]
    for start in range(0, len(lines), SOURCES_PER_SECTION):
        blocks.append(section("\n".join(lines[start : start + SOURCES_PER_SECTION])))
    if len(rows) > SOURCES_SHOWN:
        blocks.append(section(f"…and {len(rows) - SOURCES_SHOWN} more not shown."))
    return {"text": f"{count(len(rows), 'source')}, {len(failing)} failing", "blocks": blocks}


def source_name(r: Any, *, reveal: bool = False) -> str:
    """A source's label, or its target: a feed's URL redacted unless ``reveal``."""
    if r.label:
        return r.label
    if r.kind == "x" or reveal:
        return r.target
    return redacted_url(r.target)


def _source_line(r: Any, now: float, reveal: bool = False) -> str:
    """One source: number, name, health, and when it is checked next."""
    name = fit(source_name(r, reveal=reveal), 80, one_line=True)
    every = f"every {duration(r.every_seconds)}"
    if not r.enabled:
        return f"`{r.id}` {name} — :double_vertical_bar: paused (`/hark sources resume {r.id}`)"
    when = _next_check(r.next_check_at, now)
    if r.consecutive_failures:
        since = duration(now - r.failing_since) if r.failing_since else "–"
        return (
            f"`{r.id}` {name} — :red_circle: failing for {since} "
            f"({count(r.consecutive_failures, 'try')}): "
            f"{fit(plain(r.last_error or '') or 'unknown error', 160, one_line=True)} · {when}"
        )
    if r.last_success_at:
        return (
            f"`{r.id}` {name} — :large_green_circle: ok {duration(now - r.last_success_at)}"
            f" ago · {every} · {when}"
        )
    return f"`{r.id}` {name} — :white_circle: not checked yet · {every}"


def _next_check(next_check_at: float | None, now: float) -> str:
    if not next_check_at or next_check_at <= now:
        return "next check: now"
    return f"next check in {duration(next_check_at - now)}"


def sources_summary(rows: list[Any]) -> str:
    """``5 in all, 1 failing, 1 paused``: the one count /hark sources and /hark status give."""
    failing = sum(1 for r in rows if r.enabled and r.consecutive_failures)
    summary = f"{len(rows)} in all, {failing} failing"
    paused = sum(1 for r in rows if not r.enabled)
    if paused:
        summary += f", {paused} paused"
    return summary


def status_report(store: Store, x_budget: int | None = None) -> dict[str, Any]:
    every = store.sources()
    sources = [s for s in every if s.enabled]
    last = max((s.last_success_at or 0 for s in sources), default=0)
    waiting = len(store.outbox(1000))
    when = datetime.fromtimestamp(last, UTC).strftime("%Y-%m-%d %H:%M UTC") if last else "never"
    text = (
        f"*Hark status*\n• sources: {sources_summary(every)}\n"
        f"• last successful poll: {when}\n• conversations waiting to be sent: {waiting}\n"
        f"• topics: {len(store.topics())}"
    )
    if x_budget is not None and any(s.kind == "x" for s in sources):
        from bot.poll.xsearch import month_key

        used = store.x_reads(month_key(store.now()))
        text += (
            f"\n• X posts read this month: {used} of {x_budget} "
            "(X bills per post read; polling stops at the budget)"
        )
    return {"text": "Hark status", "blocks": [section(text)]}
