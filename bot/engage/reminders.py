"""Nothing falls through: SLA reminders, escalations to admins, nudges to owners.

Each fires at most once per conversation (once per owner for the nudge): a row in the
``notices`` table is the proof it was sent, written before sending and removed again
if Slack refused, so a failed send is retried on the next tick and never doubled.

The SLA clock counts only business hours when ``engagement.business_hours`` is set;
the nudge counts wall-clock time (a claim is a promise, weekends included).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import BusinessHours
from bot.models import Conversation
from bot.people.experts import suggest_experts
from bot.store import Store
from bot.viewdata import Expert

log = logging.getLogger(__name__)

NUDGE_AFTER = 86400.0
# Older conversations are left alone: turning reminders on must not flood a channel.
LOOK_BACK = 14 * 86400.0


@dataclass
class ReminderReport:
    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    nudged: list[int] = field(default_factory=list)


def business_seconds(start: float, end: float, hours: BusinessHours | None) -> float:
    """Seconds between ``start`` and ``end`` that fall inside business hours (all, if None)."""
    if end <= start:
        return 0.0
    if hours is None:
        return end - start
    zone = ZoneInfo(hours.timezone)
    day = datetime.fromtimestamp(start, zone).date()
    last = datetime.fromtimestamp(end, zone).date()
    total = 0.0
    while day <= last:
        if day.weekday() in hours.days:
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            opens = (midnight + timedelta(minutes=hours.start_minute)).timestamp()
            closes = (midnight + timedelta(minutes=hours.end_minute)).timestamp()
            total += max(0.0, min(end, closes) - max(start, opens))
        day += timedelta(days=1)
    return total


Message = dict[str, Any]


@dataclass(frozen=True)
class ReminderMessages:
    """How each reminder reads: bot/blocks/conversation.py's builders, given by the wiring."""

    sla_reminder: Callable[[float, Sequence[Expert]], Message]
    escalation_message: Callable[[str, str, str | None, float], Message]
    escalation_note: Callable[[float], Message]
    owner_nudge: Callable[[str, str | None, float], Message]


class Reminders:
    """The periodic job; ``run`` is idempotent and decides itself what is due."""

    def __init__(
        self,
        store: Store,
        client: WebClient,
        *,
        messages: ReminderMessages,
        admins: Iterable[str],
        business_hours: BusinessHours | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.messages = messages
        self.admins = sorted(admins)
        self.business_hours = business_hours

    def run(self) -> ReminderReport:
        report = ReminderReport()
        now = self.store.now()
        for row in self.store.unclaimed_in_slack(now - LOOK_BACK):
            waited = business_seconds(row.sent_at, now, self.business_hours)
            sla = row.sla_minutes * 60.0
            if waited >= sla and self._once(f"sla-reminder:{row.id}", self._remind, row, waited):
                report.reminded.append(row.id)
            if waited >= 2 * sla and self._once(
                f"sla-escalate:{row.id}", self._escalate, row, waited
            ):
                report.escalated.append(row.id)
        for row in self.store.claimed_since_before(now - NUDGE_AFTER, now - LOOK_BACK):
            key = f"nudge:{row.id}:{row.owner}:{int(row.owned_since)}"
            if self._once(key, self._nudge, row, now - row.owned_since):
                report.nudged.append(row.id)
        return report

    def _once(
        self,
        key: str,
        send: Callable[[Conversation, float], None],
        row: Conversation,
        waited: float,
    ) -> bool:
        if not self.store.add_notice(key):
            return False
        try:
            send(row, waited)
        except (SlackApiError, OSError) as exc:
            self.store.forget_notice(key)  # try again next tick
            log.warning("could not send %s: %s", key, _error(exc))
            return False
        return True

    def _remind(self, row: Conversation, waited: float) -> None:
        message = self.messages.sla_reminder(waited, suggest_experts(self.store, row.topic))
        self._in_thread(row, message)

    def _escalate(self, row: Conversation, waited: float) -> None:
        permalink = self._permalink(row)
        message = self.messages.escalation_message(row.topic, row.channel, permalink, waited)
        for admin in self.admins:
            self.client.chat_postMessage(channel=admin, unfurl_links=False, **message)
        self._in_thread(row, self.messages.escalation_note(waited))

    def _nudge(self, row: Conversation, held: float) -> None:
        message = self.messages.owner_nudge(row.topic, self._permalink(row), held)
        self.client.chat_postMessage(channel=row.owner, unfurl_links=False, **message)

    def _in_thread(self, row: Conversation, message: dict[str, Any]) -> None:
        self.client.chat_postMessage(
            channel=row.channel, thread_ts=row.ts, unfurl_links=False, **message
        )

    def _permalink(self, row: Conversation) -> str | None:
        try:
            answer = self.client.chat_getPermalink(channel=row.channel, message_ts=row.ts)
        except SlackApiError:
            return None  # the message text still names the topic and channel
        return answer.get("permalink")


def _error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "unknown_error"))
    return type(exc).__name__
