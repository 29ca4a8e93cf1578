"""The long-lived parts of a running Hark, built once from settings and shared."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.authz import Authority
from bot.blocks.text import fit, link
from bot.config import Settings
from bot.engage.outbox import Publisher
from bot.engage.transitions import Engagement
from bot.fetch.client import Fetcher
from bot.match.relevance import Relevance
from bot.ops.channels import (
    ChannelResolver,
    is_channel_id,
    needs_resolution,
    resolve_config_channels,
)
from bot.ops.metrics import Metrics
from bot.poll.poller import Poller
from bot.store import Store

log = logging.getLogger(__name__)


class TimedWebClient(WebClient):
    """A WebClient that reports each Web API call's latency to /metrics."""

    def __init__(self, *args: Any, metrics: Metrics | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return super().api_call(*args, **kwargs)
        finally:
            if self.metrics is not None:
                self.metrics.observe_slack(time.monotonic() - started)


def slack_client(settings: Settings, metrics: Metrics | None = None) -> WebClient:
    """A WebClient pointed at ``SLACK_API_URL`` that retries 429s, 5xx and dropped connections.

    Bolt copies ``retry_handlers`` into the per-request clients it gives listeners.
    """
    client = TimedWebClient(
        token=settings.bot_token or None,
        base_url=settings.slack_api_url,
        timeout=15,
        metrics=metrics,
    )
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ]
    )
    return client


class AdminNotifier:
    """Direct messages to the admins; ``once`` sends a given notice only once, ever."""

    def __init__(self, client: WebClient, store: Store, admins: frozenset[str]) -> None:
        self.client, self.store, self.admins = client, store, admins

    def notify(self, text: str) -> None:
        for admin in sorted(self.admins):
            try:
                self.client.chat_postMessage(channel=admin, text=text)
            except Exception as exc:  # noqa: BLE001 - a notice must never stop polling
                log.warning("could not notify admin %s: %s", admin, type(exc).__name__)

    def once(self, key: str, text: str) -> None:
        if self.store.add_notice(key):
            self.notify(text)

    def channel_trouble(self, channel: str, error: str) -> None:
        where = _channel_ref(channel)
        if error == "channel_not_found":
            what = (
                f"Hark cannot find the channel {where}: it was deleted, or it is private and "
                "Hark is not in it. Invite the bot with `/invite @Hark` in that channel, or "
                "point the topic at another one"
            )
        elif error in ("is_archived", "channel_is_archived"):
            what = f"{where} is archived. Unarchive it, or point the topic at another channel"
        else:
            what = (
                f"Hark cannot post in {where} ({fit(error, 60)}). Invite the bot with "
                "`/invite @Hark` in that channel"
            )
        self.once(
            f"channel:{channel}:{error}",
            f":warning: {what}; the conversations are kept and will be sent.",
        )

    # At most this many "card set aside" DMs a day, then one saying more were: when Slack
    # refuses every card, the cause is Hark (or Slack), not the posts.
    CARDS_GIVEN_UP_A_DAY = 3

    def card_given_up(self, row: sqlite3.Row, error: str) -> None:
        """Slack refused one conversation's card several times; say so once."""
        day = int(self.store.now() // 86400)
        if not any(
            self.store.add_notice(f"cards-given-up:{day}:{n}")
            for n in range(self.CARDS_GIVEN_UP_A_DAY)
        ):
            self.once(
                f"cards-given-up:{day}:more",
                f":warning: Slack keeps refusing Hark's conversation cards ({fit(error, 60)}): "
                f"more than {self.CARDS_GIVEN_UP_A_DAY} were set aside today, and no more "
                "messages about them will follow today. This is likely a fault in Hark, not "
                "in the posts: tell whoever runs Hark (the details are in Hark's log). Other "
                "cards are still sent.",
            )
            return
        title = row["title"] or row["text"] or "(untitled)"
        self.once(
            f"card:{row['id']}:gave-up",
            f":warning: Slack refused the card for a *{fit(row['topic'], 60, one_line=True)}* "
            f"conversation ({fit(error, 60)}) several times, so Hark stopped trying to post it "
            f"in {_channel_ref(row['channel'])}: {link(row['link'], title, 200)}. Every other "
            "conversation is still sent. If this happens again, tell whoever runs Hark "
            f"(conversation {row['id']}, `{fit(error, 60)}`; the details are in Hark's log).",
        )

    def source_down(self, row: sqlite3.Row) -> None:
        # The poller calls this once per failure streak (a compare-and-set in the store).
        self.notify(
            f":warning: Source {row['id']} ({fit(row['label'] or row['target'], 200, one_line=True)})"
            f" has failed for a day: {fit(row['last_error'], 300, one_line=True)}. Hark keeps "
            "retrying; `/hark sources` shows its health."
        )


@dataclass
class Services:
    settings: Settings
    store: Store
    client: WebClient
    relevance: Relevance
    engagement: Engagement
    publisher: Publisher
    fetcher: Fetcher
    poller: Poller
    notifier: AdminNotifier
    metrics: Metrics
    authz: Authority  # who may do what (bot/authz.py)
    # Work that runs after each poll (reminders, the weekly digest, ...): each is
    # idempotent and decides itself whether anything is due.
    periodic: list[Callable[[], object]] = field(default_factory=list)
    # Channel names to IDs (bot/channels.py), for anything given a #name.
    channels: ChannelResolver | None = None

    def poll_and_deliver(self) -> None:
        """One scheduler tick: poll the due sources, send what is waiting, then the rest."""
        self.poller.poll_due()
        self.publisher.deliver()
        for job in self.periodic:
            try:
                job()
            except Exception:  # one failing job must not stop the others
                log.exception("periodic job %s failed", getattr(job, "__qualname__", job))


def build_services(
    settings: Settings,
    store: Store,
    *,
    client: WebClient | None = None,
    per_channel_interval: float = 1.0,
) -> Services:
    """Wire the parts together; nothing here talks to the network yet."""
    metrics = Metrics()
    client = client or slack_client(settings, metrics)
    channels = ChannelResolver(client)
    if settings.bot_token and needs_resolution(settings.config):
        # A #name works only on chat.postMessage: every later call (chat.update,
        # conversations.history, chat.getPermalink, file uploads) needs the ID.
        where = settings.config_path or "config"
        settings = replace(
            settings, config=resolve_config_channels(settings.config, channels, where)
        )
    config = settings.config
    store.sync_config_topics(config.topics)
    store.sync_config_sources(config.sources)
    relevance = Relevance(store, config)
    fetcher = Fetcher(allow_hosts=config.allow_hosts)
    notifier = AdminNotifier(client, store, config.admins)
    x_search = None
    if settings.x_bearer_token:
        from bot.poll.xsearch import XSearch

        x_search = XSearch(
            store,
            settings.x_bearer_token,
            api_url=settings.x_api_url,
            max_reads_per_month=config.x_max_reads_per_month,
        )
    authz = Authority(client, config.admins, store)
    services = Services(
        settings=settings,
        store=store,
        client=client,
        relevance=relevance,
        engagement=Engagement(store, config.admins, config.engagement, is_admin=authz.is_admin),
        publisher=Publisher(
            store,
            client,
            per_channel_interval=per_channel_interval,
            on_channel_error=notifier.channel_trouble,
            on_card_given_up=notifier.card_given_up,
            channels=channels,
        ),
        fetcher=fetcher,
        poller=Poller(
            store,
            relevance,
            fetcher,
            backfill_hours=config.backfill_hours,
            x_search=x_search,
            on_source_down=notifier.source_down,
        ),
        notifier=notifier,
        channels=channels,
        metrics=metrics,
        authz=authz,
    )
    if config.retention_days:
        days = config.retention_days
        services.periodic.append(lambda: store.purge_posts(store.now() - days * 86400))
    from bot.people.voice import EmployeeVoice

    voice = EmployeeVoice(store, relevance, fetcher, config.company_name)
    services.periodic.append(voice.poll_due)
    from bot.engage.reminders import Reminders
    from bot.engage.reply_watch import Verifier

    services.periodic.append(
        Verifier(
            store,
            fetcher,
            services.engagement,
            refresh=services.publisher.refresh,
            x_search=x_search,
        ).run
    )
    services.periodic.append(
        Reminders(
            store,
            client,
            admins=config.admins,
            business_hours=config.engagement.business_hours,
        ).run
    )
    from bot.report.weekly import WeeklyDigest

    services.periodic.append(WeeklyDigest(store, client, config, notifier.once).run)
    return services


def _channel_ref(channel: str) -> str:
    """``<#C…>`` (Slack shows the channel's name) for an ID; the escaped name otherwise."""
    return f"<#{channel}>" if is_channel_id(channel) else fit(channel, 80, one_line=True)
