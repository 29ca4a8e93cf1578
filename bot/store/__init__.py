"""The one place SQL lives. ``Store`` is every table's methods over one SQLite file."""

from __future__ import annotations

from bot.store.conversations import ConversationsStore
from bot.store.engagement_extra import EngagementStore
from bot.store.ingest import IngestStore
from bot.store.mutes import MutesStore
from bot.store.people import PeopleStore
from bot.store.posts import PostsStore, StoredPost
from bot.store.replays import ReplaysStore
from bot.store.search import SearchStore
from bot.store.sources import SourcesStore
from bot.store.stats import StatsStore
from bot.store.topics import TopicsStore
from bot.store.xusage import XUsageStore


class Store(
    SourcesStore,
    PostsStore,
    IngestStore,
    TopicsStore,
    ConversationsStore,
    EngagementStore,
    PeopleStore,
    StatsStore,
    XUsageStore,
    MutesStore,
    SearchStore,
    ReplaysStore,
):
    """SQLite store, safe to share between Bolt's worker threads and the scheduler."""


__all__ = ["Store", "StoredPost"]
