"""Find which topics a post is relevant to, for every topic at once.

How it stays fast with many topics:

1. Every literal string of every topic (words, phrase words, prefix stems) goes
   into ONE Aho-Corasick automaton. A text is folded once and scanned once per
   field (title, body, author); each hit is checked at its two ends for word
   boundaries (see :mod:`bot.words`) and becomes a *code*: ``2 * key + 1`` when
   it is a whole word, ``2 * key`` when only its start is (a prefix match).
2. Each topic is indexed under a few codes (or ``site:``/``source:``/``lang:``
   values) at least one of which any matching post must contain, chosen from
   the query tree. Only topics whose codes were seen are evaluated, so the cost
   follows the text, not the number of topics.
3. A topic's tree is compiled to one Python expression over the sets of codes
   seen; phrases and ``NEAR/n`` look at positions only when all their words
   are present.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import ahocorasick

from bot.matching_positions import Positions, PositionSpec, Zone
from bot.query import QueryError, parse_query
from bot.query_tree import And, FieldMatch, Near, Node, Not, Or, Phrase, Term, positive_atoms
from bot.words import fold, has_word_char, spaced_word_chars

_EMPTY: frozenset[int] = frozenset()
_ZONES = {None: ("title", "body"), "title": ("title",), "author": ("author",)}


@dataclass(frozen=True)
class Document:
    """The parts of a post that queries look at."""

    title: str
    body: str
    author: str = ""
    site: str = ""  # host of the post's link, e.g. "old.reddit.com"
    source: str = ""  # kind: reddit, hn, x, feed, ...
    lang: str | None = None


@dataclass(frozen=True)
class TopicMatch:
    """A topic a post matched, and why."""

    topic: str
    terms: tuple[str, ...]  # positive literal terms that matched, as written, lower-cased
    in_title: bool  # a matched positive term occurs in the title


@dataclass
class _Key:
    """One automaton string and how its ends meet the text."""

    index: int
    text: str  # folded
    # An end that is not a spaced-script word character needs no boundary check.
    left_free: bool
    right_free: bool


class Matcher:
    """Every topic's query compiled together; :meth:`match` a post against all of them."""

    def __init__(self, trees: Mapping[str, Node]) -> None:
        self._names = list(trees)
        self._keys: dict[str, _Key] = {}
        self._fields: dict[tuple[str, str], int] = {}
        self._specs: list[PositionSpec] = []  # phrases and NEARs, by id
        self._spec_ids: dict[Node, int] = {}
        self._uses_author = False
        self._cover: dict[int, list[int]] = {}  # code -> topics indexed under it
        self._field_cover: dict[int, list[int]] = {}  # field id -> topics
        sources = []
        for topic, tree in enumerate(trees.values()):
            sources.append(f"lambda a, t, u, f, x: {self._expression(tree)}")
            cover = self._cover_of(tree, True)
            assert cover is not None, "the parser refuses queries without a positive term"
            for kind, value in cover[1]:
                index = self._cover if kind == "code" else self._field_cover
                index.setdefault(value, []).append(topic)
        # One expression per topic, compiled in one go: evaluating it is several
        # times faster than walking the tree, and it is built only from integer
        # ids and fixed names, never from query text.
        self._tests = eval(compile("[" + ",\n".join(sources) + "]", "<topics>", "eval"))  # noqa: S307
        self._explain = [self._explanation(tree) for tree in trees.values()]
        self._cover_codes = frozenset(self._cover)
        self._automaton = self._build_automaton()
        self._spaced = spaced_word_chars()

    @classmethod
    def compile(cls, queries: Mapping[str, str]) -> Matcher:
        """Parse and compile ``{topic name: query}``; a bad query raises QueryError naming it."""
        trees = {}
        for name, query in queries.items():
            try:
                trees[name] = parse_query(query)
            except QueryError as error:
                error.topic = name
                raise
        return cls(trees)

    # ------------------------------------------------------------ matching

    def match(self, doc: Document) -> list[TopicMatch]:
        """The topics ``doc`` matches, in the order they were given."""
        title = " " + fold(doc.title) + " "  # padding: every hit has two neighbours
        body = " " + fold(doc.body) + " "
        author = " " + fold(doc.author) + " " if self._uses_author and doc.author else ""
        t, b = self._scan(title), self._scan(body)
        a = t | b
        u = self._scan(author) if author else _EMPTY
        f = self._doc_fields(doc) if self._fields else _EMPTY
        candidates: set[int] = set()
        for code in (a | u if u else a) & self._cover_codes:
            candidates.update(self._cover[code])
        for field in f:
            candidates.update(self._field_cover.get(field, ()))
        if not candidates:
            return []
        x = Positions(self._specs, {"title": title, "body": body, "author": author})
        tests, found = self._tests, []
        for topic in sorted(candidates):
            if tests[topic](a, t, u, f, x):
                found.append(self._explain_match(topic, a, t, u, x))
        return found

    def _scan(self, text: str) -> frozenset[int] | set[int]:
        """Codes of the automaton strings in ``text`` (see the module docstring)."""
        if not self._keys:
            return _EMPTY
        spaced = self._spaced
        # The hot loop of the matcher: one set comprehension, no calls.
        return {
            code + (right_free or text[end + 1] not in spaced)
            for end, (code, length, left_free, right_free) in self._automaton.iter(text)
            if left_free or text[end - length] not in spaced
        }

    def _doc_fields(self, doc: Document) -> frozenset[int]:
        host = fold(doc.site).split(":")[0].rstrip(".")
        labels = host.split(".") if host else []
        wanted = [("site", ".".join(labels[i:])) for i in range(len(labels))]
        wanted.append(("source", fold(doc.source)))
        if doc.lang:
            parts = fold(doc.lang).replace("_", "-").split("-")
            wanted += [("lang", "-".join(parts[: i + 1])) for i in range(len(parts))]
        return frozenset(self._fields[w] for w in wanted if w in self._fields)

    # ------------------------------------------------------------ compiling

    def _key(self, text: str) -> _Key:
        folded = fold(text)
        key = self._keys.get(folded)
        if key is None:
            spaced = spaced_word_chars()
            key = _Key(
                len(self._keys), folded, folded[0] not in spaced, folded[-1] not in spaced
            )
            self._keys[folded] = key
        return key

    def _codes(self, term: Term) -> tuple[int, ...]:
        """Codes meaning ``term`` is present: whole word, or (prefixes) any word start."""
        key = self._key(term.text)
        whole = 2 * key.index + 1
        return (whole - 1, whole) if term.prefix and not key.right_free else (whole,)

    def _build_automaton(self) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for key in self._keys.values():
            value = (2 * key.index, len(key.text), key.left_free, key.right_free)
            automaton.add_word(key.text, value)
        if self._keys:
            automaton.make_automaton()
        return automaton

    def _zone_set(self, field: str | None) -> str:
        if field == "author":
            self._uses_author = True
        return {None: "a", "title": "t", "author": "u"}[field]

    def _presence(self, term: Term, field: str | None) -> str:
        zone = self._zone_set(field)
        return "(" + " or ".join(f"{code} in {zone}" for code in self._codes(term)) + ")"

    def _words(self, node: Term | Phrase) -> tuple[Term, ...]:
        if isinstance(node, Term):
            return (node,)
        return tuple(Term(word) for word in node.words)

    def _positions_spec(self, node: Phrase | Near) -> int:
        if node in self._spec_ids:
            return self._spec_ids[node]
        sides = (node,) if isinstance(node, Phrase) else (node.left, node.right)
        words = tuple(
            tuple((self._key(w.text), w.prefix) for w in self._words(side)) for side in sides
        )
        distance = node.distance if isinstance(node, Near) else 0
        self._specs.append(PositionSpec(_ZONES[sides[0].field], words, distance))
        self._spec_ids[node] = len(self._specs) - 1
        return self._spec_ids[node]

    def _expression(self, node: Node) -> str:
        """Python expression for ``node`` over the code sets a, t, u, field ids f, positions x."""
        if isinstance(node, Term):
            return self._presence(node, node.field)
        if isinstance(node, Phrase | Near):
            sides = (node,) if isinstance(node, Phrase) else (node.left, node.right)
            # All words present (cheap set lookups) before looking at positions.
            present = [self._presence(w, s.field) for s in sides for w in self._words(s)]
            if isinstance(node, Phrase) and len(node.words) == 1:
                return present[0]
            return "(" + " and ".join([*present, f"x.check({self._positions_spec(node)})"]) + ")"
        if isinstance(node, FieldMatch):
            field = self._fields.setdefault((node.field, node.value), len(self._fields))
            return f"({field} in f)"
        if isinstance(node, Not):
            return f"(not {self._expression(node.child)})"
        joiner = " and " if isinstance(node, And) else " or "
        return "(" + joiner.join(self._expression(c) for c in node.children) + ")"  # type: ignore[attr-defined]

    def _cover_of(self, node: Node, positive: bool) -> tuple[float, frozenset] | None:
        """Keys at least one of which every post matching ``node`` contains, and their cost.

        None when a post can match without any (``-word``); the parser refuses
        such queries at the top. Cost estimates how often the keys occur, so a
        topic ``a b`` is indexed under the rarer word only.
        """
        if isinstance(node, Not):
            return self._cover_of(node.child, not positive)
        if isinstance(node, And | Or):
            covers = [self._cover_of(c, positive) for c in node.children]
            if isinstance(node, And) == positive:  # every child must hold: any one's keys do
                known = [c for c in covers if c is not None]
                return min(known, key=lambda c: c[0]) if known else None
            if any(c is None for c in covers):
                return None
            return sum(c[0] for c in covers), frozenset().union(*(c[1] for c in covers))
        if not positive:
            return None
        if isinstance(node, FieldMatch):
            # Fields hold for whole sources; as common as the most common words.
            return 1.0, frozenset([("field", self._fields[node.field, node.value])])
        if isinstance(node, Near):
            sides = (self._cover_of(node.left, True), self._cover_of(node.right, True))
            return min(sides, key=lambda c: c[0])  # type: ignore[index]
        words = self._words(node)  # type: ignore[arg-type]
        return min(
            (
                len(codes) / len(fold(w.text)) ** 2,
                frozenset(("code", code) for code in codes),
            )
            for w in words
            for codes in [self._codes(w)]
        )

    # ------------------------------------------------------------ explaining

    def _explanation(self, tree: Node) -> list[tuple[tuple[str, ...], str | None, tuple, int]]:
        """For each positive literal of a topic: what to show, where, and how to test it."""
        entries = []
        for atom in positive_atoms(tree):
            if isinstance(atom, Term):
                shown = (atom.text + ("*" if atom.prefix else ""),)
                entries.append((shown, atom.field, self._codes(atom), -1))
            elif isinstance(atom, Phrase):
                shown = (" ".join(atom.words),)
                if len(atom.words) == 1:
                    entries.append((shown, atom.field, self._codes(Term(atom.words[0])), -1))
                else:
                    entries.append((shown, atom.field, (), self._positions_spec(atom)))
            elif isinstance(atom, Near):
                shown = tuple(_shown(side) for side in (atom.left, atom.right))
                entries.append((shown, atom.left.field, (), self._positions_spec(atom)))
        return entries

    def _explain_match(
        self, topic: int, a: set[int], t: set[int], u: set[int], x: Positions
    ) -> TopicMatch:
        terms: dict[str, None] = {}
        in_title = False
        for shown, field, codes, spec in self._explain[topic]:
            if spec < 0:
                zone = u if field == "author" else t if field == "title" else a
                holds = any(code in zone for code in codes)
                here = holds and any(code in t for code in codes)
            else:
                holds = x.check(spec)
                here = holds and field != "author" and x.check(spec, ("title",))
            if holds:
                terms.update(dict.fromkeys(shown))
                in_title = in_title or (here and field != "author")
        return TopicMatch(self._names[topic], tuple(terms), in_title)


def _shown(node: Term | Phrase) -> str:
    if isinstance(node, Term):
        return node.text + ("*" if node.prefix else "")
    return " ".join(node.words)


class Tagger:
    """Which companies (yours, competitors) a post mentions, by their names and products."""

    def __init__(self, names: Mapping[str, Iterable[str]]) -> None:
        trees: dict[str, Node] = {}
        for company, terms in names.items():
            phrases = [_name_phrase(company, term) for term in terms]
            if phrases:
                trees[company] = phrases[0] if len(phrases) == 1 else Or(tuple(phrases))
        self._matcher = Matcher(trees)

    def tags(self, doc: Document) -> frozenset[str]:
        """Names of the companies ``doc`` mentions in its title or body, on whole words."""
        return frozenset(m.topic for m in self._matcher.match(doc))


def _name_phrase(company: str, term: str) -> Phrase:
    words = tuple(w.lower() for w in term.split() if has_word_char(fold(w)))
    if not words:
        raise ValueError(f"{company}: {term!r} has no letters or digits to look for")
    return Phrase(words)
