"""Which topics a stored post belongs to, with its rank; recompiles when topics change."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

from bot.config import Config
from bot.matching import Document, Matcher, Tagger
from bot.ranking import Rank, rank_post
from bot.store import Store


@dataclass(frozen=True)
class Relevant:
    topic_id: int
    topic: str
    channel: str
    rank: Rank
    min_score: float


class Relevance:
    """Compiled topics plus company/competitor tagging, shared by the poller and commands."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        entities: dict[str, tuple[str, ...]] = {}
        if config.company_name and config.company_terms:
            entities[config.company_name] = config.company_terms
        entities.update(config.competitors)
        self.tagger = Tagger(entities) if entities else None
        self._lock = threading.Lock()
        self._version = -1
        self._matcher: Matcher | None = None
        self._topics: dict[str, sqlite3.Row] = {}

    def matcher(self) -> tuple[Matcher, dict[str, sqlite3.Row]]:
        """The matcher for the current topics, recompiled only when they changed."""
        version = self.store.topics_version()
        with self._lock:
            if version != self._version or self._matcher is None:
                rows = self.store.topics()
                self._matcher = Matcher.compile({r["name"]: r["query"] for r in rows})
                self._topics = {r["name"]: r for r in rows}
                self._version = version
            return self._matcher, self._topics

    def evaluate(
        self, doc: Document, *, metrics: dict[str, int], age_hours: float | None
    ) -> list[Relevant]:
        """Every topic the document matches, ranked, including those under their min score."""
        matcher, topics = self.matcher()
        found: list[Relevant] = []
        for m in matcher.match(doc):
            row = topics[m.topic]
            rank = rank_post(
                title=doc.title,
                text=doc.body,
                terms=m.terms,
                in_title=m.in_title,
                metrics=metrics,
                age_hours=age_hours,
            )
            found.append(Relevant(row["id"], row["name"], row["channel"], rank, row["min_score"]))
        return found

    def mentions(self, doc: Document) -> set[str]:
        return set(self.tagger.tags(doc)) if self.tagger else set()
