"""Normalization tables: HTML to text, canonical URLs, one-line cleanup, hashes."""

from __future__ import annotations

import time

import pytest

from bot.parse.normalize import canonical_url, clean_line, content_hash, html_to_text, site_of


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("", ""),
        ("plain words", "plain words"),
        ("<p>Hello <b>world</b></p>", "Hello world"),
        ("<p>one</p><p>two</p>", "one two"),
        ("line<br>break<br/>here", "line break here"),
        ("<script>alert(1)</script>kept", "kept"),
        ("<STYLE type='text/css'>p{}</STYLE>kept", "kept"),
        ("<script>never closed", ""),
        ("a<!-- hidden -->b", "a b"),
        ("<![CDATA[x]]>", "x"),
        ("Fish &amp; Chips &mdash; &#8220;ok&#x201D;", "Fish & Chips — “ok”"),
        ("&lt;b&gt;literal&lt;/b&gt;", "<b>literal</b>"),  # escaped markup is text
        ("&amp;lt;double&amp;gt;", "&lt;double&gt;"),  # decoded exactly once
        ("a < b and c > d", "a < b and c > d"),
        ("<p>ping &lt;!channel&gt; and &lt;@U123&gt;</p>", "ping <!channel> and <@U123>"),
        ("<!channel> <@U123> <!here>", "<!channel> <@U123> <!here>"),
        ("  lots \n\n of \t  space  ", "lots of space"),
        ("nul\x00byte and\x07bell", "nulbyte andbell"),
        ("rtl \u202eevil\u202c and \u2066iso\u2069", "rtl evil and iso"),
        ("cp1252 dash\x97here", "cp1252 dash—here"),
        ("non&nbsp;breaking", "non breaking"),
        ('<a href="https://x.example/?a=1&amp;b=2">link text</a>', "link text"),
        ("<svg><title>icon</title><path d='M0'/></svg>caption", "caption"),
        ("<p>unclosed <b>tag", "unclosed tag"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_html_to_text_respects_the_limit() -> None:
    text = html_to_text("<p>" + "word " * 10_000 + "</p>", limit=100)
    assert len(text) == 100
    assert text.endswith("…")


def test_html_to_text_cuts_a_huge_input_without_leaking_half_a_tag() -> None:
    blob = "<p>" + "x" * 300_000 + '<a href="https://secret.example/'
    text = html_to_text(blob, limit=1000)
    assert len(text) <= 1000
    assert "href" not in text


def test_html_to_text_is_linear_on_hostile_markup() -> None:
    # 160 KB of unclosed openers: a rescan per opener would take minutes, one pass
    # a few milliseconds. The bound below only proves the call returned.
    hostile = "<script>" * 20_000 + "<a" * 20_000 + "<!--" * 20_000
    started = time.perf_counter()
    assert html_to_text(hostile) == ""  # everything after an unclosed <script> is script
    assert time.perf_counter() - started < 15


@pytest.mark.parametrize(
    ("raw", "limit", "line"),
    [
        (None, 10, ""),
        ("  Title\nwith  breaks\r\n", 100, "Title with breaks"),
        ("abcdefghij", 5, "abcd…"),
        ("tab\there", 100, "tab here"),
        ("\u202eevil.exe\u202c", 100, "evil.exe"),
        ("x\x00y\x1bz", 100, "xyz"),
    ],
)
def test_clean_line(raw: str | None, limit: int, line: str) -> None:
    assert clean_line(raw, limit) == line


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM/Path?b=2&a=1#frag", "https://example.com/Path?b=2&a=1"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
        ("https://www.example.com/a", "https://www.example.com/a"),  # www. kept
        ("https://e.com/a?utm_source=x&id=7&utm_medium=y", "https://e.com/a?id=7"),
        ("https://e.com/a?UTM_Campaign=x", "https://e.com/a"),
        (
            (
                "https://e.com/?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=5&ref_src=6&igshid=7"
                "&si=8&spm=9&_hsenc=a&_hsmi=b&yclid=c&msclkid=d&keep=1"
            ),
            "https://e.com/?keep=1",
        ),
        ("https://e.com/a?reference=1&sig=2", "https://e.com/a?reference=1&sig=2"),
        ("https://e.com/a?q=a%20b&x", "https://e.com/a?q=a%20b&x"),  # spelling kept
        ("https://e.com/a?&&x=1&", "https://e.com/a?x=1"),
        ("  https://e.com/a  ", "https://e.com/a"),
        ("https://e.com/a b", "https://e.com/a%20b"),
        ("https://user:pw@E.com/a", "https://user:pw@e.com/a"),
        ("http://[2001:DB8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("/relative/path", "/relative/path"),
        ("https://e.com:notaport/a", "https://e.com:notaport/a"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_canonical_url_is_idempotent() -> None:
    url = "HTTPS://WWW.Example.com:443/a?utm_source=x&b=1#top"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.Example.com/a", "example.com"),
        ("https://news.ycombinator.com/item?id=1", "news.ycombinator.com"),
        ("https://wwwexample.com/", "wwwexample.com"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_site_of(url: str, site: str) -> None:
    assert site_of(url) == site


def test_content_hash_ignores_case_width_and_spacing() -> None:
    assert content_hash("Hello  World", "Some\ntext") == content_hash("hello world", "SOME text")
    assert content_hash("Ｈｅｌｌｏ", "x") == content_hash("hello", "x")  # full-width letters
    assert content_hash("a", "x") != content_hash("b", "x")


def test_content_hash_looks_at_the_first_500_characters_of_text() -> None:
    base = "y" * 500
    assert content_hash("t", base + "tail one") == content_hash("t", base + "tail two")
    assert content_hash("t", "z" + base) != content_hash("t", base)
    assert len(content_hash("t", "x")) == 40


def test_tag_patterns_match_what_ignorecase_would() -> None:
    import re

    from bot.parse import normalize

    samples = ["<SCRIPT>", "<ſcript>", "<scrİpt>", "<BLOC\u212aQUOTE x>", "<Br/>", "<brx>", "<P>"]
    for fast, source in (
        (normalize._DROPPED_OPEN, r"<(script|style|template|noscript|svg|math)\b"),
        (
            normalize._BREAKING_TAGS,
            (
                r"<(?:br|p|div|li|tr|td|th|h[1-6]|blockquote|pre|hr|ul|ol|table|section|article)"
                r"\b[^>]*>"
            ),
        ),
    ):
        slow = re.compile(source, re.IGNORECASE)
        assert [bool(fast.search(s)) for s in samples] == [bool(slow.search(s)) for s in samples]
