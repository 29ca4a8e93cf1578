"""Which topics a stored post belongs to, with its rank; recompiles when topics change.

``Scanner`` is what the poll's parse workers run: every topic's terms, the company
and competitor names and the muted phrases in ONE automaton, so a post is folded
and scanned once for all three. ``MatchSpec`` is its picklable recipe (topics,
mutes, names and their versions): a worker process compiles it once per cycle.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.match.engine import Document, Matcher
from bot.match.ranking import Rank, aged_score, unaged_rank
from bot.match.tagger import Tagger, name_phrase
from bot.models import Mute, TopicRecord
from bot.query.parser import QueryError, parse_query
from bot.query.tree import Node, Or

if TYPE_CHECKING:
    from bot.config import Config
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
        return self.muted_by_name(doc) or bool(self.phrases and self.phrases.tags(doc))

    def muted_by_name(self, doc: Document) -> bool:
        """True when the post's author or site (or a parent domain) is muted."""
        if self.authors and _author_key(doc.author) in self.authors:
            return True
        if self.sites and doc.site:
            site = _site_key(doc.site)
            parts = site.split(".")
            # "a.b.example.com" is muted by "example.com", "b.example.com" or itself.
            if any(".".join(parts[i:]) in self.sites for i in range(len(parts))):
                return True
        return False


def _author_key(author: str) -> str:
    return author.strip().lstrip("@").casefold()


def _site_key(site: str) -> str:
    return site.strip().rstrip(".").casefold()


def _usable(phrases: list[str]) -> list[str]:
    usable = []
    for phrase in phrases:
        try:
            name_phrase("muted", phrase)
        except ValueError:
            continue  # no letters or digits: nothing it could ever match
        usable.append(phrase)
    return usable


def _phrase_tagger(phrases: list[str]) -> Tagger | None:
    """One automaton over every muted phrase, on whole words like topic queries."""
    usable = _usable(phrases)
    return Tagger({"muted": usable}) if usable else None


def _any_of(company: str, terms: tuple[str, ...] | list[str]) -> Node | None:
    phrases = [name_phrase(company, term) for term in terms]
    if not phrases:
        return None
    return phrases[0] if len(phrases) == 1 else Or(tuple(phrases))


@dataclass(frozen=True)
class MatchSpec:
    """What a Scanner is compiled from; picklable, so a worker process can compile it."""

    topics: tuple[TopicRecord, ...]
    mutes: tuple[Mute, ...]
    entities: tuple[tuple[str, tuple[str, ...]], ...]  # (company, its names)
    version: tuple[int, int]  # (topics, mutes) versions of the store


@dataclass(frozen=True)
class Found:
    """A topic a post matched, ranked before its age penalty."""

    topic: TopicRecord
    unaged: float
    reasons: tuple[str, ...]


class Scanner:
    """Topics, company names and muted phrases in one automaton: one scan per post."""

    _MUTED = "m"

    def __init__(self, spec: MatchSpec) -> None:
        self.spec = spec
        self._topics = spec.topics
        trees: dict[str, Node] = {}
        for index, row in enumerate(spec.topics):
            try:
                trees[f"t{index}"] = parse_query(row.query)
            except QueryError as error:
                error.topic = row.name
                raise
        self._companies: dict[str, str] = {}
        for index, (company, terms) in enumerate(spec.entities):
            tree = _any_of(company, terms)
            if tree is not None:
                trees[f"c{index}"] = tree
                self._companies[f"c{index}"] = company
        self._mutes = MuteRules([m for m in spec.mutes if m.kind != "phrase"])
        muted = _any_of("muted", _usable([m.value for m in spec.mutes if m.kind == "phrase"]))
        if muted is not None:
            trees[self._MUTED] = muted
        self._matcher = Matcher(trees)

    def scan(self, doc: Document, metrics: dict[str, int]) -> tuple[list[Found], set[str]]:
        """The topics ``doc`` matches (none when muted), unaged; the companies it names."""
        found: list[Found] = []
        mentions: set[str] = set()
        muted = self._mutes.muted_by_name(doc)
        topics = []
        for m in self._matcher.match(doc):
            kind = m.topic[0]
            if kind == "c":
                mentions.add(self._companies[m.topic])
            elif kind == "t":
                topics.append(m)
            else:
                muted = True
        if muted:
            return found, mentions
        for m in topics:
            score, reasons = unaged_rank(
                title=doc.title, text=doc.body, terms=m.terms, in_title=m.in_title, metrics=metrics
            )
            found.append(Found(self._topics[int(m.topic[1:])], score, reasons))
        return found, mentions


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
        for company, terms in entities.items():
            _any_of(company, terms)  # a name without letters fails here, at start-up
        self._entities = tuple((c, tuple(t)) for c, t in entities.items())
        self._scanner: Scanner | None = None
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

    def spec(self) -> MatchSpec:
        """The current topics, mutes and company names, for a Scanner (here or in a worker)."""
        version = (self.store.topics_version(), self.store.mutes_version())
        with self._lock:
            if self._scanner is not None and self._scanner.spec.version == version:
                return self._scanner.spec
        return MatchSpec(
            tuple(self.store.topics()), tuple(self.store.mutes()), self._entities, version
        )

    def scanner(self) -> Scanner:
        """The Scanner for the current topics and mutes, recompiled only when they changed."""
        spec = self.spec()
        with self._lock:
            if self._scanner is None or self._scanner.spec is not spec:
                self._scanner = Scanner(spec)
            return self._scanner

    def evaluate(
        self, doc: Document, *, metrics: dict[str, int], age_hours: float | None
    ) -> list[Relevant]:
        """Every topic the document matches, ranked, including those under their min score.

        A muted post (author, site or phrase) matches nothing.
        """
        found, _ = self.scanner().scan(doc, metrics)
        return [
            Relevant(
                f.topic.id,
                f.topic.name,
                f.topic.channel,
                Rank(aged_score(f.unaged, age_hours), f.reasons),
                f.topic.min_score,
            )
            for f in found
        ]

    def mentions(self, doc: Document) -> set[str]:
        return self.scanner().scan(doc, {})[1]
