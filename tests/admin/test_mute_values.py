"""The stored form of a mute: authors without @, sites as a lower-case host, phrases trimmed;
values that could never match are refused (None)."""

from __future__ import annotations

import pytest

from bot.admin.mutes import normalized


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("author", "@spammer", "spammer"),
        ("author", "  Jane   Doe ", "Jane Doe"),
        ("site", "https://Spam.Example.com/", "spam.example.com"),
        ("site", "spam.example.com.", "spam.example.com"),
        ("site", "https://spam.example.com/some/path", None),  # a host, not a page
        ("site", "localhost", None),
        ("phrase", "  free   crypto  ", "free crypto"),
        ("phrase", "!!! ???", None),  # no word in it: it could never match
        ("phrase", "x" * 300, "x" * 200),
        ("author", "   ", None),
    ],
)
def test_normalized(kind: str, value: str, stored: str | None) -> None:
    assert normalized(kind, value) == stored
