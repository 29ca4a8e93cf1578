"""The response headers Hark honours: Retry-After and Cache-Control max-age, bounded so
a server cannot silence a source for longer than a day."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime

import httpcore

# Upper bounds on what a server may ask of our schedule: a day of silence at
# most for Retry-After and Cache-Control max-age.
MAX_RETRY_AFTER = 86400.0
MAX_MAX_AGE = 86400.0
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), bounded."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def parse_max_age(value: str | None) -> float | None:
    """Seconds from a Cache-Control max-age directive, bounded; None if absent."""
    match = _MAX_AGE.search(value or "")
    if match is None:
        return None
    return min(float(match.group(1)), MAX_MAX_AGE)


def response_headers(response: httpcore.Response) -> dict[str, str]:
    """Response headers by lower-case name (the last one wins; those Hark reads are single)."""
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in response.headers
    }
