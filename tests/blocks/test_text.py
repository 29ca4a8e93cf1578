"""Untrusted text made safe for Slack: escaped, cleaned, and cut to fit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks.text import duration, escape, fit, link, plain, safe_url
from bot.grammar import mention
from tests.support.mentions import find_mentions


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


# -- limits measured as Slack measures them: on the escaped text it receives ------------------


def _ampersand_url(length: int = 1990, ampersands: int = 300) -> str:
    base = "https://forum.example.com/t/1?" + "a&" * ampersands
    return base + "b" * (length - len(base))


def test_a_url_is_measured_after_escaping_and_dropped_when_too_long():
    url = _ampersand_url()
    assert len(url) == 1990 and url.count("&") == 300  # passes a 2,000 check on the raw URL
    assert safe_url(url) is None  # 2,890 once each & is &amp;
    assert link(url, "the title") == "the title"  # the label stays, the href goes
    short = _ampersand_url(1000, 100)
    assert safe_url(short) == short.replace("&", "&amp;")


def test_a_card_with_a_long_escaped_link_is_still_a_card_slack_accepts():
    from bot.blocks.conversation import Card, conversation_message
    from tests.support.blockkit import MSG_BLOCKS_MAX_CHARS, blocks_json_chars, validate_blocks

    card = Card(
        conversation_id=7,
        topic="kubernetes",
        title="A & B " * 60,
        link=_ampersand_url(),
        excerpt="x & y < z " * 60,
        why="matched " * 50,
    )
    for state in ("new", "claimed", "replied", "ignored"):
        message = conversation_message(
            Card(**{**card.__dict__, "state": state, "owner": "U0SME1", "reply_url": card.link})
        )
        assert validate_blocks(message["blocks"]) == [], state
        assert blocks_json_chars(message["blocks"]) <= MSG_BLOCKS_MAX_CHARS
        assert "A &amp; B" in str(message["blocks"])  # the title is kept


def test_the_fake_slack_measures_text_as_sent_like_slack():
    # Slack counts the characters it receives: "&amp;" is five, though it shows one "&".
    from tests.support.blockkit import validate_blocks

    def section(text: str) -> list[dict]:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]

    assert validate_blocks(section("&" * 3000)) == []
    assert validate_blocks(section(escape("&" * 601))) == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
