"""tokenize: words, phrases, operators, NEAR distances and fields; the errors a person gets for
a dangling quote or minus, a bad distance, an unknown or empty field; field values checked."""

from __future__ import annotations

import pytest

from bot.query.errors import QueryError
from bot.query.tokens import MAX_NEAR, Token, field_match, tokenize
from bot.query.tree import FieldMatch


def kinds(query: str) -> list[tuple[str, str, int]]:
    return [(t.kind, t.text, t.pos) for t in tokenize(query)]


def test_words_phrases_and_operators_with_their_positions() -> None:
    assert kinds('(k8s | "rate limit") AND -hiring NOT x OR y') == [
        ("(", "(", 0),
        ("word", "k8s", 1),
        ("OR", "|", 5),
        ("phrase", "rate limit", 7),
        (")", ")", 19),
        ("AND", "AND", 21),
        ("-", "-", 25),
        ("word", "hiring", 26),
        ("NOT", "NOT", 33),
        ("word", "x", 37),
        ("OR", "OR", 39),
        ("word", "y", 42),
    ]


def test_lower_case_operators_are_words() -> None:
    assert [t.kind for t in tokenize("a or b and not c near d")] == ["word"] * 8


def test_near_carries_its_distance() -> None:
    assert tokenize("a NEAR/5 b")[1] == Token("NEAR", "NEAR/5", 2, 5)


def test_fields_split_into_the_field_and_its_value() -> None:
    assert kinds("Title:kubernetes site:reddit.com") == [
        ("field", "title", 0),
        ("word", "kubernetes", 6),
        ("field", "site", 17),
        ("word", "reddit.com", 22),
    ]
    assert kinds('title:"rate limit"') == [("field", "title", 0), ("phrase", "rate limit", 6)]


@pytest.mark.parametrize(
    ("query", "message", "position", "hint"),
    [
        ('k8s "rate limit', "This quote is never closed", 4, 'add " at the end'),
        ("k8s - hiring", "`-` needs a term right after it", 4, "Write -word with no space"),
        ("k8s -", "`-` needs a term right after it", 4, "remove the -"),
        ("a NEAR b", "`NEAR` is not a distance", 2, "e.g. NEAR/5"),
        ("a NEAR/x b", "`NEAR/x` is not a distance", 2, '"near" in lowercase'),
        ("a NEAR/0 b", "NEAR/0 is out of range", 2, f"from 1 (next to each other) to {MAX_NEAR}"),
        (f"a NEAR/{MAX_NEAR + 1} b", f"NEAR/{MAX_NEAR + 1} is out of range", 2, "words"),
        ("body:k8s", "Unknown field `body:`", 0, 'quote it: "body:k8s"'),
        ("site: reddit.com", "`site:` needs a value right after it", 5, "site:reddit.com"),
        ("title:-hiring", "`title:-…` puts the exclusion inside the field", 6, "-title:hiring"),
        ("title:author:dhh", "A term can have only one field", 6, "Remove one of the fields"),
    ],
)
def test_mistakes_say_where_and_what_to_do(
    query: str, message: str, position: int, hint: str
) -> None:
    with pytest.raises(QueryError) as error:
        tokenize(query)
    assert error.value.message == message
    assert error.value.position == position
    assert hint in error.value.hint


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("site", "Old.Reddit.com.", FieldMatch("site", "old.reddit.com")),
        ("lang", "pt_BR", FieldMatch("lang", "pt-br")),
        ("source", "HN", FieldMatch("source", "hn")),
    ],
)
def test_field_values_are_normalized(name: str, value: str, expected: FieldMatch) -> None:
    assert field_match(name, Token("word", value, 5)) == expected


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("site", "reddit.com/r/k8s", "paths are not supported"),
        ("lang", "english", "lang:en or lang:pt-br"),
        ("source", "news!", "source:hn"),
    ],
)
def test_invalid_field_values_name_the_field_and_a_valid_example(
    name: str, value: str, hint: str
) -> None:
    with pytest.raises(QueryError) as error:
        field_match(name, Token("word", value, 5))
    assert error.value.message == f"`{value}` is not a valid {name}:"
    assert error.value.position == 5 and hint in error.value.hint
