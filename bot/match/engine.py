"""Find which topics a post is relevant to, for every topic at once.

How it stays fast with many topics:

1. Every literal of every topic (words, prefix stems, phrases) goes into ONE
   Aho-Corasick automaton, written the way :class:`bot.match.words.BoundarySpacer`
   writes texts: word boundaries are spaces, so " go " never fires inside
   "google" and no hit needs checking. A post's title and body are folded,
   spaced and scanned once each; each hit is a *code* (``2 * key + 1`` whole
   word, ``2 * key`` word start, then phrase codes).
2. Each topic is indexed under a few codes (or ``site:``/``source:``/``lang:``
   values) at least one of which any matching post must contain, chosen from
   the query tree. Only topics whose codes were seen are evaluated, so the cost
   follows the text, not the number of topics.
3. A topic's tree is compiled to one Python expression over the sets of codes
   seen. Phrases and ``NEAR/n`` look at positions only when the scan could not
   settle them (see :mod:`bot.match.positions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ahocorasick

from bot.match.explain import Literal, shown_text
from bot.match.positions import Positions, PositionSpec, Side
from bot.match.words import BoundarySpacer, char_kind, fold, spaced_word_chars
from bot.query.parser import QueryError, parse_query
from bot.query.tree import And, FieldMatch, Near, Node, Not, Or, Phrase, Term, positive_atoms

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
    """One literal string of the queries, folded; looked for as a whole word, a word start, or both."""

    index: int
    text: str
    right_free: bool  # ends in punctuation or an unspaced script: whole and prefix coincide
    whole: bool = False
    prefix: bool = False


class Matcher:
    """Every topic's query compiled together; :meth:`match` a post against all of them."""

    def __init__(self, trees: Mapping[str, Node]) -> None:
        self._names = list(trees)
        self._keys: dict[str, _Key] = {}
        self._fields: dict[tuple[str, str], int] = {}  # (field, value) -> field id
        self._fields_seen: dict[tuple[str, str, str | None], frozenset[int]] = {}
        self._uses_author = False
        # Phrases of plain words -> (code when the words are one space apart, codes
        # of words next to punctuation, which may hide the phrase: see _build_automaton).
        self._phrase_codes: dict[tuple[str, ...], tuple[int, tuple[tuple[int, ...], ...]]] = {}
        for tree in trees.values():
            self._collect(tree)
        self._aliases: dict[int, list[int]] = {}
        self._spacer, self._automaton = self._build_automaton()
        self._specs: list[PositionSpec] = []  # phrases and NEARs, by id
        self._spec_ids: dict[Node, int] = {}
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
        self._cover_codes = frozenset(self._cover)
        # One expression per topic, compiled in one go: evaluating it is several
        # times faster than walking the tree, and it is built only from integer
        # ids and fixed names, never from query text.
        self._tests = eval(compile("[" + ",\n".join(sources) + "]", "<topics>", "eval"))
        self._explain = [self._explanation(tree) for tree in trees.values()]

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
        # Written flat on purpose: this runs for every post.
        spaced, scan = self._spacer.text, self._scan
        # The outer spaces let a word at either end be found as " word ".
        title = spaced(" " + fold(doc.title) + " ")
        body = spaced(" " + fold(doc.body) + " ")
        if self._aliases or not self._searching:
            t, b = scan(title), scan(body)
        else:  # scan() inlined: the hot loop, every hit real (see BoundarySpacer)
            hits = self._automaton.iter
            t = {code for _, code in hits(title)}
            b = {code for _, code in hits(body)}
        a = t | b
        if self._uses_author and doc.author:
            author = spaced(" " + fold(doc.author) + " ")
            u = scan(author)
            keys = (a | u) & self._cover_codes
        else:
            author, u, keys = "", _EMPTY, a & self._cover_codes
        f = self._fields_seen.get((doc.site, doc.source, doc.lang)) or self._doc_fields(doc)
        cover, candidates = self._cover, set()
        for code in keys:
            candidates.update(cover[code])
        for field in f:
            candidates.update(self._field_cover.get(field, ()))
        if not candidates:
            return []
        x = Positions(self._specs, {"title": title, "body": body, "author": author})
        tests = self._tests
        return [
            self._explain_match(topic, a, t, u, x)
            for topic in sorted(candidates)
            if tests[topic](a, t, u, f, x)
        ]

    def _scan(self, spaced: str) -> frozenset[int] | set[int]:
        """Codes of the terms in ``spaced`` text: ``2 * key + 1`` whole word, ``2 * key`` start."""
        if not self._searching:
            return _EMPTY
        # The hot loop: every hit is a real one (see BoundarySpacer), nothing to check.
        found = {code for _, code in self._automaton.iter(spaced)}
        if self._aliases:
            for code in self._aliases.keys() & found:
                found.update(self._aliases[code])
        return found

    def _doc_fields(self, doc: Document) -> frozenset[int]:
        """Ids of the site:/source:/lang: values ``doc`` has; posts of one feed share them."""
        cache_key = (doc.site, doc.source, doc.lang)
        found = self._fields_seen.get(cache_key)
        if found is not None:
            return found
        host = fold(doc.site).split(":")[0].rstrip(".")
        labels = host.split(".") if host else []
        wanted = [("site", ".".join(labels[i:])) for i in range(len(labels))]
        wanted.append(("source", fold(doc.source)))
        if doc.lang:
            parts = fold(doc.lang).replace("_", "-").split("-")
            wanted += [("lang", "-".join(parts[: i + 1])) for i in range(len(parts))]
        found = frozenset(self._fields[w] for w in wanted if w in self._fields)
        if len(self._fields_seen) >= 4096:  # bounded: hosts are unbounded
            self._fields_seen.clear()
        self._fields_seen[cache_key] = found
        return found

    # ------------------------------------------------------------ compiling

    def _collect(self, node: Node) -> None:
        """Register the literals and fields of a tree, and how each literal is looked for."""
        if isinstance(node, Not):
            self._collect(node.child)
        elif isinstance(node, And | Or):
            for child in node.children:
                self._collect(child)
        elif isinstance(node, FieldMatch):
            self._fields.setdefault((node.field, node.value), len(self._fields))
        else:
            for side in (node.left, node.right) if isinstance(node, Near) else (node,):
                self._uses_author = self._uses_author or side.field == "author"  # type: ignore[union-attr]
            if isinstance(node, Phrase) and len(node.words) > 1:
                words = _folded(node)
                if all(ch in spaced_word_chars() for word in words for ch in word):
                    # Found as a whole (see _build_automaton): its words need no
                    # codes of their own, which spares the scan their hits.
                    self._phrase_codes[words] = (0, ())  # numbered with the automaton
                    return
            for side in (node.left, node.right) if isinstance(node, Near) else (node,):
                for word in _words(side):  # type: ignore[arg-type]
                    key = self._key(word.text)
                    if word.prefix and not key.right_free:
                        key.prefix = True
                    else:
                        key.whole = True

    def _key(self, text: str) -> _Key:
        folded = fold(text)
        key = self._keys.get(folded)
        if key is None:
            key = _Key(len(self._keys), folded, char_kind(folded[-1]) != "spaced")
            self._keys[folded] = key
        return key

    def _codes(self, term: Term) -> tuple[int, ...]:
        """Codes meaning ``term`` is present: whole word, or (prefixes) any word start."""
        key = self._keys[fold(term.text)]
        whole = 2 * key.index + 1
        return (whole - 1, whole) if term.prefix and not key.right_free else (whole,)

    def _build_automaton(self) -> tuple[BoundarySpacer, ahocorasick.Automaton]:
        kept = "".join(
            ch
            for ch in set("".join(self._keys)) - spaced_word_chars()
            if char_kind(ch) == "other" and not ch.isspace()
        )
        spacer = BoundarySpacer(kept)
        automaton, codes = ahocorasick.Automaton(), {}

        def add(pattern: str, code: int, share: bool = False) -> int:
            if pattern not in codes:
                codes[pattern] = code
                automaton.add_word(pattern, code)
            elif share:
                return codes[pattern]
            else:  # two literals that look the same once spaced: both are seen
                self._aliases.setdefault(codes[pattern], []).append(code)
            return code

        for key in self._keys.values():
            if key.whole:
                add(spacer.term(key.text, True), 2 * key.index + 1)
            if key.prefix:
                add(spacer.term(key.text, False), 2 * key.index)
        # A phrase of plain words is usually found whole: " rate limit ". Otherwise
        # one of its words is followed by a second space or kept punctuation (what
        # "rate, limit" becomes), and only then are positions worth looking at.
        next_code = 2 * len(self._keys)
        gaps = (" ", *spacer.kept)
        for words in self._phrase_codes:
            whole = add(" " + " ".join(words) + " ", next_code)
            before, after = [], []  # a word then a broken gap; a broken gap then a word
            for word in words[:-1]:
                for gap in gaps:
                    next_code += 1
                    before.append(add(f" {word} {gap}", next_code, share=True))
            for word in words[1:]:
                for gap in gaps:
                    next_code += 1
                    after.append(add(f"{gap} {word} ", next_code, share=True))
            self._phrase_codes[words] = (whole, (tuple(before), tuple(after)))
            next_code += 1
        self._searching = bool(codes)
        if codes:
            automaton.make_automaton()
        return spacer, automaton

    def _presence(self, term: Term, field: str | None) -> str:
        zone = {None: "a", "title": "t", "author": "u"}[field]
        return "(" + " or ".join(f"{code} in {zone}" for code in self._codes(term)) + ")"

    def _positions_spec(self, node: Phrase | Near) -> int:
        if node not in self._spec_ids:
            nodes = (node,) if isinstance(node, Phrase) else (node.left, node.right)
            sides = tuple(
                Side.of([(fold(w.text), w.prefix) for w in _words(n)], self._spacer) for n in nodes
            )
            distance = node.distance if isinstance(node, Near) else 0
            self._specs.append(PositionSpec(_ZONES[nodes[0].field], sides, distance))
            self._spec_ids[node] = len(self._specs) - 1
        return self._spec_ids[node]

    def _expression(self, node: Node) -> str:
        """Python expression for ``node`` over the code sets a, t, u, field ids f, positions x."""
        if isinstance(node, Term):
            return self._presence(node, node.field)
        if isinstance(node, Phrase) and (codes := self._phrase_codes.get(_folded(node))):
            zone = {None: "a", "title": "t", "author": "u"}[node.field]
            broken = [" or ".join(f"{code} in {zone}" for code in group) for group in codes[1]]
            check = f"x.check({self._positions_spec(node)})"
            return f"({codes[0]} in {zone} or (({broken[0]}) and ({broken[1]}) and {check}))"
        if isinstance(node, Phrase | Near):
            sides = (node,) if isinstance(node, Phrase) else (node.left, node.right)
            # All words present (cheap set lookups) before looking at positions.
            present = [self._presence(w, s.field) for s in sides for w in _words(s)]
            if isinstance(node, Phrase) and len(node.words) == 1:
                return present[0]
            return "(" + " and ".join([*present, f"x.check({self._positions_spec(node)})"]) + ")"
        if isinstance(node, FieldMatch):
            return f"({self._fields[node.field, node.value]} in f)"
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
        if isinstance(node, Phrase) and (codes := self._phrase_codes.get(_folded(node))):
            phrase = (codes[0], *codes[1][0])
            return len(phrase) / len(" ".join(node.words)) ** 2, frozenset(
                ("code", c) for c in phrase
            )
        words = _words(node)  # type: ignore[arg-type]
        return min(
            (
                len(codes) / len(fold(w.text)) ** 2,
                frozenset(("code", code) for code in codes),
            )
            for w in words
            for codes in [self._codes(w)]
        )

    # ------------------------------------------------------------ explaining

    def _explanation(self, tree: Node) -> list[Literal]:
        """The positive literals of a topic: what to show, and how to tell they are there."""
        entries = []
        for atom in positive_atoms(tree):
            if isinstance(atom, Term) or (isinstance(atom, Phrase) and len(atom.words) == 1):
                term = atom if isinstance(atom, Term) else Term(atom.words[0])
                entries.append(Literal((shown_text(atom),), atom.field, self._codes(term)))
            elif isinstance(atom, Phrase):
                spec = self._positions_spec(atom)
                codes = self._phrase_codes.get(_folded(atom))
                if codes is None:
                    entries.append(Literal((shown_text(atom),), atom.field, (), None, spec))
                else:
                    entries.append(
                        Literal((shown_text(atom),), atom.field, codes[:1], codes[1], spec)
                    )
            elif isinstance(atom, Near):
                shown = (shown_text(atom.left), shown_text(atom.right))
                spec = self._positions_spec(atom)
                entries.append(Literal(shown, atom.left.field, (), None, spec))
        return entries

    def _explain_match(
        self, topic: int, a: set[int], t: set[int], u: set[int], x: Positions
    ) -> TopicMatch:
        terms: dict[str, None] = {}
        in_title = False
        for literal in self._explain[topic]:
            zone = u if literal.field == "author" else t if literal.field == "title" else a
            if literal.found(zone, x, None):
                terms.update(dict.fromkeys(literal.shown))
                if not in_title and literal.field != "author":
                    in_title = literal.found(t, x, ("title",))
        return TopicMatch(self._names[topic], tuple(terms), in_title)


def _folded(phrase: Phrase) -> tuple[str, ...]:
    return tuple(fold(word) for word in phrase.words)


def _words(node: Term | Phrase) -> tuple[Term, ...]:
    if isinstance(node, Term):
        return (node,)
    return tuple(Term(word) for word in node.words)
