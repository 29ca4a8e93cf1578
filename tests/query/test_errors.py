"""QueryError as a person reads it: the message, the query with a caret under the mistake, the
hint; long queries shown around the mistake; wide characters counted as two columns."""

from __future__ import annotations

from bot.query.errors import QueryError


def test_message_position_query_caret_and_hint() -> None:
    error = QueryError(
        "This quote is never closed", 4, 'Close the quote: add " at the end', 'k8s "oops'
    )
    assert str(error) == (
        "This quote is never closed (at character 5)\n"
        '  k8s "oops\n'
        "      ^\n"
        'Close the quote: add " at the end'
    )
    assert isinstance(error, ValueError) and error.message == "This quote is never closed"


def test_the_topic_is_named_when_known_and_no_query_means_no_picture() -> None:
    error = QueryError("Unknown field `body:`", 0, "Known fields are title:, author:")
    error.topic = "kubernetes"
    assert str(error) == (
        'Topic "kubernetes": Unknown field `body:` (at character 1)\n'
        "Known fields are title:, author:"
    )


def test_a_long_query_is_shown_around_the_mistake_on_one_line() -> None:
    query = "alpha " * 30 + "\tNEAR/0 omega" + " tail" * 30
    position = query.index("NEAR/0")
    shown, caret = str(QueryError("NEAR/0 is out of range", position, "hint", query)).split("\n")[
        1:3
    ]
    assert shown.startswith("  …") and shown.endswith("…")
    assert "\t" not in shown and len(shown) <= 2 + 72 + 2
    assert shown[caret.index("^") :].startswith("NEAR/0")


def test_wide_characters_move_the_caret_two_columns() -> None:
    query = "日本語 -"
    shown, caret = str(QueryError("`-` needs a term", 4, "hint", query)).split("\n")[1:3]
    assert shown == "  日本語 -"
    assert caret == "  " + " " * 7 + "^"  # three wide characters (6 columns) and a space
