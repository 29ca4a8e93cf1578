"""Which topics a stored post belongs to, with its rank; recompiles when topics change."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.config import Config
from bot.match.engine import Document, Matcher
from bot.match.ranking import Rank, rank_post
from bot.match.tagger import Tagger
from bot.models import Mute, TopicRecord
from bot.store import Store


class MuteRules:
    """Authors, sites and phrases that keep a post out of every channel."""

    def __init__(self, rows: list[Mute]) -> None:
        self.authors = {_author_key(r.value) for r in rows if r.kind == "author"}
        self.sites = {_site_key(r.value) for r in rows if r.kind == "site"}
        phrases = [r.value for r in rows if r.kind == "phrase"]
        self.phrases = _phrase_tagger(phrases)

    def muted(self, doc: Document) -> bool:
        """True when the post's author, site (or a parent domain), or a phrase is muted."""
        if self.authors and _author_key(doc.author) in self.authors:
            return True
        if self.sites and doc.site:
            site = _site_key(doc.site)
            parts = site.split(".")
            # "a.b.example.com" is muted by "example.com", "b.example.com" or itself.
            if any(".".join(parts[i:]) in self.sites for i in range(len(parts))):
                return True
        return bool(self.phrases and self.phrases.tags(doc))


def _author_key(author: str) -> str:
    return author.strip().lstrip("@").casefold()


def _site_key(site: str) -> str:
    return site.strip().rstrip(".").casefold()


def _phrase_tagger(phrases: list[str]) -> Tagger | None:
    """One automaton over every muted phrase, on whole words like topic queries."""
    usable = []
    for phrase in phrases:
        try:
            Tagger({"muted": [phrase]})
        except ValueError:
            continue  # no letters or digits: nothing it could ever match
        usable.append(phrase)
    return Tagger({"muted": usable}) if usable else None


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
        self._topics: dict[str, TopicRecord] = {}
        self._mutes_version = -1
        self._mutes = MuteRules([])

    def matcher(self) -> tuple[Matcher, dict[str, TopicRecord]]:
        """The matcher for the current topics, recompiled only when they changed."""
        version = self.store.topics_version()
        with self._lock:
            if version != self._version or self._matcher is None:
                rows = self.store.topics()
                self._matcher = Matcher.compile({r.name: r.query for r in rows})
                self._topics = {r.name: r for r in rows}
                self._version = version
            return self._matcher, self._topics

    def mute_rules(self) -> MuteRules:
        """The current mutes, reloaded only when they changed."""
        version = self.store.mutes_version()
        with self._lock:
            if version != self._mutes_version:
                self._mutes = MuteRules(self.store.mutes())
                self._mutes_version = version
            return self._mutes

    def is_muted(self, doc: Document) -> bool:
        return self.mute_rules().muted(doc)

    def evaluate(
        self, doc: Document, *, metrics: dict[str, int], age_hours: float | None
    ) -> list[Relevant]:
        """Every topic the document matches, ranked, including those under their min score.

        A muted post (author, site or phrase) matches nothing.
        """
        if self.is_muted(doc):
            return []
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
            found.append(Relevant(row.id, row.name, row.channel, rank, row.min_score))
        return found

    def mentions(self, doc: Document) -> set[str]:
        return set(self.tagger.tags(doc)) if self.tagger else set()
