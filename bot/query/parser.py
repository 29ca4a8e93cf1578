"""The topic query language: search-engine syntax parsed into an immutable tree.

Grammar, loosest binding first (``OR`` < ``AND`` < ``NEAR`` < ``NOT``)::

    query  := or
    or     := and (("OR" | "|") and)*
    and    := near (["AND"] near)*            adjacent terms are ANDed
    near   := unary ["NEAR/n" unary]          two terms or phrases, n words apart
    unary  := ("NOT" | "-") unary | primary
    primary:= "(" or ")" | [field ":"] (word | "phrase" | "(" or ")")

Keywords are uppercase; lowercase ``or``/``and``/``not``/``near`` are ordinary
words. A bare word keeps its punctuation (``c++``, ``node.js``, ``.net``) and may
end in ``*`` to match words starting with it. Every term is matched
case-insensitively on whole words; what a word is lives in :mod:`bot.match.words`.
"""

from __future__ import annotations

from bot.match.words import fold, has_word_char
from bot.query.errors import QueryError
from bot.query.tokens import DOC_FIELDS, FIELDS, Token, field_match, tokenize
from bot.query.tree import (
    And,
    FieldMatch,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    describe,
    literal_terms,
    matches_empty_post,
    positive_atoms,
)

__all__ = [
    "FIELDS",
    "And",
    "FieldMatch",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QueryError",
    "Term",
    "describe",
    "literal_terms",
    "parse_query",
]

MAX_LENGTH = 1000
MAX_DEPTH = 32


# ---------------------------------------------------------------- parser


def parse_query(text: str) -> Node:
    """Parse a topic query; raise :class:`QueryError` (and nothing else) if it is not valid."""
    try:
        return _Parser(text).parse()
    except QueryError as error:
        error.query = text
        raise


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.i = 0
        self.depth = 0
        self.open_parens: list[int] = []
        # Where each node started, for errors found after the node was built.
        self.positions: dict[int, int] = {}

    def parse(self) -> Node:
        if len(self.text) > MAX_LENGTH:
            raise QueryError(
                f"The query is {len(self.text):,} characters long; the limit is {MAX_LENGTH:,}",
                MAX_LENGTH,
                "Shorten it, or split it into several topics",
            )
        self.tokens = tokenize(self.text)
        if not self.tokens:
            raise QueryError(
                "The query is empty", 0, "Type the words to look for, e.g. kubernetes outage"
            )
        node = self.parse_or()
        token = self.peek()
        if token is not None:  # only a stray ")" can stop parse_or early
            raise QueryError(
                "This `)` has no matching `(`",
                token.pos,
                "Remove it, or add ( where the group starts",
            )
        self.check_has_positive_term(node)
        return node

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at_operand(self) -> bool:
        token = self.peek()
        return token is not None and token.kind not in (")", "OR", "AND", "NEAR")

    def need_operand(self, operator: Token, hint: str) -> None:
        if not self.at_operand():
            name = "NEAR/n" if operator.kind == "NEAR" else operator.text
            raise QueryError(f"`{name}` is missing a term", operator.pos, hint)

    def built(self, node: Node, pos: int) -> Node:
        self.positions.setdefault(id(node), pos)
        return node

    def parse_or(self) -> Node:
        start = self.peek().pos if self.peek() else len(self.text)
        children = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            self.need_operand(token, "`OR` needs a term on both sides")
            children.append(self.parse_and())
        return self.built(_combine(Or, children), start)

    def parse_and(self) -> Node:
        start = self.peek().pos if self.peek() else len(self.text)
        children = [self.parse_near()]
        while (token := self.peek()) is not None and token.kind not in (")", "OR"):
            if token.kind == "AND":
                self.take()
                self.need_operand(token, "`AND` needs a term on both sides")
            children.append(self.parse_near())
        return self.built(_combine(And, children), start)

    def parse_near(self) -> Node:
        left = self.parse_unary()
        token = self.peek()
        if token is None or token.kind != "NEAR":
            return left
        self.take()
        hint = "NEAR/n needs a term or phrase on both sides, e.g. kubernetes NEAR/3 outage"
        self.need_operand(token, hint)
        right = self.parse_unary()
        for side in (left, right):
            if not isinstance(side, Term | Phrase):
                raise QueryError(
                    "NEAR/n compares two terms or phrases",
                    self.positions.get(id(side), token.pos),
                    "Group around it instead, e.g. (kubernetes NEAR/3 outage) -hiring",
                )
        if left.field != right.field:
            raise QueryError(
                "Both sides of NEAR/n must look in the same place",
                token.pos,
                "Give both sides the same field, e.g. title:(kubernetes NEAR/3 outage)",
            )
        if (after := self.peek()) is not None and after.kind == "NEAR":
            raise QueryError(
                "NEAR/n joins exactly two terms",
                after.pos,
                "Combine with AND instead, e.g. (a NEAR/3 b) (b NEAR/3 c)",
            )
        return self.built(Near(left, right, token.value), self.positions[id(left)])

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None or token.kind not in ("NOT", "-"):
            return self.parse_primary()
        self.take()
        self.need_operand(token, "Write NOT word (or -word) to exclude it")
        self.enter(token)
        child = self.parse_unary()
        self.depth -= 1
        # NOT NOT x is x: keeps the tree canonical.
        node = child.child if isinstance(child, Not) else Not(child)
        return self.built(node, token.pos)

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                f"The query nests more than {MAX_DEPTH} levels deep",
                token.pos,
                "Remove redundant parentheses or negations",
            )

    def parse_primary(self) -> Node:
        token = self.peek()
        if token is None:
            # Only reachable inside a group: every operator checks its operand.
            raise QueryError(
                "This `(` is never closed",
                self.open_parens[-1] if self.open_parens else len(self.text),
                "Add ) where the group ends, or remove the (",
            )
        if token.kind in ("OR", "AND", "NEAR"):
            name = "NEAR/n" if token.kind == "NEAR" else token.text
            raise QueryError(
                f"`{name}` is missing a term", token.pos, f"`{name}` needs a term on both sides"
            )
        if token.kind == ")":
            raise QueryError(
                "This `)` has no matching `(`",
                token.pos,
                "Remove it, or add ( where the group starts",
            )
        self.take()
        if token.kind == "(":
            group = self.parse_group(token)
            self.positions[id(group)] = token.pos  # blame "(", not the first term inside
            return group
        if token.kind == "word":
            return self.built(_term(token), token.pos)
        if token.kind == "phrase":
            return self.built(_phrase(token), token.pos)
        return self.built(self.parse_field(token), token.pos)

    def parse_group(self, opening: Token) -> Node:
        self.enter(opening)
        self.open_parens.append(opening.pos)
        following = self.peek()
        if following is not None and following.kind == ")":
            raise QueryError("Empty parentheses", opening.pos, "Put terms inside, or remove them")
        node = self.parse_or()
        if self.peek() is None:  # parse_or stops only at ")" or at the end
            raise QueryError(
                "This `(` is never closed",
                opening.pos,
                "Add ) where the group ends, or remove the (",
            )
        self.take()
        self.open_parens.pop()
        self.depth -= 1
        return node

    def parse_field(self, field: Token) -> Node:
        name = field.text
        token = self.take()  # the tokenizer guarantees a word, phrase or "(" follows
        if name in DOC_FIELDS:
            if token.kind == "(":
                raise QueryError(
                    f"`{name}:` takes a single value",
                    token.pos,
                    f"Repeat the field instead: {name}:a OR {name}:b",
                )
            return field_match(name, token)
        if token.kind == "(":
            group = self.parse_group(token)
            return _with_field(group, name, token.pos)
        node = _term(token) if token.kind == "word" else _phrase(token)
        return _with_field(node, name, token.pos)

    def check_has_positive_term(self, node: Node) -> None:
        """Refuse queries that would match a post containing none of their terms.

        The matcher only looks at a topic when one of its terms or fields is
        present, so this is also what makes that shortcut exact.
        """
        if not matches_empty_post(node):
            return
        culprit, pos = node, self.positions.get(id(node), 0)
        while isinstance(culprit, And | Or):  # find the smallest part to blame
            culprit = next(c for c in culprit.children if matches_empty_post(c))
            pos = self.positions.get(id(culprit), pos)
        if culprit is node or not any(positive_atoms(node)):
            raise QueryError(
                "This query only excludes",
                pos,
                "A query made only of exclusions matches nothing: add a term to look for",
            )
        raise QueryError(
            "This part only excludes, so the query would match almost every post",
            pos,
            "Give each side of OR a term to look for, e.g. kubernetes OR (k8s -hiring)",
        )


def _combine(kind: type[And | Or], children: list[Node]) -> Node:
    if len(children) == 1:
        return children[0]
    flat: list[Node] = []
    for child in children:  # (a b) c is a b c: one canonical shape per meaning
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return kind(tuple(flat))


def _term(token: Token) -> Term:
    word = token.text
    prefix = word.endswith("*")
    stem = word[:-1] if prefix else word
    if "*" in stem:
        raise QueryError(
            "`*` only works at the end of a word",
            token.pos + stem.index("*"),
            "Write kube* to match kubernetes, kubectl, …",
        )
    if prefix and len(stem) < 2:
        raise QueryError(
            "A prefix needs at least 2 characters before `*`",
            token.pos,
            "Write more of the word, e.g. ku*",
        )
    if not has_word_char(fold(stem)):
        raise QueryError(
            f"`{stem}` has no letters or digits to look for",
            token.pos,
            "Remove it, or quote it together with a word",
        )
    return Term(stem.lower(), None, prefix)


def _phrase(token: Token) -> Phrase:
    # Punctuation between words is ignored when matching, so a "word" made only
    # of punctuation ("foo - bar") adds nothing.
    words = tuple(w.lower() for w in token.text.split() if has_word_char(fold(w)))
    if not words:
        raise QueryError(
            "These quotes hold no words to look for",
            token.pos,
            "Put words between the quotes, or remove them",
        )
    return Phrase(words)


def _with_field(node: Node, name: str, pos: int) -> Node:
    """Apply ``title:``/``author:`` to every term of a group."""
    if isinstance(node, Term | Phrase):
        if node.field not in (None, name):
            raise QueryError(
                f"A term can't be in both {node.field}: and {name}:",
                pos,
                "Split the group, e.g. title:a author:b",
            )
        if isinstance(node, Term):
            return Term(node.text, name, node.prefix)
        return Phrase(node.words, name)
    if isinstance(node, Near):
        left, right = _with_field(node.left, name, pos), _with_field(node.right, name, pos)
        return Near(left, right, node.distance)  # type: ignore[arg-type]
    if isinstance(node, And | Or):
        return type(node)(tuple(_with_field(c, name, pos) for c in node.children))
    if isinstance(node, Not):
        return Not(_with_field(node.child, name, pos))
    return node  # site:/source:/lang: describe the post, whatever the text field
