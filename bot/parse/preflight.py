"""Checks and repairs on raw feed bytes, before any parser sees them.

Safety must not depend on which parser runs: these checks refuse entity
declarations (billion laughs, external entities) and encodings the checks
cannot read, on the bytes themselves. ``repaired`` fixes two common XML
errors so that both parsers read the same, well-formed document.
"""

from __future__ import annotations

import html.entities
import re

_WS = re.compile(rb"(?:\s|\xef\xbb\xbf)*")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_EXTERNAL_ENTITY = re.compile(rb"<!ENTITY[^>]*?\s(?:SYSTEM|PUBLIC)\s", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""")
_UNSCANNABLE = re.compile(
    rb"utf-?7|.*ebcdic.*|(?:cp|ibm)0?(?:37|500|1026|1047|114\d)", re.IGNORECASE
)
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC
_NAME = re.compile(rb"[A-Za-z_:][\w.:-]*")
_XML_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))
_SUSPECT_AMP = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
_BARE_AMPERSAND = re.compile(rb"&(?![A-Za-z][A-Za-z0-9]{0,31};|#[0-9]+;|#x[0-9a-fA-F]+;)")
_HTML_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{0,31});")

_WIDE_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)


class FeedError(Exception):
    """The bytes are not a feed Hark will read; ``message`` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _wide_codec(data: bytes) -> str | None:
    """The UTF-16/32 codec a document is in (by BOM or by its first "<"), else None."""
    return next((codec for bom, codec in _WIDE_ENCODINGS if data.startswith(bom)), None)


def scannable(data: bytes) -> bytes:
    """The document in an ASCII-compatible encoding, so byte patterns can be searched.

    UTF-16/32 documents are transcoded; every other encoding a feed uses keeps
    ``<!ENTITY`` and friends as plain ASCII bytes.
    """
    codec = _wide_codec(data)
    return data if codec is None else data.decode(codec, errors="replace").encode("utf-8")


def _prolog(doc: bytes) -> tuple[int | None, bytes]:
    """Where the prolog's DOCTYPE starts (or None) and the root element's name.

    Walks what may precede the root: whitespace, processing instructions,
    comments, one DOCTYPE. Anything unexpected (junk before the XML) makes the
    answer conservative: the first DOCTYPE anywhere counts as the prolog's.
    """
    pos = _WS.match(doc).end()
    doctype: int | None = None
    while pos < len(doc):
        if doc.startswith(b"<?", pos) or doc.startswith(b"<!--", pos):
            closer = b"?>" if doc[pos + 1] == ord("?") else b"-->"
            end = doc.find(closer, pos + 2)
            if end < 0:
                break
            pos = _WS.match(doc, end + len(closer)).end()
        elif doctype is None and _DOCTYPE.match(doc, pos):
            doctype = pos
            end = doc.find(b">", pos)  # enough to step past an external-id-only DOCTYPE
            if end < 0 or b"[" in doc[pos:end]:
                return doctype, b""
            pos = _WS.match(doc, end + 1).end()
        elif doc.startswith(b"<", pos) and (name := _NAME.match(doc, pos + 1)):
            return doctype, name.group().lower()
        else:
            break
    if doctype is None and (found := _DOCTYPE.search(doc, pos)):
        doctype = found.start()
    return doctype, b""


def check_document(data: bytes) -> bytes:
    """Raise FeedError for documents no parser should see; return the root element's name.

    Refused: documents in encodings these byte-level checks cannot read
    (UTF-7, EBCDIC), and any document whose prolog has a DOCTYPE followed by an
    entity declaration (billion laughs; external entities that read files or
    URLs). Entities must be declared in the DOCTYPE, before the root element,
    so a DOCTYPE with only an external id (RSS 0.91's public DTD) is allowed:
    neither parser fetches external DTDs. Any ``<!ENTITY`` after a prolog
    DOCTYPE counts, without parsing the subset: simpler, and only an article
    quoting an entity declaration in CDATA is refused wrongly.
    """
    doc = scannable(data)
    declared = _DECLARED_ENCODING.search(doc[:512])
    if doc.startswith(_EBCDIC_XML) or (declared and _UNSCANNABLE.fullmatch(declared.group(1))):
        raise FeedError("documents in UTF-7 or EBCDIC encodings are not accepted.")
    doctype, root = _prolog(doc)
    if doctype is not None:
        if _EXTERNAL_ENTITY.search(doc, doctype):
            raise FeedError(
                "XML external entity declarations are refused "
                "(the document tries to read files or URLs)."
            )
        if _ENTITY.search(doc, doctype):
            raise FeedError("XML entity declarations are refused (possible entity-expansion bomb).")
    return root


def repaired(data: bytes) -> bytes:
    """The document with two common, meaning-preserving XML errors fixed.

    After its first error libxml2's recovery drops ``&lt;``/``&gt;`` for the
    rest of the document, garbling every later entry, so the fast parser gets
    a well-formed document instead: control characters (never allowed in XML
    1.0) removed, and outside CDATA, HTML-only entities (``&colon;``) made
    numeric and bare ``&`` escaped. Both parsers read the repaired bytes.
    """
    if _wide_codec(data):
        return data  # UTF-16/32: the byte patterns below do not apply
    cleaned = data.translate(None, _XML_CONTROL_BYTES)
    if len(cleaned) != len(data):
        data = cleaned
    if not _SUSPECT_AMP.search(data):
        return data
    pieces = []
    pos = 0
    while pos < len(data):
        start = data.find(b"<![CDATA[", pos)
        end = len(data) if start < 0 else data.find(b"]]>", start)
        end = len(data) if end < 0 else end + 3
        outside = data[pos : len(data) if start < 0 else start]
        if _SUSPECT_AMP.search(outside):
            # Bare "&" with a plain substitution (fast even for megabytes of
            # them); only named entities need a lookup.
            outside = _BARE_AMPERSAND.sub(b"&amp;", outside)
            outside = _HTML_ENTITY.sub(_numeric_entity, outside)
        pieces.append(outside)
        if start >= 0:
            pieces.append(data[start:end])
        pos = end
    return b"".join(pieces)


def _numeric_entity(match: re.Match[bytes]) -> bytes:
    chars = html.entities.html5.get(match.group(1).decode("ascii") + ";")
    if chars is None:
        return b"&amp;" + match.group(1) + b";"  # unknown: keep it as the literal text it is
    return "".join(f"&#{ord(c)};" for c in chars).encode("ascii")


def not_a_feed(data: bytes) -> FeedError:
    """The error for bytes no parser could read as a feed, naming HTML when it is HTML."""
    if b"<html" in scannable(data[:8192]).lower():
        return FeedError(
            "not a feed (looks like HTML); is the URL a web page rather than its feed?"
        )
    return FeedError("not a feed: it could not be read as RSS, Atom or JSON Feed.")
