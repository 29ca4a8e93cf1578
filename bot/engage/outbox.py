"""The outbox: send stored conversations to Slack once, in order, and keep cards current."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.engage.transitions import STATE_ACTIONS
from bot.models import Conversation, State
from bot.ops.channels import ChannelNotFound, ChannelResolver, is_channel_id
from bot.people.experts import suggest_experts
from bot.store import Store
from bot.viewdata import METADATA_EVENT, Card, MuteNote

log = logging.getLogger(__name__)

# Errors that will not fix themselves by retrying now: keep the post, tell admins once.
RECOVERY_PAGES = 10  # up to 2,000 messages back: enough for a restart within hours
CHANNEL_ERRORS = {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"}
# Errors about one card (its blocks, its size, its metadata): that card is retried a few
# times and then set aside, with one notice to admins; nothing else waits for it.
CARD_ERRORS = {
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "msg_blocks_too_long",
    "invalid_arguments",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "metadata_too_large",
    "no_text",
}
CARD_GIVE_UP = 3  # refusals of one card before Hark stops trying it
# Seconds a send trace keeps other workers off a card whose sender still holds its lock
# (PostgreSQL, several pollers): longer than any Slack call with its retries, so a new
# leader never races a send in flight; a killed sender's lock is gone at once.
SEND_LEASE = 600.0


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)  # found already in Slack after a crash
    held: list[int] = field(default_factory=list)  # kept for later (channel or Slack trouble)
    gave_up: list[int] = field(default_factory=list)  # refused by Slack too often: set aside
    errors: list[str] = field(default_factory=list)


def card_for(store: Store, row: Conversation) -> Card:
    """Build the card for a conversation row from ``Store.conversation``."""
    ignored_by = None
    if row.state == State.IGNORED:
        last = store.engagements(row.id)
        ignored_by = next((e.user_id for e in reversed(last) if e.action == "ignore"), None)
    return Card(
        conversation_id=row.id,
        topic=row.topic,
        # Posts on X have no title: the start of the text stands in for one.
        title=row.title or " ".join(row.text.split()[:16]),
        link=row.link,
        excerpt=row.text,
        author=row.author,
        site=row.site,
        sources=tuple(store.post_source_labels(row.post_id)),
        published_at=row.published_at,
        why=row.why,
        state=row.state,
        owner=row.owner,
        sent_at=row.sent_at,
        claimed_at=row.claimed_at,
        replied_at=row.replied_at,
        reply_url=row.reply_url,
        reply_verified=bool(row.reply_verified),
        ignored_by=ignored_by,
        ignore_reason=row.ignore_reason,
        **card_extras(store, row),  # type: ignore[arg-type]
    )


def card_extras(store: Store, row: Conversation) -> dict[str, object]:
    """What the card shows beyond the row: the last change and who made it, and (while
    open) who could answer."""
    logged = store.engagements(row.id)
    last = next((e for e in reversed(logged) if e.action in STATE_ACTIONS), None)
    return {
        "last_action": last.action if last else None,
        "last_actor": last.user_id if last else None,
        "mutes": mute_notes(logged),
        "suggested": tuple(suggest_experts(store, row.topic)) if row.state == State.NEW else (),
    }


def mute_notes(logged) -> tuple[MuteNote, ...]:
    """The mutes a card's Ignore proposed (``mute_proposal``) or made (``mute``), in order."""
    proposed: dict[str, str] = {}
    muted: dict[str, str] = {}
    for e in logged:
        if e.action == "mute_proposal":
            proposed.setdefault(e.detail, e.user_id)
        elif e.action == "mute":
            muted.setdefault(e.detail, e.user_id)
    notes = []
    for detail in dict.fromkeys([*proposed, *muted]):
        kind, _, value = detail.partition(":")
        notes.append(MuteNote(kind, value, proposed.get(detail), muted.get(detail)))
    return tuple(notes)


def _conversation_id(message: dict) -> int | None:
    meta = message.get("metadata") or {}
    if meta.get("event_type") != METADATA_EVENT:
        return None
    payload = meta.get("event_payload") or {}
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    value = payload.get("conversation_id") if isinstance(payload, dict) else None
    return value if isinstance(value, int) else None


class Publisher:
    """Sends the outbox. One instance per process; ``deliver`` is serialized."""

    def __init__(
        self,
        store: Store,
        client: WebClient,
        *,
        per_channel_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        on_channel_error: Callable[[str, str], None] | None = None,
        on_card_given_up: Callable[[Conversation, str], None] | None = None,
        channels: ChannelResolver | None = None,
        render_card: Callable[[Card], dict],
        send_lease: float | None = None,
    ) -> None:
        self.render_card = render_card  # how a card reads: bot/blocks/, given by the wiring
        self.store = store
        self.client = client
        self.per_channel_interval = per_channel_interval
        self.sleep = sleep
        self.on_channel_error = on_channel_error
        self.on_card_given_up = on_card_given_up
        self.channels = channels or ChannelResolver(client)
        self._last_post: dict[str, float] = {}
        self._lock = threading.Lock()
        # How old another worker's send trace must be before this one looks for its card
        # and sends it again even though its sender seems alive (PostgreSQL: a dead
        # sender's card is taken at once, see Store.take_send). SQLite has one process,
        # so a trace there is always a crashed send's.
        if send_lease is None:
            send_lease = SEND_LEASE if store.dialect.name != "sqlite" else 0.0
        self.send_lease = send_lease
        # Rows this worker traced whose outcome it does not know (Slack failed or was
        # unreachable): retried at once by this worker, which knows nobody else sends them.
        self._unsettled: set[int] = set()

    def deliver(self, limit: int = 200, go_on: Callable[[], bool] = lambda: True) -> DeliveryReport:
        """Send what is waiting, oldest first. Stops at the first Slack-wide failure so
        that order is kept; a channel-specific failure holds only that channel, and a card
        Slack refuses holds only that card. ``go_on`` is asked before each card: a poller
        that stops leading stops sending (bot/ops/leader.py)."""
        report = DeliveryReport()
        given_up: list[tuple[Conversation, str]] = []
        with self._lock:
            blocked: set[str] = set()
            after = 0
            for _ in range(limit):
                if not go_on():
                    log.info("no longer leading: the rest of the outbox is the new leader's")
                    break
                # Taken for this worker alone, the send trace committed before posting:
                # another poller (a standby taking over) leaves the row alone.
                row = self.store.take_send(
                    self.send_lease, after_id=after, mine=self._unsettled, skip_channels=blocked
                )
                if row is None:
                    break
                after, channel = row.id, row.channel
                self._unsettled.add(row.id)
                try:
                    if row.send_started_at is not None and self._recover(row, report):
                        continue
                    self._send(row, report)
                except SlackApiError as exc:
                    error = str(exc.response.get("error", "unknown_error"))
                    report.errors.append(error)
                    if error in CARD_ERRORS:
                        if self._card_refused(row, error, exc, report):
                            given_up.append((row, error))
                        continue
                    self.store.mark_send_failed(row.id, error)
                    report.held.append(row.id)
                    if error in CHANNEL_ERRORS:
                        blocked.add(channel)
                        if self.on_channel_error:
                            self.on_channel_error(channel, error)
                        continue
                    log.warning("Slack refused conversation %s: %s; will retry", row.id, error)
                    break
                except OSError as exc:  # connection refused, timeout after retries
                    self.store.mark_send_failed(row.id, type(exc).__name__)
                    report.held.append(row.id)
                    report.errors.append(type(exc).__name__)
                    log.warning("Slack unreachable (%s); will retry", type(exc).__name__)
                    break
                finally:
                    self.store.release_send(row.id)  # its outcome is recorded (or raised)
            if blocked:  # what waits in a channel Hark cannot post to is held too
                held = set(report.held)
                report.held.extend(
                    r.id
                    for r in self.store.outbox(limit)
                    if r.channel in blocked and r.id not in held
                )
        # Told after the run, so the notices neither wait for nor delay the cards.
        for row, error in given_up:
            if self.on_card_given_up:
                self.on_card_given_up(row, error)
        return report

    def _card_refused(
        self, row: Conversation, error: str, exc: SlackApiError, report: DeliveryReport
    ) -> bool:
        """Slack refused this card (not its channel, not Slack as a whole): count it; after
        CARD_GIVE_UP refusals set it aside (True: admins are to be told). Other cards go on."""
        detail = exc.response.get("errors") or (exc.response.get("response_metadata") or {}).get(
            "messages"
        )
        log.warning("Slack refused conversation %s's card: %s %s", row.id, error, detail or "")
        refusals = self.store.record_card_failure(row.id, error, CARD_GIVE_UP)
        self._unsettled.discard(row.id)  # Slack answered: nothing was posted, no trace left
        if refusals < CARD_GIVE_UP:
            report.held.append(row.id)
            return False
        report.gave_up.append(row.id)
        log.error("gave up sending conversation %s after %d refusals", row.id, refusals)
        return True

    def _send(self, row: Conversation, report: DeliveryReport) -> None:
        channel = self._channel_id(row.channel, required=False)
        self._pace(channel)
        message = self.render_card(card_for(self.store, row))
        response = self.client.chat_postMessage(
            channel=channel, unfurl_links=False, unfurl_media=False, **message
        )
        # Keep the ID Slack answers with: later calls (chat.update, conversations.history,
        # chat.getPermalink) take no #name.
        answered = response.get("channel")
        answered = answered if is_channel_id(answered) else None
        self._unsettled.discard(row.id)
        if self.store.mark_sent(row.id, response["ts"], answered):
            report.sent.append(row.id)
        else:  # another worker's message was recorded first: this one is the duplicate
            self._delete_duplicate(row.id, answered or channel, response["ts"])

    def _delete_duplicate(self, conversation_id: int, channel: str, ts: str) -> None:
        log.warning(
            "conversation %s was already in Slack; deleting the copy %s", conversation_id, ts
        )
        try:
            self.client.chat_delete(channel=channel, ts=ts)
        except (SlackApiError, OSError) as exc:
            log.warning("could not delete the copy %s: %s", ts, exc)

    def _channel_id(self, channel: str, *, required: bool = True) -> str:
        """The ID for a stored channel (rows written before names were resolved may hold
        ``#name``); records it in the store. With ``required``, a name the bot cannot see
        raises SlackApiError-like ``channel_not_found``; otherwise the name is returned
        (chat.postMessage accepts it and answers with the ID)."""
        if is_channel_id(channel):
            return channel
        try:
            found = self.channels.resolve(channel)
        except ChannelNotFound:
            if required:
                raise _channel_not_found(channel) from None
            return channel
        except (SlackApiError, OSError) as exc:
            if required:
                raise
            log.info("could not resolve %s (%s); posting by name", channel, type(exc).__name__)
            return channel
        self.store.replace_channel_name(channel, found)
        return found

    def _recover(self, row: Conversation, report: DeliveryReport) -> bool:
        """A send was started but never recorded (crash): look for it in the channel.

        Messages carry the conversation id in their metadata, so the channel's history
        since the send started says whether Slack already has it.
        """
        cursor = None
        channel = self._channel_id(row.channel)
        for _ in range(RECOVERY_PAGES):
            response = self.client.conversations_history(
                channel=channel,
                oldest=f"{max(0.0, row.send_started_at - 60):.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            for message in response.get("messages", []):
                if _conversation_id(message) == row.id:
                    self._unsettled.discard(row.id)
                    if self.store.mark_sent(row.id, message["ts"]):
                        report.recovered.append(row.id)
                    return True
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                break
        return False

    def _pace(self, channel: str) -> None:
        # About one message per second per channel, Slack's posting guidance.
        last = self._last_post.get(channel)
        now = time.monotonic()
        if last is not None and now - last < self.per_channel_interval:
            self.sleep(self.per_channel_interval - (now - last))
        self._last_post[channel] = time.monotonic()

    def refresh(self, conversation_id: int) -> None:
        """Re-render a conversation's card in place after a state change. Refreshes of one
        card wait for each other (whichever worker runs them), and each renders the row as
        it is then: the card never goes back to an older state."""
        with self.store.card_refresh(conversation_id):
            row = self.store.conversation(conversation_id)
            if row is None or row.ts is None:
                return
            message = self.render_card(card_for(self.store, row))
            self.client.chat_update(channel=self._channel_id(row.channel), ts=row.ts, **message)


def _channel_not_found(channel: str) -> SlackApiError:
    """The error Slack itself gives for a channel it cannot find, for a name no lookup
    finds: callers handle both the same way."""
    return SlackApiError(
        f"no channel {channel} that the bot can see",
        {"ok": False, "error": "channel_not_found"},  # type: ignore[arg-type]
    )
