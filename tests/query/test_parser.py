"""The query language: what parses to what, and what is refused with which help."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.match.engine import Document, Matcher
from bot.query.parser import (
    And,
    FieldMatch,
    Near,
    Not,
    Or,
    Phrase,
    QueryError,
    Term,
    describe,
    literal_terms,
    parse_query,
)

VALID = [
    # (query, canonical form)
    ("kubernetes", "kubernetes"),
    ("Kubernetes OUTAGE", "kubernetes outage"),
    ("kubernetes AND outage", "kubernetes outage"),
    ("a OR b", "a OR b"),
    ("a | b|c", "a OR b OR c"),
    ("a b OR c", "(a b) OR c"),
    ("a (b OR c)", "a (b OR c)"),
    ("(kubernetes OR k8s) -hiring", "(kubernetes OR k8s) -hiring"),
    ("a NOT b", "a -b"),
    ("a -b -c", "a -b -c"),
    ("NOT NOT a", "a"),
    ("a --b", "a b"),
    ("a -(b OR c)", "a -(b OR c)"),
    ("((a))", "a"),
    ("(a b) (c d)", "a b c d"),
    ("(a OR b) OR c", "a OR b OR c"),
    ("or and not near", "or and not near"),
    ('"Rate  Limit"', '"rate limit"'),
    ('"foo - bar"', '"foo bar"'),
    ('"kube*"', '"kube*"'),
    ("kube*", "kube*"),
    ("c++ node.js .net e-mail 10:30", "c++ node.js .net e-mail 10:30"),
    ("kubernetes NEAR/3 outage", "kubernetes NEAR/3 outage"),
    ('"rate limit" NEAR/5 api', '"rate limit" NEAR/5 api'),
    ("a NEAR/2 b c", "(a NEAR/2 b) c"),
    ("a NEAR/2 b OR c", "(a NEAR/2 b) OR c"),
    ("-(a NEAR/2 b) c", "-(a NEAR/2 b) c"),
    ("title:kubernetes", "title:kubernetes"),
    ('Title:"Rate Limit"', 'title:"rate limit"'),
    ("title:(a OR b) c", "(title:a OR title:b) c"),
    ("title:(a NEAR/3 b)", "title:a NEAR/3 title:b"),
    ("author:(jane -doe)", "author:jane -author:doe"),
    ("title:(kube* -site:reddit.com)", "title:kube* -site:reddit.com"),
    ("k8s site:Reddit.com.", "k8s site:reddit.com"),
    ("k8s source:HN lang:en_US", "k8s source:hn lang:en-us"),
    ('lang:en "ﬁle system"', 'lang:en "ﬁle system"'),
    ("東京 タワー", "東京 タワー"),
    ("lang:en -k8s", "lang:en -k8s"),
    ("(a OR -b) c", "(a OR -b) c"),
    ("NEARBY", "nearby"),
]


@pytest.mark.parametrize(("query", "expected"), VALID)
def test_valid_query_has_canonical_form(query: str, expected: str) -> None:
    tree = parse_query(query)
    assert describe(tree) == expected
    assert parse_query(describe(tree)) == tree  # the canonical form means the same


def test_tree_shape() -> None:
    assert parse_query('(kubernetes OR k8s*) -title:"we are hiring" site:x.com') == And(
        (
            Or((Term("kubernetes"), Term("k8s", prefix=True))),
            Not(Phrase(("we", "are", "hiring"), "title")),
            FieldMatch("site", "x.com"),
        )
    )
    assert parse_query("a NEAR/4 b") == Near(Term("a"), Term("b"), 4)


def test_precedence_not_near_and_or() -> None:
    # NOT binds tighter than NEAR, which binds tighter than AND, then OR.
    assert parse_query("a b NEAR/2 c OR d") == Or(
        (And((Term("a"), Near(Term("b"), Term("c"), 2))), Term("d"))
    )


def test_literal_terms() -> None:
    tree = parse_query('(Kubernetes OR k8s) "rate limit" kube* -hiring site:x.com k8s')
    assert literal_terms(tree) == ("kubernetes", "k8s", "rate limit", "kube*", "hiring")
    assert literal_terms(tree, positive_only=True) == ("kubernetes", "k8s", "rate limit", "kube*")


INVALID = [
    # (query, position, words of the hint)
    ("", 0, "Type the words"),
    ("   ", 0, "Type the words"),
    ('kubernetes "rate limit', 11, 'Close the quote: add " at the end'),
    ("a OR", 2, "`OR` needs a term on both sides"),
    ("OR a", 0, "`OR` needs a term on both sides"),
    ("a OR OR b", 2, "`OR` needs a term on both sides"),
    ("a | | b", 2, "`OR` needs a term on both sides"),
    ("(a OR) b", 3, "`OR` needs a term on both sides"),
    ("a AND", 2, "`AND` needs a term on both sides"),
    ("a NOT", 2, "to exclude it"),
    ("-foo", 0, "A query made only of exclusions matches nothing: add a term to look for"),
    ("NOT foo", 0, "A query made only of exclusions matches nothing: add a term to look for"),
    ("-a -b", 0, "A query made only of exclusions matches nothing: add a term to look for"),
    ("a OR -b", 5, "Give each side of OR a term"),
    ("- a", 0, "no space"),
    ("(a b", 0, "Add )"),
    ("a (b (c)", 2, "Add )"),
    ("a) b", 1, "Remove it, or add ("),
    ("()", 0, "Put terms inside"),
    ("foo:bar", 0, "Known fields are title:, author:, site:, source:, lang:"),
    ("title: foo", 6, "with no space"),
    ("title:-foo", 6, "-title:foo"),
    ("title:author:x", 6, "Remove one of the fields"),
    ("author:(title:x)", 7, "Split the group"),
    ("site:(a.com b.com)", 5, "site:a OR site:b"),
    ("site:reddit.com/r/x", 5, "paths are not supported"),
    ("lang:english", 5, "lang:en"),
    ("a NEAR/x b", 2, "NEAR/5"),
    ("a NEAR b", 2, "NEAR/5"),
    ("a NEAR/0 b", 2, "from 1"),
    ("a NEAR/101 b", 2, "to 100 words"),
    ("a NEAR/3", 2, "on both sides"),
    ("a NEAR/3 -b", 9, "Group around it"),
    ("a NEAR/3 (b c)", 9, "Group around it"),
    ("a NEAR/3 b NEAR/3 c", 11, "Combine with AND"),
    ("title:a NEAR/3 b", 8, "same field"),
    ("a NEAR/3 site:x.com", 9, "Group around it"),
    ("k*", 0, "more of the word"),
    ("ku*be", 2, "Write kube*"),
    ("©", 0, "Remove it"),
    ('"-- ,"', 0, "Put words between the quotes"),
    ("x" * 1001, 1000, "split it into several topics"),
    ("(" * 33 + "a" + ")" * 33, 32, "Remove redundant parentheses"),
    ("-" * 40 + "a", 32, "Remove redundant parentheses"),
]


@pytest.mark.parametrize(("query", "position", "hint"), INVALID)
def test_invalid_query_says_where_and_what_to_do(query: str, position: int, hint: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.position == position
    assert hint in caught.value.hint
    assert caught.value.query == query


def test_error_renders_query_with_caret_and_hint() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query('kubernetes "rate limit')
    assert str(caught.value) == (
        "This quote is never closed (at character 12)\n"
        '  kubernetes "rate limit\n'
        "             ^\n"
        'Close the quote: add " at the end'
    )


def test_error_caret_counts_wide_characters_and_clips_long_queries() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("東京 OR")
    assert str(caught.value).splitlines()[1:3] == ["  東京 OR", "       ^"]
    with pytest.raises(QueryError) as caught:
        parse_query("a " * 200 + "foo:bar " + "b " * 200)
    query_line, caret_line = str(caught.value).splitlines()[1:3]
    assert query_line.startswith("  …") and query_line.endswith("…")
    assert query_line[caret_line.index("^") :].startswith("foo:bar")


def test_unknown_field_lists_known_fields() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("kubernetes foo:bar")
    assert "Unknown field `foo:`" in str(caught.value)
    assert "title:, author:, site:, source:, lang:" in str(caught.value)


QUERY_CHARS = st.sampled_from(list('ab东 ()"|-*:/NEAROTDtilesu.19\t') + ["OR", "AND", "NOT"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(QUERY_CHARS, max_size=30).map("".join)))
def test_parser_raises_only_query_error(text: str) -> None:
    try:
        tree = parse_query(text)
    except QueryError as error:
        assert 0 <= error.position <= max(len(text), 1000)
        assert str(error)
    else:
        assert parse_query(describe(tree)) == tree
        Matcher({"topic": tree}).match(Document(text, text))  # whatever parses, matches
