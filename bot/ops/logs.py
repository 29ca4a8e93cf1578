"""Logging: readable lines on a terminal, one JSON object per line elsewhere."""

from __future__ import annotations

import json
import logging
import re
import sys
import time

from bot.dburl import scrub

# Slack and X tokens must never reach a log, whatever a library prints.
_SECRET = re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|AAAAAAAA[A-Za-z0-9%]+)")
# A URL with credentials (user:pw@) or a query (?token=…): a source's URL may carry either.
_URL_WITH_SECRETS = re.compile(
    r"\bhttps?://(?:[^\s/?#@\"'<>]*@|[^\s?#\"'<>]*\?)[^\s\"'<>|]*", re.IGNORECASE
)


def redact(text: str) -> str:
    """Tokens out; URLs without their credentials and query values (as /hark sources shows
    them to non-admins)."""
    from bot.fetch.client import redacted_url  # the fetcher's form; imported late (httpx is heavy)

    text = _URL_WITH_SECRETS.sub(lambda m: redacted_url(m.group(0)), text)
    return _SECRET.sub("[redacted]", scrub(text))  # and a database URL's password


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if sys.stderr.isatty():
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
