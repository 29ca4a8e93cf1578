"""Untrusted text made safe for Slack: escaped, cleaned, and cut to fit."""

from __future__ import annotations

import pytest
from fakeslack import find_mentions
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks.text import duration, escape, fit, link, mention, plain, safe_url


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U123|bob>", "&lt;@U123|bob&gt;"),
        ("a & b", "a &amp; b"),
        ("&lt;", "&amp;lt;"),  # already-escaped text stays literal
        ("x\u202eevil\u202c y", "xevil y"),  # bidi override dropped
        ("nul\x00byte", "nulbyte"),
    ],
)
def test_escape(raw, escaped):
    assert escape(raw) == escaped


def test_fit_counts_escaped_length_and_never_splits_an_entity():
    text = "<" * 100
    out = fit(text, 10)
    assert len(out) <= 10 and out.endswith("…")
    assert out.startswith("&lt;&lt;") and "&l…" not in out and "&lt…" not in out


def test_fit_one_line_folds_whitespace():
    assert fit("a \n\n b\t c", 100, one_line=True) == "a b c"


@given(st.text(max_size=3000), st.integers(min_value=2, max_value=3000))
def test_fit_is_bounded_and_mention_free(text, limit):
    out = fit(text, limit)
    assert len(out) <= limit
    assert find_mentions(out) == []
    assert "<" not in out and ">" not in out


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&amp;c=2"),
        ("https://example.com/a|<!channel>", "https://example.com/a%7C%3C!channel%3E"),
        ("javascript:alert(1)", None),
        ("ftp://example.com", None),
        ("https://exa mple.com", None),
        ("", None),
    ],
)
def test_safe_url(url, safe):
    assert safe_url(url) == safe


def test_link_falls_back_to_label():
    assert link("javascript:x", "<b>title</b>") == "&lt;b&gt;title&lt;/b&gt;"
    assert link("https://e.com", "t|x") == "<https://e.com|t|x>"


def test_mention_only_real_ids():
    assert mention("U0SME1") == "<@U0SME1>"
    assert mention("<!channel>") == "someone"
    assert mention(None) == "someone"


def test_plain_text_is_cut():
    assert plain("x" * 100, 75) == "x" * 74 + "…"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (5, "5 s"),
        (125, "2 min"),
        (3600, "1 h"),
        (3900, "1 h 5 min"),
        (90000, "1 d 1 h"),
        (None, "–"),
    ],
)
def test_duration(seconds, shown):
    assert duration(seconds) == shown
