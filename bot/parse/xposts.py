"""Posts from X API v2 search responses — pure, like parse_feed.

``bot.poll.xsearch`` does the I/O through tweepy; this module only maps the JSON
it returns (``data`` plus the ``includes.users`` expansion) to Posts.
"""

from __future__ import annotations

import html
from typing import Any

from bot.models import Post
from bot.parse.entries import TEXT_LIMIT, iso_utc, language
from bot.parse.normalize import clean_line

_TWEET_METRICS = {
    "like_count": "likes",
    "retweet_count": "reposts",
    "reply_count": "replies",
    "quote_count": "quotes",
    "impression_count": "impressions",
}


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
        metrics = _int_metrics(tweet.get("public_metrics"), _TWEET_METRICS)
        metrics |= _int_metrics(user.get("public_metrics"), {"followers_count": "followers"})
        if username and name:
            author = f"@{username} ({name})"
        else:
            author = f"@{username}" if username else ""
        posts.append(
            Post(
                guid=tweet_id,
                link=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
                title="",  # posts on X have no title; the text is the post
                # X sends text with &amp; &lt; &gt; escaped, and never HTML tags.
                text=clean_line(html.unescape(str(tweet.get("text") or "")), TEXT_LIMIT),
                author=author,
                published=iso_utc(tweet.get("created_at")),
                lang=language(tweet.get("lang")) if tweet.get("lang") != "und" else None,
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
