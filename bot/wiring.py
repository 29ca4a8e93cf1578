"""The composition root: the long-lived parts of a running Hark, built once from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.fetch.client import Fetcher
from bot.match.relevance import Relevance
from bot.models import Source
from bot.ops.channels import ChannelResolver, needs_resolution, resolve_config_channels
from bot.poll.poller import Poller
from bot.store import Store

if TYPE_CHECKING:  # imported by build_services: `hark poll --once` needs none of them
    from slack_sdk import WebClient

    from bot.admin.notices import AdminNotifier
    from bot.authz import Authority
    from bot.engage.outbox import Publisher
    from bot.engage.transitions import Engagement
    from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)


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
    # Work that runs after each poll, by name (reminders, the weekly digest, ...): each
    # is idempotent and decides itself whether anything is due.
    periodic: dict[str, Callable[[], object]] = field(default_factory=dict)
    # Channel names to IDs (bot/channels.py), for anything given a #name.
    channels: ChannelResolver | None = None

    def poll_and_deliver(self, go_on: Callable[[], bool] = lambda: True) -> None:
        """One scheduler tick: poll the due sources, send what is waiting, then the rest.

        ``go_on`` is asked before each step: a poller that stops leading mid-tick (its lock's
        connection is gone, bot/ops/leader.py) stops there, and the new leader carries on."""
        self.poller.poll_due()
        if not _still(go_on, "sending the outbox"):
            return
        self.publisher.deliver(go_on=go_on)
        for name, job in self.periodic.items():
            if not _still(go_on, name):
                return
            try:
                job()
            except Exception:  # one failing job must not stop the others
                log.exception("periodic job %s failed", name)


def _still(go_on: Callable[[], bool], step: str) -> bool:
    if go_on():
        return True
    log.warning("no longer leading: this tick stops before %s", step)
    return False


def build_poller(
    settings: Settings,
    store: Store,
    *,
    on_source_down: Callable[[Source], None] | None = None,
) -> Poller:
    """The config's topics and sources synced into the store, and the poller over them.

    All that ``hark poll --once`` needs before it has something to send: no Slack
    client, no Block Kit, no engagement (``build_services`` builds those).
    """
    config = settings.config
    store.sync_config_topics(config.topics)
    store.sync_config_sources(config.sources)
    x_search = None
    if settings.x_bearer_token:
        from bot.poll.xsearch import XSearch  # tweepy is imported only when X is used

        x_search = XSearch(
            store,
            settings.x_bearer_token,
            api_url=settings.x_api_url,
            max_reads_per_month=config.x_max_reads_per_month,
        )
    return Poller(
        store,
        Relevance(store, config),
        Fetcher(allow_hosts=config.allow_hosts),
        backfill_hours=config.backfill_hours,
        x_search=x_search,
        on_source_down=on_source_down,
    )


def with_channel_ids(settings: Settings, channels: ChannelResolver) -> Settings:
    """``settings`` with every channel the config names by #name given by its ID, asked of
    Slack; as they are when there is none (or no token to ask with). A #name works only on
    chat.postMessage: every later call (chat.update, conversations.history,
    chat.getPermalink, file uploads) needs the ID."""
    if not (settings.bot_token and needs_resolution(settings.config)):
        return settings
    where = settings.config_path or "config"
    return replace(settings, config=resolve_config_channels(settings.config, channels, where))


def build_services(
    settings: Settings,
    store: Store,
    *,
    client: WebClient | None = None,
    channels: ChannelResolver | None = None,
    per_channel_interval: float = 1.0,
) -> Services:
    """Wire the parts together. Nothing here talks to the network yet, apart from asking
    Slack for the IDs of channels the config names by #name (``with_channel_ids``, through
    ``channels`` when given: a resolver over ``client``)."""
    from bot.admin.notices import AdminNotifier
    from bot.authz import Authority
    from bot.blocks import notices as notice_texts
    from bot.blocks.conversation import (
        conversation_message,
        escalation_message,
        escalation_note,
        owner_nudge,
        sla_reminder,
    )
    from bot.blocks.digest import digest_message
    from bot.engage.outbox import Publisher
    from bot.engage.reminders import ReminderMessages, Reminders
    from bot.engage.reply_watch import Verifier
    from bot.engage.transitions import Engagement
    from bot.ops.metrics import Metrics
    from bot.ops.slack import slack_client
    from bot.people.voice import EmployeeVoice
    from bot.report.weekly import WeeklyDigest

    metrics = Metrics()
    client = client or slack_client(settings, metrics)
    channels = channels or ChannelResolver(client)
    settings = with_channel_ids(settings, channels)
    config = settings.config
    notifier = AdminNotifier(client, store, config.admins, notice_texts)
    poller = build_poller(settings, store, on_source_down=notifier.source_down)
    relevance, fetcher, x_search = poller.relevance, poller.fetcher, poller.x_search
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
            render_card=conversation_message,
        ),
        fetcher=fetcher,
        poller=poller,
        notifier=notifier,
        channels=channels,
        metrics=metrics,
        authz=authz,
    )
    if config.retention_days:
        days = config.retention_days
        services.periodic["purge_old_posts"] = lambda: store.purge_posts(store.now() - days * 86400)
    voice = EmployeeVoice(store, relevance, fetcher, config.company_name)
    services.periodic["employee_voice"] = voice.poll_due
    services.periodic["reply_watch"] = Verifier(
        store,
        fetcher,
        services.engagement,
        refresh=services.publisher.refresh,
        x_search=x_search,
    ).run
    services.periodic["reminders"] = Reminders(
        store,
        client,
        messages=ReminderMessages(
            sla_reminder=sla_reminder,
            escalation_message=escalation_message,
            escalation_note=escalation_note,
            owner_nudge=owner_nudge,
        ),
        admins=config.admins,
        business_hours=config.engagement.business_hours,
    ).run
    services.periodic["weekly_digest"] = WeeklyDigest(
        store, client, config, notifier.once, render=digest_message
    ).run
    return services
