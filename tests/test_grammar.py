"""bot/grammar.py: counts agree with their nouns, and "a" or "an" follows the sound."""

import pytest

from bot.grammar import article, count, plural, with_article


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [
        (0, "post", "0 posts"),
        (1, "post", "1 post"),
        (2, "post", "2 posts"),
        (1, "try", "1 try"),
        (3, "try", "3 tries"),
        (1, "claim", "1 claim"),
        (1, "topic", "1 topic"),
        (2, "thing to fix", "2 things to fix"),
        (1, "thing to fix", "1 thing to fix"),
        (2, "match", "2 matches"),
        (2, "day", "2 days"),
        (2, "person", "2 people"),
        (1204, "post", "1,204 posts"),
        (1.5, "day", "1.5 days"),
    ],
)
def test_count_agrees(n, word, expected):
    assert count(n, word) == expected


def test_count_bold_and_given_plural():
    assert count(1, "claim", bold=True) == "*1* claim"
    assert count(2, "criterion", "criteria") == "2 criteria"
    assert plural(1, "source") == "source" and plural(5, "source") == "sources"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("X (Twitter) account", "an"),
        ("Reddit account", "a"),
        ("Mastodon account", "a"),
        ("Hacker News account", "a"),
        ("hour", "an"),
        ("user", "a"),
        ("author", "an"),
        ("RSS feed", "an"),
        ("HN account", "an"),
        ("LinkedIn profile", "a"),
    ],
)
def test_article_follows_the_sound(phrase, expected):
    assert article(phrase) == expected
    assert with_article(phrase) == f"{expected} {phrase}"
