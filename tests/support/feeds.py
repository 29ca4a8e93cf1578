"""Feed documents for tests to serve from the local feed server (tests/support/feedserver.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime


def rss(items: list[dict[str, str]], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document; item values are inserted as given (tests pass XML-safe text)."""
    parts = []
    for item in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{''.join(parts)}"
        "</channel></rss>"
    ).encode()


def pub_date(hours: float) -> str:
    """An RSS ``pubDate`` (RFC 822) ``hours`` before now: inside or outside the backfill window."""
    return format_datetime(datetime.now(UTC) - timedelta(hours=hours))
