"""The one place SQL lives. ``Store`` is every table's methods over one SQLite file.

Each mixin holds one concern's SQL and inherits only ``StoreBase`` (connections, the
clock); ``Store`` puts them side by side. The schema is bot/store/schema.py.
"""

from __future__ import annotations

from bot.store.conversations import ConversationsStore
from bot.store.digest import DigestStore
from bot.store.employee_voice import EmployeeVoiceStore
from bot.store.export import ExportStore
from bot.store.ingest import IncomingPost, IngestStore, StoredPost
from bot.store.mutes import MutesStore
from bot.store.notices import NoticesStore
from bot.store.outside_voices import OutsideVoicesStore
from bot.store.people import PeopleStore
from bot.store.posts import PostsStore
from bot.store.replays import ReplaysStore
from bot.store.replies import RepliesStore
from bot.store.search import SearchStore
from bot.store.sources import SourcesStore
from bot.store.topics import TopicsStore
from bot.store.waiting import WaitingStore
from bot.store.xusage import XUsageStore


class Store(
    SourcesStore,
    IngestStore,
    PostsStore,
    TopicsStore,
    ConversationsStore,
    WaitingStore,
    RepliesStore,
    NoticesStore,
    MutesStore,
    PeopleStore,
    EmployeeVoiceStore,
    DigestStore,
    OutsideVoicesStore,
    ExportStore,
    SearchStore,
    XUsageStore,
    ReplaysStore,
):
    """SQLite store, safe to share between Bolt's worker threads and the scheduler."""


__all__ = ["IncomingPost", "Store", "StoredPost"]
