"""The one place SQL lives. ``Store`` is every table's methods over one SQLite file."""

from __future__ import annotations

from bot.store.conversations import ConversationsStore
from bot.store.people import PeopleStore
from bot.store.posts import PostsStore, StoredPost
from bot.store.sources import SourcesStore
from bot.store.stats import StatsStore
from bot.store.topics import TopicsStore


class Store(SourcesStore, PostsStore, TopicsStore, ConversationsStore, PeopleStore, StatsStore):
    """SQLite store, safe to share between Bolt's worker threads and the scheduler."""


__all__ = ["Store", "StoredPost"]
