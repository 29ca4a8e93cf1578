"""Posting the digest to a channel: weekly on ``digest.schedule``, or when someone
presses "Post to channel" under their /digest.

The weekly digest covers the 7 days up to the scheduled moment and is posted once
per week, even across restarts: a notice keyed by the week records it. A failed
post is retried on a later tick, at most once an hour, for a day.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Config
from bot.report.digest import Digest, build_digest
from bot.report.periods import Period
from bot.store import Store

log = logging.getLogger(__name__)

DAY = 86400.0
WEEK = 7 * DAY
CATCH_UP = DAY  # after a restart, post a missed digest if it was due less than this ago
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHEDULE_HELP = 'Write digest.schedule as a weekday and a UTC time, e.g. "mon 09:00".'


class ScheduleError(ValueError):
    """A ``digest.schedule`` that could not be read."""


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 = Monday
    hour: int
    minute: int

    def last_due(self, now: float) -> float:
        """The latest scheduled moment at or before ``now`` (UTC)."""
        current = datetime.fromtimestamp(now, UTC)
        due = current.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        due -= timedelta(days=(current.weekday() - self.weekday) % 7)
        if due > current:
            due -= timedelta(days=7)
        return due.timestamp()


def parse_schedule(text: str) -> Schedule:
    """``mon 09:00``, ``Monday 9:00`` (UTC)."""
    m = re.fullmatch(r"\s*([a-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})\s*", text.lower())
    if not m or m.group(1) not in DAYS:
        raise ScheduleError(f"{text!r}: {SCHEDULE_HELP}")
    hour, minute = int(m.group(2)), int(m.group(3))
    if hour > 23 or minute > 59:
        raise ScheduleError(f"{text!r}: {SCHEDULE_HELP}")
    return Schedule(DAYS.index(m.group(1)), hour, minute)


def digest_for(store: Store, config: Config, period: Period, topic: str | None = None) -> Digest:
    """The digest with the config's company and competitors for share of attention."""
    return build_digest(
        store, period, topic, company=config.company_name, competitors=tuple(config.competitors)
    )


def post_digest(
    client: WebClient, store: Store, channel: str, digest: Digest, message: dict[str, Any]
) -> str:
    """Post ``message`` (the digest rendered by bot/blocks/digest.py), then the digest's
    chart, in ``channel``; returns the message ts.

    The chart is a nicety: when its upload fails the digest stays posted.
    """
    from bot.report.chart import chart_data, render_chart  # matplotlib loads only when needed

    sent = client.chat_postMessage(channel=channel, **message)
    channel_id = sent["channel"]  # an ID even when the config names the channel "#name"
    try:
        png = render_chart(chart_data(store, digest))
        day = datetime.fromtimestamp(digest.period.until, UTC).date().isoformat()
        client.files_upload_v2(
            channel=channel_id,
            file=png,
            filename=f"hark-digest-{day}.png",
            title=f"Hark digest chart, {digest.period.label}",
            alt_txt="Conversations posted and replied per day by topic; share of attention.",
        )
    except (SlackApiError, OSError, ValueError) as exc:
        log.warning("digest posted without its chart: %s", exc)
    return str(sent["ts"])


class WeeklyDigest:
    """The periodic job: post the week's digest to ``digest.channel`` when it is due."""

    def __init__(
        self,
        store: Store,
        client: WebClient,
        config: Config,
        notify_admins: Callable[[str, str], None] | None = None,
        *,
        render: Callable[[Digest], dict[str, Any]],
    ) -> None:
        self.store, self.client, self.config = store, client, config
        self.render = render  # bot/blocks/digest.py's digest_message, from the wiring
        self.notify_admins = notify_admins  # (once-key, text)
        self.schedule: Schedule | None = None
        if config.digest.channel:
            try:
                self.schedule = parse_schedule(config.digest.schedule)
            except ScheduleError as exc:
                log.error("weekly digest off: %s", exc)
                if notify_admins:
                    notify_admins("digest:schedule", f":warning: Weekly digest is off: {exc}")

    def run(self) -> bool:
        """Post this week's digest if due and not yet posted; True when it posted now."""
        if self.schedule is None or not self.config.digest.channel:
            return False
        now = self.store.now()
        due = self.schedule.last_due(now)
        if now - due > CATCH_UP:
            return False
        key = f"digest:weekly:{int(due)}"
        if not self.store.add_notice(f"{key}:try:{int(now // 3600)}"):
            return False  # already tried this hour
        if not self.store.add_notice(key):
            return False  # posted before (this run or an earlier one)
        when = datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%d %H:%M")
        period = Period(due - WEEK, due, f"7 days to {when} UTC")
        channel = self.config.digest.channel
        try:
            digest = digest_for(self.store, self.config, period)
            post_digest(self.client, self.store, channel, digest, self.render(digest))
        except SlackApiError as exc:
            self.store.forget_notice(key)  # try again on a later tick
            error = exc.response.get("error", "error")
            log.warning("weekly digest to %s failed: %s", channel, error)
            if self.notify_admins:
                self.notify_admins(
                    f"{key}:{error}",
                    f":warning: Hark could not post the weekly digest in {channel} ({error}). "
                    "If the bot is not in that channel, `/invite @Hark` there; "
                    "Hark tries again within the hour.",
                )
            return False
        return True
