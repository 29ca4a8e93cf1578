"""Source kinds: short forms people write (``reddit: r/devops``) expanded to feed URLs."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, urlsplit

from bot.models import SourceSpec

KINDS = ("url", "reddit", "hn", "stackoverflow", "mastodon", "bluesky", "youtube", "github", "x")


class SourceError(ValueError):
    """A source written in a way Hark cannot use; the message says how to write it."""


def expand_source(kind: str, value: str, every_seconds: int = 600) -> SourceSpec:
    """Turn a short form into a :class:`SourceSpec` with the public feed behind it."""
    value = value.strip()
    if not value:
        raise SourceError(f"`{kind}:` needs a value, for example {_EXAMPLES.get(kind, '…')}")
    if kind == "url":
        if not re.match(r"^https?://[^\s/]+\S*$", value):
            raise SourceError(f"“{value}” is not an http(s) URL, e.g. https://example.com/feed.xml")
        return SourceSpec("feed", value, every_seconds, "")
    if kind == "reddit":
        sub = re.fullmatch(r"/?r/([A-Za-z0-9_]{2,21})", value)
        if sub:
            name = sub.group(1)
            return SourceSpec(
                "feed", f"https://www.reddit.com/r/{name}/new/.rss", every_seconds, f"r/{name}"
            )
        return SourceSpec(
            "feed",
            f"https://www.reddit.com/search.rss?q={quote_plus(value)}&sort=new",
            every_seconds,
            f"Reddit search “{value}”",
        )
    if kind == "hn":
        return SourceSpec(
            "feed",
            f"https://hnrss.org/newest?q={quote_plus(value)}",
            every_seconds,
            f"HN “{value}”",
        )
    if kind == "stackoverflow":
        if not re.fullmatch(r"[a-z0-9.#+\-]{1,35}", value.lower()):
            raise SourceError(f"“{value}” is not a Stack Overflow tag, e.g. kubernetes")
        tag = value.lower()
        return SourceSpec(
            "feed",
            f"https://stackoverflow.com/feeds/tag/{quote(tag, safe='')}",
            every_seconds,
            f"Stack Overflow [{tag}]",
        )
    if kind == "mastodon":
        m = re.fullmatch(r"#?([\w]{1,100})@([a-z0-9.\-]+\.[a-z]{2,})", value, re.IGNORECASE)
        if not m:
            raise SourceError(
                f"“{value}”: write a tag and an instance, e.g. kubernetes@mastodon.social"
            )
        tag, host = m.group(1), m.group(2).lower()
        return SourceSpec("feed", f"https://{host}/tags/{tag}.rss", every_seconds, f"#{tag}@{host}")
    if kind == "bluesky":
        handle = value.lstrip("@").lower()
        if not re.fullmatch(r"[a-z0-9.\-]+\.[a-z]{2,}", handle):
            raise SourceError(f"“{value}” is not a Bluesky handle, e.g. alice.bsky.social")
        return SourceSpec(
            "feed", f"https://bsky.app/profile/{handle}/rss", every_seconds, f"Bluesky @{handle}"
        )
    if kind == "youtube":
        if not re.fullmatch(r"UC[A-Za-z0-9_\-]{22}", value):
            raise SourceError(
                f"“{value}” is not a YouTube channel id (UC followed by 22 characters)"
            )
        return SourceSpec(
            "feed",
            f"https://www.youtube.com/feeds/videos.xml?channel_id={value}",
            every_seconds,
            f"YouTube {value}",
        )
    if kind == "github":
        if not re.fullmatch(r"[A-Za-z0-9\-]{1,39}/[A-Za-z0-9_.\-]{1,100}", value):
            raise SourceError(
                f"“{value}” is not a GitHub repository: write owner/repo, e.g. kubernetes/kubernetes"
            )
        return SourceSpec(
            "feed", f"https://github.com/{value}/releases.atom", every_seconds, f"GitHub {value}"
        )
    if kind == "x":
        if len(value) > 512:
            raise SourceError("X search queries are limited to 512 characters")
        return SourceSpec("x", value, every_seconds, f"X “{value}”")
    raise SourceError(
        f"“{kind}” is not a kind of source Hark knows; use one of: {', '.join(KINDS)}"
    )


_EXAMPLES = {
    "url": "https://example.com/feed.xml",
    "reddit": "r/devops",
    "hn": "kubernetes",
    "stackoverflow": "kubernetes",
    "mastodon": "kubernetes@mastodon.social",
    "bluesky": "alice.bsky.social",
    "youtube": "UCxxxxxxxxxxxxxxxxxxxxxx",
    "github": "owner/repo",
    "x": '"acme cloud" -is:retweet',
}


def origin_of(url: str) -> str:
    """Which network a feed URL belongs to: reddit, hn, stackoverflow, … or feed."""
    host = (urlsplit(url).hostname or "").lower()
    checks = (
        ("reddit", ("reddit.com",)),
        ("hn", ("news.ycombinator.com", "hnrss.org")),
        ("stackoverflow", ("stackoverflow.com", "stackexchange.com")),
        ("youtube", ("youtube.com",)),
        ("github", ("github.com",)),
        ("bluesky", ("bsky.app",)),
    )
    for name, hosts in checks:
        if any(host == h or host.endswith("." + h) for h in hosts):
            return name
    if "/tags/" in url and url.endswith(".rss"):
        return "mastodon"
    return "feed"
