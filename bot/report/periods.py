"""Periods: what ``/digest [period] [topic]`` asks for, read from the person's words or
again from a "Post to channel" button."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bot.match.words import closest_names
from bot.viewdata import Period

PERIOD_HELP = (
    "Write a period as `today`, `7d`, `30d`, `week`, `month`, `last week`, `last month` "
    "or `2026-11-01..2026-11-15`."
)
# The periods spelled in words (``this week`` is ``week``), for "did you mean".
PERIOD_WORDS = ("today", "week", "month", "last week", "last month", "this week", "this month")
DAY = 86400.0
USAGE = "Write `/digest [period] [topic]`, e.g. `/digest 30d kubernetes`."


class PeriodError(ValueError):
    """A period that could not be read; the message says how to write one.

    ``quoting(quote)`` is the message with the person's text quoted by ``quote`` (Slack
    answers pass the one escaping helper: the text may hold ``<!channel>``).
    """

    def __init__(self, template: str, asked: str) -> None:
        super().__init__(template.format(asked=f"`{asked}`"))
        self.template, self.asked = template, asked

    def quoting(self, quote: Callable[[str], str]) -> str:
        return self.template.format(asked=quote(self.asked))


def parse_period(text: str, now: float) -> Period:
    """Read ``today``, ``Nd``, ``week``, ``month`` or ``YYYY-MM-DD..YYYY-MM-DD`` (UTC days)."""
    text = text.strip().lower() or "7d"
    current = datetime.fromtimestamp(now, UTC)
    midnight = current.replace(hour=0, minute=0, second=0, microsecond=0)
    if text == "today":
        return Period(midnight.timestamp(), now, "today")
    if text in ("week", "this week"):
        start = midnight - timedelta(days=midnight.weekday())
        return Period(start.timestamp(), now, "this week")
    if text in ("month", "this month"):
        return Period(midnight.replace(day=1).timestamp(), now, "this month")
    if text in ("last week", "last month"):  # the whole calendar week or month before
        if text == "last week":
            until_day = midnight - timedelta(days=midnight.weekday())
            since_day = until_day - timedelta(days=7)
        else:
            until_day = midnight.replace(day=1)
            since_day = (until_day - timedelta(days=1)).replace(day=1)
        last_day = (until_day - timedelta(days=1)).date().isoformat()
        label = f"{since_day.date().isoformat()} to {last_day}"
        return Period(since_day.timestamp(), until_day.timestamp(), label)
    m = re.fullmatch(r"(\d{1,3})d", text)
    if m:
        days = int(m.group(1))
        if not 1 <= days <= 366:
            raise PeriodError(f"{{asked}}: choose between 1d and 366d. {PERIOD_HELP}", text)
        return Period(now - days * DAY, now, f"last {days} days")
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text)
    if m:
        try:
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError:
            raise PeriodError(
                f"{{asked}} has a date that does not exist. {PERIOD_HELP}", text
            ) from None
        if last < first:
            raise PeriodError(f"{{asked}} ends before it starts. {PERIOD_HELP}", text)
        since = datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp()
        until = datetime(last.year, last.month, last.day, tzinfo=UTC).timestamp() + DAY
        return Period(since, until, f"{first.isoformat()} to {last.isoformat()}")
    close = closest_names(text, PERIOD_WORDS)
    hint = f"Did you mean `{close[0]}`? " if close else ""
    raise PeriodError(f"I can't read {{asked}} as a period. {hint}{PERIOD_HELP}", text)


def read_digest_request(
    words: list[str], now: float, topics: list[str], quote: Callable[[str], str]
) -> tuple[Period, str | None, str]:
    """``/digest [period] [topic]`` read: (period, topic, what was wrong, for the person).

    The period may come first or last, or not at all; ``quote`` echoes the person's words
    escaped (they may hold ``<!channel>``).
    """
    by_name = {t.casefold(): t for t in topics}
    # Two-word periods (`last week`) first, so `last` is never taken for a topic.
    attempts = [(words[:n], words[n:]) for n in (2, 1) if len(words) >= n]
    attempts += [(words[-n:], words[:-n]) for n in (2, 1) if len(words) > n]
    attempts = attempts or [([], [])]
    problems: list[tuple[bool, str]] = []  # one-word readings first when quoting back
    for period_words, topic_words in attempts:
        try:
            period = parse_period(" ".join(period_words), now)
        except PeriodError as exc:
            problems.append((len(period_words) != 1, exc.quoting(quote)))
            continue
        asked = " ".join(topic_words)
        if not asked:
            return period, None, ""
        if asked.casefold() in by_name:
            return period, by_name[asked.casefold()], ""
        return period, None, _unknown_topic(asked, topics, quote)
    asked = " ".join(words)
    if asked.casefold() in by_name:  # `/digest kubernetes`: the default period
        return parse_period("7d", now), by_name[asked.casefold()], ""
    if len(words) == 1 and not closest_names(asked, PERIOD_WORDS) and closest_names(asked, topics):
        # `/digest kuberntes`: a mistyped topic, not a period
        return parse_period("7d", now), None, _unknown_topic(asked, topics, quote)
    problem = min(problems, key=lambda p: p[0])[1] if problems else ""
    return parse_period("7d", now), None, f"{problem} {USAGE}"


def _unknown_topic(asked: str, topics: list[str], quote: Callable[[str], str]) -> str:
    suggestions = closest_names(asked, topics)
    hint = (
        "Did you mean " + " or ".join(quote(s) for s in suggestions) + "?"
        if suggestions
        else "`/hark topics` lists them."
    )
    return f"There is no topic {quote(asked)}. {hint} {USAGE}"


def period_shown(value: str) -> tuple[Period | None, str | None]:
    """The period and topic a "Post to channel" button carries, read again.

    Nothing in the value is posted as it came: the period is parsed again from its label
    (``last 7 days`` is ``7d`` ending at ``until``) and must give the same times, so the
    label posted is one Hark wrote; the topic is checked against the store by the caller.
    """
    try:
        shown = json.loads(value)
        since, until = float(shown["since"]), float(shown["until"])
        label, topic = str(shown["label"]), shown.get("topic")
    except (ValueError, TypeError, KeyError, AttributeError):
        return None, None
    if not (math.isfinite(since) and math.isfinite(until) and 0 <= since < until):
        return None, None
    if until - since > 367 * 86400 or (topic is not None and not isinstance(topic, str)):
        return None, None
    return _period_again(label, since, until), topic


_LABEL_WORDS = {"today": "today", "this week": "week", "this month": "month"}
_LAST_DAYS = re.compile(r"last (\d{1,3}) days")
_DATES = re.compile(r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})")


def _period_again(label: str, since: float, until: float) -> Period | None:
    """The period a digest label names, parsed again as ``/digest`` would; None unless it
    gives the same times (a forged or altered value)."""
    words = _LABEL_WORDS.get(label)
    if words is None and (m := _LAST_DAYS.fullmatch(label)):
        words = f"{m.group(1)}d"
    if words is None and (m := _DATES.fullmatch(label)):
        words = f"{m.group(1)}..{m.group(2)}"
    if words is None:
        return None
    try:
        period = parse_period(words, until)
    except PeriodError:
        return None
    if abs(period.since - since) > 1 or abs(period.until - until) > 1:
        return None
    return period
