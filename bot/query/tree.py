"""The query tree: immutable nodes, their canonical text, and the walks the matcher needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


class Node:
    """Base of every query tree node; nodes are frozen and compare by value."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Term(Node):
    """One word as written (lower-cased); ``prefix`` for ``word*``."""

    text: str
    field: str | None = None  # None (title or body), "title" or "author"
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Phrase(Node):
    """Words that must follow each other, punctuation between them ignored."""

    words: tuple[str, ...]
    field: str | None = None


@dataclass(frozen=True, slots=True)
class FieldMatch(Node):
    """``site:``, ``source:`` or ``lang:``: a property of the post, not its text."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class Near(Node):
    """Two terms or phrases at most ``distance`` words apart, in either order."""

    left: Term | Phrase
    right: Term | Phrase
    distance: int


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node


def matches_empty_post(node: Node) -> bool:
    """Whether the query is true for a post in which none of its terms or fields holds."""
    if isinstance(node, Not):
        return not matches_empty_post(node.child)
    if isinstance(node, And):
        return all(matches_empty_post(c) for c in node.children)
    if isinstance(node, Or):
        return any(matches_empty_post(c) for c in node.children)
    return False


def positive_atoms(node: Node, positive: bool = True) -> Iterator[Node]:
    """Atoms (terms, phrases, NEAR, fields) under an even number of negations."""
    if isinstance(node, Not):
        yield from positive_atoms(node.child, not positive)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from positive_atoms(child, positive)
    elif positive:
        yield node


# ---------------------------------------------------------------- rendering


def describe(node: Node) -> str:
    """Canonical text of a query tree; ``parse_query(describe(t)) == t``."""
    if isinstance(node, Term):
        return _field_prefix(node.field) + node.text + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return _field_prefix(node.field) + '"' + " ".join(node.words) + '"'
    if isinstance(node, FieldMatch):
        return f"{node.field}:{node.value}"
    if isinstance(node, Near):
        return f"{describe(node.left)} NEAR/{node.distance} {describe(node.right)}"
    if isinstance(node, Not):
        inner = describe(node.child)
        return "-" + (inner if isinstance(node.child, Term | Phrase | FieldMatch) else f"({inner})")
    if isinstance(node, And):
        return " ".join(_grouped(c, (Or, Near)) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(_grouped(c, (And, Near)) for c in node.children)
    raise TypeError(f"not a query node: {node!r}")


def _field_prefix(field: str | None) -> str:
    return f"{field}:" if field else ""


def _grouped(node: Node, kinds: tuple[type, ...]) -> str:
    # Parentheses even where precedence makes them optional (a NEAR b inside
    # AND): the canonical form is read by people.
    text = describe(node)
    return f"({text})" if isinstance(node, kinds) else text


def literal_terms(node: Node, positive_only: bool = False) -> tuple[str, ...]:
    """Words (``kube*`` for prefixes) and phrases of a query, lower-cased, without repeats.

    ``positive_only`` leaves out terms that are excluded (``-word``, ``NOT word``).
    """
    atoms = positive_atoms(node) if positive_only else all_atoms(node)
    found: dict[str, None] = {}
    for atom in atoms:
        for part in (atom.left, atom.right) if isinstance(atom, Near) else (atom,):
            if isinstance(part, Term):
                found[part.text + ("*" if part.prefix else "")] = None
            elif isinstance(part, Phrase):
                found[" ".join(part.words)] = None
    return tuple(found)


def all_atoms(node: Node) -> Iterator[Node]:
    """Every term, phrase, field match and NEAR of the tree, negated ones too."""
    if isinstance(node, Not):
        yield from all_atoms(node.child)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from all_atoms(child)
    else:
        yield node
