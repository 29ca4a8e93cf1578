"""X recent search through tweepy: since_id cursors, author expansion, a monthly read budget.

X bills every post read, so Hark counts reads per calendar month and stops polling X
before it overspends. A 429 never sleeps a thread (tweepy's wait_on_rate_limit would):
it becomes a FetchError whose retry_after reschedules the source after the reset time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy

from bot.fetch.client import FetchError
from bot.models import Post, Source
from bot.parse.feeds import parse_x_search
from bot.store import Store

TWEEPY_HOST = "https://api.twitter.com/2/"
TWEET_FIELDS = ["created_at", "lang", "public_metrics", "conversation_id", "author_id"]
USER_FIELDS = ["username", "name", "public_metrics"]


class _RebasedSession(requests.Session):
    """tweepy hard-codes its API host; send its requests to ``X_API_URL`` instead."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if url.startswith(TWEEPY_HOST):
            url = self.base_url + url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


def month_key(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m")


def next_month_start(now: float) -> float:
    current = datetime.fromtimestamp(now, UTC)
    year, month = (
        (current.year + 1, 1) if current.month == 12 else (current.year, current.month + 1)
    )
    return datetime(year, month, 1, tzinfo=UTC).timestamp()


class XSearch:
    """Callable for the poller: ``search(source) -> (posts, newest_id)``; ``search`` runs any
    query (the reply watcher's conversation searches)."""

    def __init__(
        self,
        store: Store,
        bearer_token: str,
        *,
        api_url: str,
        max_reads_per_month: int,
        timeout: float = 20.0,
    ) -> None:
        self.store = store
        self.max_reads = max_reads_per_month
        self.client = tweepy.Client(bearer_token=bearer_token, wait_on_rate_limit=False)
        self.client.session = _RebasedSession(api_url, timeout)

    def __call__(self, source: Source) -> tuple[list[Post], str | None]:
        return self.search(source.target, since_id=source.cursor)

    def search(self, query: str, since_id: str | None = None) -> tuple[list[Post], str | None]:
        """Posts matching ``query`` (newer than ``since_id``), and the newest post's id."""
        now = self.store.now()
        used = self.store.x_reads(month_key(now))
        remaining = self.max_reads - used
        if remaining < 10:  # X's smallest page is 10 posts
            raise FetchError(
                f"the monthly X read budget ({self.max_reads} posts) is used up; X polling "
                f"resumes on {datetime.fromtimestamp(next_month_start(now), UTC):%Y-%m-%d}. "
                "Raise x.max_reads_per_month in the config to read more.",
                retry_after=next_month_start(now) - now,
            )
        params: dict[str, Any] = {
            "max_results": max(10, min(100, remaining)),
            "expansions": ["author_id"],
            "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        try:
            response = self.client.search_recent_tweets(query, **params)
        except tweepy.TooManyRequests as exc:
            reset = getattr(exc, "reset_time", None)
            wait = max(60.0, reset - time.time()) if reset else 900.0
            raise FetchError(
                "X rate limit reached; retrying after the reset", status=429, retry_after=wait
            ) from None
        except tweepy.Unauthorized:
            raise FetchError(
                "X refused the bearer token (401); check X_BEARER_TOKEN", status=401, permanent=True
            ) from None
        except tweepy.HTTPException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            raise FetchError(f"X answered {status}", status=status) from None
        except requests.RequestException as exc:
            raise FetchError(f"X is unreachable ({type(exc).__name__})") from None
        payload = {"data": response.data, "includes": response.includes, "meta": response.meta}
        payload = _plain(payload)
        count = int(
            (payload.get("meta") or {}).get("result_count") or len(payload.get("data") or [])
        )
        self.store.add_x_reads(month_key(now), count)
        newest = (payload.get("meta") or {}).get("newest_id")
        return parse_x_search(payload), str(newest) if newest else None


def _plain(value: Any) -> Any:
    """tweepy wraps objects (Tweet, User); parse_x_search wants the raw JSON shapes."""
    if hasattr(value, "data") and isinstance(value.data, dict):
        return value.data
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
