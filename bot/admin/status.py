"""/hark topics, sources and status: what an admin reads to see Hark's state."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.answer import Answer, Duration, Piece, Text, Untrusted, joined, say
from bot.error_text import plain
from bot.fetch.client import redacted_url
from bot.grammar import count
from bot.store import Store


def topics_listing(store: Store) -> Answer:
    rows = store.topics()
    if not rows:
        return Answer(
            (("No topics yet. Add them under `topics:` in the config file.",),),
            fallback=("No topics",),
        )
    lines = [
        say(
            "• *",
            Untrusted(r.name, 60, True),
            "* → ",
            _channel(r.channel),
            " — `",
            Untrusted(r.query, 300, True),
            "`",
        )
        for r in rows
    ]
    return Answer((say("*Topics*\n", joined("\n", lines)),), fallback=(count(len(rows), "topic"),))


def _channel(channel: str) -> Piece:
    """A topic's channel as Slack links it (``<#C0K8S>``); a ``#name`` from the config as text."""
    if re.fullmatch(r"[CG][A-Z0-9]{2,20}", channel):
        return f"<#{channel}>"
    return Untrusted(channel, 80, True)


SOURCES_SHOWN = 40
SOURCES_PER_SECTION = 8


def sources_listing(store: Store, *, reveal: bool = False) -> Answer:
    """Every source with its health: failing ones first, then by number.

    Only admins (``reveal``) see a feed's full URL: it may hold credentials or tokens.
    """
    rows = store.sources()
    if not rows:
        empty = (
            "No sources yet. Add them under `sources:` in the config file, or with "
            "`/hark sources add <kind> <value> [every]` (admins)."
        )
        return Answer(((empty,),), fallback=("No sources",))
    now = store.now()
    failing = [r for r in rows if r.enabled and r.consecutive_failures]
    failing_ids = {r.id for r in failing}
    ordered = failing + [r for r in rows if r.id not in failing_ids]
    lines = [_source_line(r, now, reveal) for r in ordered[:SOURCES_SHOWN]]
    sections: list[Text] = [(f"*Sources* — {sources_summary(rows)}",)]
    for start in range(0, len(lines), SOURCES_PER_SECTION):
        sections.append(joined("\n", lines[start : start + SOURCES_PER_SECTION]))
    if len(rows) > SOURCES_SHOWN:
        sections.append((f"…and {len(rows) - SOURCES_SHOWN} more not shown.",))
    fallback = f"{count(len(rows), 'source')}, {len(failing)} failing"
    return Answer(tuple(sections), fallback=(fallback,))


def source_name(r: Any, *, reveal: bool = False) -> str:
    """A source's label, else its feed's own title, else its target: a feed's URL redacted
    unless ``reveal``."""
    if r.label or getattr(r, "feed_title", ""):
        return r.label or r.feed_title
    if r.kind == "x" or reveal:
        return r.target
    return redacted_url(r.target)


def _source_line(r: Any, now: float, reveal: bool = False) -> Text:
    """One source: number, name, health, and when it is checked next."""
    name = say(f"`{r.id}` ", Untrusted(source_name(r, reveal=reveal), 80, True))
    every = say("every ", Duration(r.every_seconds))
    if not r.enabled:
        return say(name, f" — :double_vertical_bar: paused (`/hark sources resume {r.id}`)")
    when = _next_check(r.next_check_at, now)
    if r.consecutive_failures:
        since: Piece = Duration(now - r.failing_since) if r.failing_since else "–"
        error = plain(r.last_error or "") or "unknown error"
        return say(
            name,
            " — :red_circle: failing for ",
            since,
            f" ({count(r.consecutive_failures, 'try')}): ",
            Untrusted(error, 160, True),
            " · ",
            when,
        )
    if r.last_success_at:
        return say(
            name,
            " — :large_green_circle: ok ",
            Duration(now - r.last_success_at),
            " ago · ",
            every,
            " · ",
            when,
        )
    return say(name, " — :white_circle: not checked yet · ", every)


def _next_check(next_check_at: float | None, now: float) -> Text:
    if not next_check_at or next_check_at <= now:
        return ("next check: now",)
    return ("next check in ", Duration(next_check_at - now))


def sources_summary(rows: list[Any]) -> str:
    """``5 in all, 1 failing, 1 paused``: the one count /hark sources and /hark status give."""
    failing = sum(1 for r in rows if r.enabled and r.consecutive_failures)
    summary = f"{len(rows)} in all, {failing} failing"
    paused = sum(1 for r in rows if not r.enabled)
    if paused:
        summary += f", {paused} paused"
    return summary


def status_report(store: Store, x_budget: int | None = None) -> Answer:
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
    return Answer(((text,),), fallback=("Hark status",))
