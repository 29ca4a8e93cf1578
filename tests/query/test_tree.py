"""The query tree: canonical text that parses back to the same tree, what an empty post
matches, and the atoms and literal terms the matcher and the preview use."""

from __future__ import annotations

import pytest

from bot.query.parser import parse_query
from bot.query.tree import (
    And,
    FieldMatch,
    Near,
    Not,
    Or,
    Phrase,
    Term,
    describe,
    literal_terms,
    matches_empty_post,
    positive_atoms,
)

K8S = Term("kubernetes")
HIRING = Term("hiring")


def test_describe_writes_the_canonical_form() -> None:
    tree = And(
        (
            Or((K8S, Term("kube", prefix=True))),
            Not(HIRING),
            Not(Or((Term("jobs"), Term("career")))),
            Near(Phrase(("rate", "limit")), Term("api", field="title"), 5),
            FieldMatch("site", "reddit.com"),
        )
    )
    assert describe(tree) == (
        '(kubernetes OR kube*) -hiring -(jobs OR career) ("rate limit" NEAR/5 title:api) '
        "site:reddit.com"
    )


@pytest.mark.parametrize(
    "query",
    [
        "kubernetes",
        '(kubernetes OR k8s) -hiring title:"rate limit"',
        "a NEAR/3 b OR c",
        "-(jobs OR career) lang:en source:hn author:dhh kube*",
    ],
)
def test_the_canonical_form_parses_back_to_the_same_tree(query: str) -> None:
    tree = parse_query(query)
    assert parse_query(describe(tree)) == tree


def test_describe_refuses_what_is_not_a_node() -> None:
    with pytest.raises(TypeError, match="not a query node"):
        describe("kubernetes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        (K8S, False),
        (Not(HIRING), True),  # a query of exclusions only matches every post
        (And((Not(HIRING), Not(Term("jobs")))), True),
        (And((K8S, Not(HIRING))), False),
        (Or((K8S, Not(HIRING))), True),
        (Not(Not(K8S)), False),
    ],
)
def test_matches_empty_post(tree, expected: bool) -> None:
    assert matches_empty_post(tree) is expected


def test_positive_atoms_skip_what_is_excluded_an_odd_number_of_times() -> None:
    site = FieldMatch("site", "hn")
    tree = And((K8S, Not(Or((HIRING, Not(site))))))
    assert list(positive_atoms(tree)) == [K8S, site]


def test_literal_terms_lower_case_without_repeats() -> None:
    tree = parse_query('Kubernetes OR kube* OR "Rate Limit" -hiring (a NEAR/2 b) kubernetes')
    assert literal_terms(tree) == ("kubernetes", "kube*", "rate limit", "hiring", "a", "b")
    assert "hiring" not in literal_terms(tree, positive_only=True)
