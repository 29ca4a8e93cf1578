"""The precomputed word-character table matches this Python's Unicode database."""

from __future__ import annotations


def test_the_precomputed_word_table_is_what_unicodedata_says() -> None:
    import unicodedata

    from bot.match import words, wordtable

    assert wordtable.UNIDATA_VERSION == unicodedata.unidata_version, (
        "regenerate it: .venv/bin/python -m bot.match.words"
    )
    spaced, unspaced = words._computed_codes()
    assert words._word_ranges() == (words._as_ranges(spaced), words._as_ranges(unspaced))
