"""/digest [period] [topic], and its "Post to channel" button."""

from __future__ import annotations

import difflib
import json
import logging
import math
import re

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.authz import Actor, actor_of
from bot.blocks.digest import POST_ACTION, digest_message
from bot.blocks.answers import error_message
from bot.blocks.text import fit, quoted
from bot.report.digest import PERIOD_HELP, Period, PeriodError, parse_period
from bot.report.weekly import digest_for, post_digest
from bot.wiring import Services

log = logging.getLogger(__name__)
USAGE = "Write `/digest [period] [topic]`, e.g. `/digest 30d kubernetes`."


def register(app: App) -> None:
    app.command("/digest")(digest_command)
    app.action(POST_ACTION)(post_to_channel)


def digest_command(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
    """``/digest [period] [topic]``: the numbers, privately, with a button to post them."""
    ack()
    hark: Services = context["hark"]
    if not _allowed(hark, respond, actor_of(command), "digest"):
        return
    words = (command.get("text") or "").split()
    now = hark.store.now()
    topics = [t["name"] for t in hark.store.topics()]
    period, topic, problem = _read(words, now, topics)
    if problem:
        respond(response_type="ephemeral", **error_message(problem))
        return
    digest = digest_for(hark.store, hark.settings.config, period, topic)
    respond(response_type="ephemeral", **digest_message(digest, shareable=True))


def _allowed(hark: Services, respond: Respond, actor: Actor, action: str) -> bool:
    """Ask bot/authz.py; a refusal is answered privately."""
    decision = hark.authz.may(actor, action)
    if not decision:
        respond(
            response_type="ephemeral", replace_original=False, **error_message(decision.message)
        )
    return decision.ok


def _read(words: list[str], now: float, topics: list[str]) -> tuple[Period, str | None, str]:
    """(period, topic, what was wrong): the period may come first or last, or not at all."""
    by_name = {t.casefold(): t for t in topics}
    attempts = [(words[:1], words[1:]), (words[-1:], words[:-1])] if words else [([], [])]
    problem = ""
    for period_words, topic_words in attempts:
        try:
            period = parse_period(" ".join(period_words), now)
        except PeriodError as exc:
            problem = problem or exc.quoting(quoted)
            continue
        asked = " ".join(topic_words)
        if not asked:
            return period, None, ""
        if asked.casefold() in by_name:
            return period, by_name[asked.casefold()], ""
        return period, None, _unknown_topic(asked, topics)
    asked = " ".join(words)
    if asked.casefold() in by_name:  # `/digest kubernetes`: the default period
        return parse_period("7d", now), by_name[asked.casefold()], ""
    return parse_period("7d", now), None, f"{problem} {USAGE}"


def _unknown_topic(asked: str, topics: list[str]) -> str:
    close = difflib.get_close_matches(asked.casefold(), [t.casefold() for t in topics], n=3)
    suggestions = [t for t in topics if t.casefold() in close]
    hint = (
        "Did you mean " + " or ".join(quoted(s) for s in suggestions) + "?"
        if suggestions
        else "`/hark topics` lists them."
    )
    return f"There is no topic {quoted(asked)}. {hint} {USAGE}"


def post_to_channel(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Post the digest the person was looking at (same period, same topic) and its chart."""
    ack()
    hark: Services = context["hark"]
    if not _allowed(hark, respond, actor_of(body), "digest.post"):
        return
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    period, topic = _shown(body["actions"][0].get("value") or "")
    if period is None or not channel:
        respond(
            response_type="ephemeral",
            replace_original=False,
            **error_message(
                f"That digest can't be posted any more; run `/digest` again. {PERIOD_HELP}"
            ),
        )
        return
    if topic is not None:
        row = hark.store.topic_by_name(topic)
        if row is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                **error_message(f"The topic {quoted(topic)} is gone; run `/digest` again."),
            )
            return
        topic = row["name"]  # the store's spelling, not the button's
    digest = digest_for(hark.store, hark.settings.config, period, topic)
    try:
        post_digest(client, hark.store, channel, digest)
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        log.info("digest post to %s failed: %s", channel, error)
        respond(
            response_type="ephemeral",
            replace_original=False,
            **error_message(
                f"Slack refused the post ({error}). If Hark is not in this channel, "
                "`/invite @Hark`, then press *Post to channel* again."
            ),
        )
        return
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=f"Posted the digest ({fit(digest.period.label, 80)}) in <#{channel}>.",
    )


def _shown(value: str) -> tuple[Period | None, str | None]:
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
