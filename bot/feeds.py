"""Parse feed bytes into Posts (RSS 0.9x/2.0, RSS 1.0/RDF, Atom, JSON Feed) — pure.

Two XML parsers sit behind ``parse_feed``: fastfeedparser (lxml plus a native
extractor, far faster) and feedparser (slow, the most forgiving). The fast one
runs first; feedparser runs only when the fast one fails or finds nothing in a
document that plainly has entries. ``tests/test_feeds.py`` proves both agree on
every corpus feed (count, link, guid, date), so which one ran does not change
what Hark stores.

Safety does not depend on either parser: size and entity declarations are
checked on the bytes first, and parsers only ever get bytes (feedparser in a
BytesIO: given a bare ``bytes`` it first tries it as a *file name*). Two
common XML errors are repaired before parsing (see ``_repaired``), so both
parsers read the same, well-formed bytes.
"""

from __future__ import annotations

import html
import html.entities
import io
import itertools
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin

import fastfeedparser
import feedparser

from bot.models import Post
from bot.normalize import canonical_url, clean_line, html_to_text

MAX_FEED_BYTES = 10 * 1024 * 1024
TEXT_LIMIT = 20_000
TITLE_LIMIT = 300
AUTHOR_LIMIT = 200
MAX_TTL = 30 * 86400

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
_LANGUAGE = re.compile(rb"<(?:\w+:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*<")
_XML_LANG = re.compile(rb"""\sxml:lang\s*=\s*["']([A-Za-z]{2,3})""")
_HAS_ENTRIES = re.compile(rb"<(?:[\w-]+:)?(?:item|entry)[\s>/]")
_COUNTS = re.compile(rb"<(?:slash:comments|thr:total)>\s*(\d+)\s*<")
_TTL = re.compile(rb"<ttl>\s*(\d+)\s*</ttl>", re.IGNORECASE)
_SY_PERIOD = re.compile(rb"<(?:\w+:)?updatePeriod>\s*(\w+)\s*<")
_SY_FREQUENCY = re.compile(rb"<(?:\w+:)?updateFrequency>\s*(\d+)\s*<")
_PERIODS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "monthly": 2592000,
    "yearly": 31536000,
}
_LOOKS_LIKE_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-f]+|\w+);")
_EMAIL_NAME = re.compile(r"^\S+@\S+\s+\((.+)\)$")
_HN_ITEM = re.compile(r"news\.ycombinator\.com/item\?id=(\d+)")
_REDDIT_POST = re.compile(r"reddit\.com/r/[^/]+/comments/([a-z0-9]+)")
_HN_POINTS = re.compile(r"\bPoints: (\d+)")
_HN_COMMENTS = re.compile(r"# Comments: (\d+)")


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title, its posts and how often it asks to be polled."""

    title: str
    posts: list[Post]
    ttl_seconds: int | None  # RSS <ttl>, or sy:updatePeriod / sy:updateFrequency
    parser: str  # "fast", "feedparser" or "json" (JSON Feed, read directly)


class FeedError(Exception):
    """The bytes are not a feed Hark will read; ``message`` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- safety: checks on raw bytes, before any parser sees them ---------------------------


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
            end = doc.find(b"?>" if doc[pos + 1] == ord("?") else b"-->", pos + 2)
            if end < 0:
                break
            pos = _WS.match(doc, end + 2).end()
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


def _repaired(data: bytes) -> bytes:
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


# --- parse_feed ----------------------------------------------------------------------------


def _not_a_feed(data: bytes) -> FeedError:
    if b"<html" in scannable(data[:8192]).lower():
        return FeedError(
            "not a feed (looks like HTML); is the URL a web page rather than its feed?"
        )
    return FeedError("not a feed: it could not be read as RSS, Atom or JSON Feed.")


def parse_feed(
    data: bytes,
    url: str = "",
    *,
    max_bytes: int = MAX_FEED_BYTES,
    parser: Literal["auto", "fast", "feedparser"] = "auto",
) -> ParsedFeed:
    """Parse one feed document into normalized Posts; raise FeedError if it is not one.

    ``url`` (the feed's final URL) resolves relative entry links. ``parser``
    forces "fast" or "feedparser" (tests and benchmarks); "auto" runs the fast
    parser and falls back to feedparser.
    """
    data = bytes(data)
    if len(data) > max_bytes:
        raise FeedError(
            f"document is larger than {max_bytes:,} bytes ({len(data):,}); refusing to parse it."
        )
    if not data.strip().removeprefix(b"\xef\xbb\xbf").strip():
        raise FeedError("empty document: the server sent no feed.")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _parse_json_feed(data, url)
    # Checked after repair: the checks must see the bytes the parsers will see
    # (removing a control byte could join "<!EN\x01TITY" into a declaration).
    data = _repaired(data)
    if check_document(data) == b"html":
        raise _not_a_feed(data)
    extras = _FeedExtras(_ttl_seconds(data), _comment_counts(data), _feed_language(data))
    if parser == "feedparser":
        return _read_with_feedparser(data, url, extras)
    try:
        fast = _read_with_fast(data, url, extras)
    except Exception as exc:  # any failure of the fast path: ask feedparser
        if parser == "fast":
            raise _not_a_feed(data) from exc
        return _read_with_feedparser(data, url, extras)
    if parser == "fast" or fast.posts or not _HAS_ENTRIES.search(data):
        return fast
    # No entries although the document has <item>/<entry> tags: let feedparser try.
    try:
        slow = _read_with_feedparser(data, url, extras)
    except FeedError:
        return fast
    return slow if len(slow.posts) > len(fast.posts) else fast


@dataclass(frozen=True)
class _FeedExtras:
    """What both parser paths take from the raw bytes, so they cannot disagree on it."""

    ttl_seconds: int | None
    comment_counts: list[int | None] | None  # per entry, in document order
    language: str | None  # the channel's <language> / dc:language / root xml:lang


def _read_with_fast(data: bytes, url: str, extras: _FeedExtras) -> ParsedFeed:
    # bytes only: given a str that starts with http, fastfeedparser fetches it.
    doc = fastfeedparser.parse(data, include_tags=False, include_enclosures=False)
    feed = doc.get("feed") or {}
    posts = []
    for entry in doc.get("entries") or []:
        contents = entry.get("content") or []
        body = next((c.get("value") for c in contents if c.get("value")), None)
        posts.append(
            _Raw(
                guid=entry.get("id"),
                link=entry.get("link"),
                title=entry.get("title"),
                html=body or entry.get("description") or _media_description(entry),
                author=entry.get("author"),
                published=_iso_utc(entry.get("published") or entry.get("updated")),
                lang=(contents[0].get("language") if contents else None) or extras.language,
                comments=entry.get("comments"),
            )
        )
    return _finish(feed.get("title"), posts, url, extras, "fast")


def _media_description(entry: dict[str, Any]) -> str | None:
    """media:description (YouTube and podcast feeds keep their only text there)."""
    for media in entry.get("media_content") or []:
        if media.get("description"):
            return media["description"]
    return None


def _read_with_feedparser(data: bytes, url: str, extras: _FeedExtras) -> ParsedFeed:
    headers = {"content-location": url} if url else None
    try:
        # A file object, never bytes/str: feedparser opens those as file names or URLs.
        doc = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            sanitize_html=False,  # all markup is stripped later anyway
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser is the last resort: its failure means "not a feed"
        raise _not_a_feed(data) from exc
    if not doc.entries and not doc.get("version"):
        raise _not_a_feed(data)
    posts = []
    for entry in doc.entries:
        contents = entry.get("content") or []
        body = next((c.get("value") for c in contents if c.get("value")), None)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        posts.append(
            _Raw(
                guid=entry.get("id"),
                link=entry.get("link"),
                title=entry.get("title"),
                html=body or entry.get("summary"),
                # Atom <author> with <email> becomes "name (email)" in .author.
                author=(entry.get("author_detail") or {}).get("name") or entry.get("author"),
                published=datetime(*stamp[:6], tzinfo=UTC) if stamp else None,
                lang=(contents[0].get("language") if contents else None) or extras.language,
                comments=entry.get("comments"),
            )
        )
    return _finish(doc.feed.get("title"), posts, url, extras, "feedparser")


# --- mapping parser output to Post ---------------------------------------------------------


@dataclass(frozen=True)
class _Raw:
    """One entry as a parser gave it, before normalization."""

    guid: str | None
    link: str | None
    title: str | None
    html: str | None
    author: str | None
    published: datetime | None
    lang: str | None
    comments: str | None = None
    plain_text: bool = False  # text that is not HTML (JSON Feed content_text)


def _finish(title: Any, raws: list[_Raw], url: str, extras: _FeedExtras, parser: str) -> ParsedFeed:
    counts = extras.comment_counts
    if counts is not None and len(counts) != len(raws):
        counts = None  # the cheap item scan and the parser disagree: trust neither
    posts = [_to_post(raw, url, counts[i] if counts else None) for i, raw in enumerate(raws)]
    return ParsedFeed(_title_text(title), posts, extras.ttl_seconds, parser)


def _to_post(raw: _Raw, base_url: str, comment_count: int | None) -> Post:
    guid = clean_line(raw.guid, 2000) or None
    link = _absolute_link(raw.link, base_url)
    # An entry without a link whose guid is a URL: that URL is the permalink.
    if link is None and guid and guid.startswith(("http://", "https://")):
        link = _absolute_link(guid, base_url)
    if guid is None:
        # Same rule as fastfeedparser, applied to both paths: the link
        # identifies an entry that has no guid.
        guid = clean_line(raw.link, 2000) or None
    if raw.plain_text:
        text = clean_line(html.unescape(raw.html or ""), TEXT_LIMIT)
    else:
        text = html_to_text(raw.html or "", TEXT_LIMIT)
    metrics: dict[str, int] = {}
    if comment_count is not None:
        metrics["comments"] = comment_count
    thread_id = None
    for candidate in (raw.comments, raw.link, guid):
        if candidate and (hn := _HN_ITEM.search(candidate)):
            thread_id = hn.group(1)
            # hnrss.org puts the figures in the description.
            if points := _HN_POINTS.search(text):
                metrics["score"] = int(points.group(1))
            if comments := _HN_COMMENTS.search(text):
                metrics["comments"] = int(comments.group(1))
            break
        if candidate and (reddit := _REDDIT_POST.search(candidate)):
            thread_id = reddit.group(1)
            break
    return Post(
        guid=guid,
        link=link,
        title=_title_text(raw.title),
        text=text,
        author=_author_name(raw.author),
        published=raw.published,
        lang=_language(raw.lang),
        metrics=metrics,
        thread_id=thread_id,
    )


def _absolute_link(link: str | None, base_url: str) -> str | None:
    """The canonical absolute http(s) link, or None (javascript:, mailto:, junk)."""
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    if base_url and not link.startswith(("http://", "https://")):
        link = urljoin(base_url, link)
    link = canonical_url(link)
    return link if link.startswith(("http://", "https://")) else None


def _title_text(title: Any) -> str:
    if not isinstance(title, str):
        return ""
    if _LOOKS_LIKE_HTML.search(title):
        return html_to_text(title, TITLE_LIMIT)
    return clean_line(title, TITLE_LIMIT)


def _author_name(author: str | None) -> str:
    name = clean_line(author, AUTHOR_LIMIT)
    # RSS <author> is "email (Name)": keep the name, not the address.
    match = _EMAIL_NAME.match(name)
    return match.group(1) if match else name


def _language(lang: Any) -> str | None:
    """Primary language subtag, lower-case ("en-US" -> "en"); None if unknown."""
    if not isinstance(lang, str):
        return None
    primary = lang.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _iso_utc(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string; naive means UTC, as feedparser reads it."""
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Whole seconds, as feedparser gives them: the paths must agree, and
    # nothing in Hark needs sub-second publication times.
    stamp = stamp.replace(microsecond=0)
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def _channel_head(data: bytes) -> bytes:
    """The feed's own elements: what precedes the first entry, within 64 KB."""
    head = scannable(data[:65536])
    first_entry = _HAS_ENTRIES.search(head)
    return head[: first_entry.start()] if first_entry else head


def _ttl_seconds(data: bytes) -> int | None:
    """The polling interval the feed asks for, from its channel header."""
    head = _channel_head(data)
    if ttl := _TTL.search(head):
        return min(int(ttl.group(1)) * 60, MAX_TTL)
    period = _SY_PERIOD.search(head)
    if period and (seconds := _PERIODS.get(period.group(1).decode().lower())):
        frequency = _SY_FREQUENCY.search(head)
        times = max(int(frequency.group(1)), 1) if frequency else 1
        return min(seconds // times, MAX_TTL)
    return None


def _feed_language(data: bytes) -> str | None:
    """The feed-wide language: <language>, <dc:language>, else the root's xml:lang."""
    head = _channel_head(data)
    found = _LANGUAGE.search(head) or _XML_LANG.search(head)
    return found.group(1).decode("ascii") if found else None


def _comment_counts(data: bytes) -> list[int | None] | None:
    """slash:comments / thr:total of each entry, in order; None if the feed has none.

    Neither parser exposes both, so the raw items are scanned; ``_finish``
    drops the result if the scan and the parser count entries differently.
    """
    if b"slash:comments>" not in data and b"thr:total>" not in data:
        return None
    # Each entry runs from its start tag to the next one: linear, even when
    # a hostile document never closes its items.
    starts = [m.start() for m in _HAS_ENTRIES.finditer(data)] + [len(data)]
    counts: list[int | None] = []
    for start, end in itertools.pairwise(starts):
        found = _COUNTS.search(data, start, end)
        counts.append(int(found.group(1)) if found else None)
    return counts


# --- JSON Feed and X ------------------------------------------------------------------------


def _parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), read directly: it is already data."""
    try:
        doc = json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"not a feed: invalid JSON ({type(exc).__name__}).") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("not a feed: JSON, but not a JSON Feed (no items list).")
    feed_lang = doc.get("language")
    raws = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue
        # 1.1 has "authors" lists, 1.0 one "author"; the feed's apply when an item has none.
        authors = [
            *(item.get("authors") or [item.get("author")]),
            *(doc.get("authors") or [doc.get("author")]),
        ]
        author = next(
            (a.get("name") for a in authors if isinstance(a, dict) and a.get("name")), None
        )
        html_body = item.get("content_html") or item.get("summary")
        guid = item.get("id")
        raws.append(
            _Raw(
                guid=str(guid) if guid is not None else None,
                link=item.get("url") or item.get("external_url"),
                title=item.get("title"),
                html=html_body if html_body else item.get("content_text"),
                plain_text=not html_body,
                author=author if isinstance(author, str) else None,
                published=_iso_utc(item.get("date_published") or item.get("date_modified")),
                lang=item.get("language") or feed_lang,
            )
        )
    return _finish(doc.get("title"), raws, url, _FeedExtras(None, None, None), "json")


def parse_x_search(payload: dict[str, Any]) -> list[Post]:
    """Posts from an X API v2 search response (``data`` plus the ``includes.users`` expansion)."""
    users = {
        str(u.get("id")): u
        for u in (payload.get("includes") or {}).get("users") or []
        if isinstance(u, dict)
    }
    posts = []
    for tweet in payload.get("data") or []:
        if not isinstance(tweet, dict) or not tweet.get("id"):
            continue
        tweet_id = str(tweet["id"])
        user = users.get(str(tweet.get("author_id")), {})
        username = clean_line(user.get("username"), 50)
        name = clean_line(user.get("name"), 100)
        metrics = _int_metrics(
            tweet.get("public_metrics"),
            {
                "like_count": "likes",
                "retweet_count": "reposts",
                "reply_count": "replies",
                "quote_count": "quotes",
                "impression_count": "impressions",
            },
        )
        metrics |= _int_metrics(user.get("public_metrics"), {"followers_count": "followers"})
        posts.append(
            Post(
                guid=tweet_id,
                link=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
                title="",  # posts on X have no title; the text is the post
                # X sends text with &amp; &lt; &gt; escaped, and never HTML tags.
                text=clean_line(html.unescape(str(tweet.get("text") or "")), TEXT_LIMIT),
                author=f"@{username} ({name})"
                if username and name
                else (f"@{username}" if username else ""),
                published=_iso_utc(tweet.get("created_at")),
                lang=_language(tweet.get("lang")) if tweet.get("lang") != "und" else None,
                metrics=metrics,
                thread_id=str(tweet["conversation_id"]) if tweet.get("conversation_id") else None,
            )
        )
    return posts


def _int_metrics(source: Any, names: dict[str, str]) -> dict[str, int]:
    if not isinstance(source, dict):
        return {}
    return {
        ours: source[theirs]
        for theirs, ours in names.items()
        if isinstance(source.get(theirs), int) and not isinstance(source.get(theirs), bool)
    }
