"""Preflight on raw feed bytes: entity declarations and unreadable encodings refused before any
parser runs; two meaning-preserving repairs; a person-readable "not a feed"."""

from __future__ import annotations

import pytest

from bot.parse.preflight import FeedError, check_document, not_a_feed, repaired, scannable

RSS = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel/></rss>'


@pytest.mark.parametrize(
    ("doc", "root"),
    [
        (RSS, b"rss"),
        (b"\xef\xbb\xbf  <feed xmlns='http://www.w3.org/2005/Atom'/>", b"feed"),
        (b"<?xml version='1.0'?>\n<?xml-stylesheet href='s.xsl'?>\n<RDF:rdf/>", b"rdf:rdf"),
        # RSS 0.91's public DTD: an external id only, which neither parser fetches.
        (
            (
                b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss/>'
            ),
            b"rss",
        ),
        ("<rss/>".encode("utf-16"), b"rss"),  # transcoded before it is read
        # a comment before the root ("-->" is three bytes, "?>" two)
        (b"<!-- generated --><html><body/></html>", b"html"),
        (b"<?xml version='1.0'?><!-- a --> <!-- b -->\n<feed/>", b"feed"),
    ],
)
def test_acceptable_documents_answer_their_root_element(doc: bytes, root: bytes) -> None:
    assert check_document(doc) == root


@pytest.mark.parametrize(
    ("doc", "says"),
    [
        (
            b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss>&b;</rss>',
            "entity-expansion bomb",
        ),
        (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>', "read files"),
        (b'<!DOCTYPE r [<!ENTITY % p PUBLIC "x" "http://evil/">]><rss/>', "read files"),
        # The same declarations in UTF-16 are found after transcoding.
        ('<!DOCTYPE r [<!ENTITY a "b">]><rss/>'.encode("utf-16"), "entity"),
        (b'<?xml version="1.0" encoding="UTF-7"?><rss/>', "UTF-7 or EBCDIC"),
        (b'<?xml version="1.0" encoding="cp500"?><rss/>', "UTF-7 or EBCDIC"),
        (b"\x4c\x6f\xa7\x94\x93", "UTF-7 or EBCDIC"),  # "<?xml" in EBCDIC
    ],
)
def test_entity_declarations_and_unscannable_encodings_are_refused(doc: bytes, says: str) -> None:
    with pytest.raises(FeedError) as refused:
        check_document(doc)
    assert says in refused.value.message


def test_scannable_transcodes_only_utf16_and_utf32() -> None:
    assert scannable(RSS) is RSS
    assert scannable("<rss>é</rss>".encode("utf-16-le")) == "<rss>é</rss>".encode()
    assert scannable("<rss/>".encode("utf-32-be")) == b"<rss/>"  # found by its first "<"


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        (b"<t>Q&A</t>", b"<t>Q&amp;A</t>"),
        (b"<t>a &colon; b</t>", b"<t>a &#58; b</t>"),
        (b"<t>&nosuchentity;</t>", b"<t>&amp;nosuchentity;</t>"),
        (b"<t>ok &amp; &lt;b&gt; &#38; &#x26;</t>", b"<t>ok &amp; &lt;b&gt; &#38; &#x26;</t>"),
        (b"<t>bell\x07 and \x00nul</t>", b"<t>bell and nul</t>"),
        (b"<t><![CDATA[Q&A &colon;]]> & </t>", b"<t><![CDATA[Q&A &colon;]]> &amp; </t>"),
    ],
)
def test_repaired_fixes_bare_ampersands_html_entities_and_control_bytes(
    raw: bytes, fixed: bytes
) -> None:
    assert repaired(raw) == fixed


def test_a_well_formed_document_is_returned_as_it_came() -> None:
    assert repaired(RSS) is RSS
    wide = "<t>Q&A</t>".encode("utf-16")
    assert repaired(wide) is wide  # the byte patterns do not apply to UTF-16


def test_not_a_feed_names_html_and_what_to_check() -> None:
    page = not_a_feed(b"<!doctype html><HTML><body>Blog</body></HTML>")
    assert "looks like HTML" in page.message and "rather than its feed" in page.message
    junk = not_a_feed(b"\x89PNG\r\n")
    assert junk.message == "not a feed: it could not be read as RSS, Atom or JSON Feed."
