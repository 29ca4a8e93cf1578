"""Verified replies: watch a claimed conversation's thread for the owner's own reply.

Where the origin publishes its threads, Hark reads them like any feed (Fetcher, then
parse_feed): a Reddit post's comments feed (``<post link>.rss``), a Hacker News item
(hnrss.org), a Stack Overflow question's answers (``/feeds/question/<id>``), and on X a
recent search ``conversation_id:<id> from:<handle>`` (only the owner's posts, since X
bills each post read). When a reply by the owner's registered handle shows up, the
conversation is marked replied, verified, with that reply's link.

Threads are looked at every WATCH_EVERY (X: X_WATCH_EVERY) for WATCH_DAYS after the claim,
less often after failures. An owner without a handle on that network is looked at
again later (they may register one).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from bot.engage.transitions import Engagement
from bot.fetch.client import Fetcher, FetchError
from bot.models import Post, ReplyWatchDue
from bot.parse.feeds import FeedError, parse_feed
from bot.parse.normalize import canonical_url
from bot.store import Store

log = logging.getLogger(__name__)

WATCH_DAYS = 7
WATCH_EVERY = 15 * 60.0
X_WATCH_EVERY = 60 * 60.0
NO_HANDLE_EVERY = 6 * 3600.0
MAX_BACKOFF = 6 * 3600.0
PER_RUN = 25

_REDDIT_HOSTS = ("reddit.com",)
_SE_HOSTS = ("stackoverflow.com", "stackexchange.com", "serverfault.com", "superuser.com")
_REDDIT_POST = re.compile(r"^/r/[^/]+/comments/[a-z0-9]+(/[^/]*)?/?$", re.IGNORECASE)
_SO_QUESTION = re.compile(r"^/questions/(\d+)(/|$)")
_HN_ITEM = re.compile(r"^/item$")
_X_STATUS = re.compile(r"^/[A-Za-z0-9_]{1,15}/status/(\d+)")
_ATOM = "{http://www.w3.org/2005/Atom}"
_SO_USER = re.compile(r"/users/(\d+)")
# The network whose registered handle must have written the reply.
ACCOUNT_FOR = {"reddit": "reddit", "hn": "hn", "stackoverflow": "stackoverflow", "x": "x"}


@dataclass(frozen=True)
class Thread:
    """Where a conversation's replies can be read."""

    network: str  # reddit | hn | stackoverflow | x
    feed_url: str | None = None  # feed networks
    conversation_id: str | None = None  # X


def _on(host: str, hosts: Iterable[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in hosts)


def thread_of(link: str | None, source_kind: str, thread_id: str | None) -> Thread | None:
    """The watchable thread of a post, or None where the origin publishes none.

    The network comes from the source the post was heard on (or the link's host); the
    thread from the link, so a post served from anywhere keeps the same rule.
    """
    parts = urlsplit(link or "")
    host = (parts.hostname or "").lower()
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    if source_kind == "x" or _on(host, ("x.com", "twitter.com")):
        status = _X_STATUS.match(parts.path)
        conversation = thread_id or (status.group(1) if status else None)
        return Thread("x", conversation_id=conversation) if conversation else None
    if (source_kind == "reddit" or _on(host, _REDDIT_HOSTS)) and _REDDIT_POST.match(parts.path):
        return Thread(
            "reddit", feed_url=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) + ".rss"
        )
    if source_kind == "stackoverflow" or _on(host, _SE_HOSTS):
        question = _SO_QUESTION.match(parts.path)
        if question and origin:
            return Thread("stackoverflow", feed_url=f"{origin}/feeds/question/{question.group(1)}")
        return None
    if source_kind == "hn" or host == "news.ycombinator.com":
        item = thread_id
        if not item and host == "news.ycombinator.com" and _HN_ITEM.match(parts.path):
            item = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("id")
        if item and item.isdigit():
            return Thread("hn", feed_url=f"https://hnrss.org/item?id={item}")
    return None


def handle_of(network: str, author: str) -> str:
    """The canonical handle (as /register stores it) of a feed entry's author."""
    author = author.strip()
    if network == "reddit":
        name = author.lstrip("/").lower()
        return name if name.startswith("u/") else "u/" + name
    if network == "x":
        first = author.split(" ", 1)[0].lower()
        return first if first.startswith("@") else "@" + first
    return author.lower()


def stackoverflow_authors(data: bytes) -> dict[str, str]:
    """Stack Exchange Atom feeds name each entry's author by a profile URL (``/users/123``);
    Post keeps only the display name, so read the user ids here: canonical link -> id."""
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return {}
    found: dict[str, str] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        uri = entry.findtext(f"{_ATOM}author/{_ATOM}uri") or ""
        user = _SO_USER.search(uri)
        link = next(
            (
                el.get("href")
                for el in entry.iter(f"{_ATOM}link")
                if el.get("rel", "alternate") == "alternate" and el.get("href")
            ),
            None,
        )
        if user and link:
            found[canonical_url(link)] = user.group(1)
    return found


def reply_by(
    posts: Iterable[Post],
    network: str,
    handle: str,
    *,
    exclude_link: str | None = None,
    author_ids: Mapping[str, str] | None = None,
) -> Post | None:
    """The first post in ``posts`` written by ``handle`` that is not the conversation itself.

    ``author_ids`` (canonical link -> Stack Overflow user id) replaces author names where
    the handle is a numeric id.
    """
    handle = handle.strip().lower()
    exclude = canonical_url(exclude_link) if exclude_link else None
    for post in posts:
        if not post.link or canonical_url(post.link) == exclude:
            continue
        if author_ids is not None:
            who = author_ids.get(canonical_url(post.link), "")
        else:
            who = handle_of(network, post.author) if post.author else ""
        if who and who == handle:
            return post
    return None


def reply_in_x(posts: list[Post], handle: str, conversation_id: str) -> Post | None:
    """The owner's post in an X conversation, among posts from a recent search: not the
    opening post, and none of another conversation."""
    own = [
        p
        for p in posts
        if p.guid != str(conversation_id) and p.thread_id in (None, str(conversation_id))
    ]
    return reply_by(own, "x", handle)


XSearch = Callable[[Mapping[str, Any]], tuple[list[Post], str | None]]


class Verifier:
    """The periodic job: look at due threads, mark verified replies, refresh the cards."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        engagement: Engagement,
        *,
        refresh: Callable[[int], None],
        x_search: XSearch | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.engagement = engagement
        self.refresh = refresh
        self.x_search = x_search

    def run(self) -> list[int]:
        """Look at every due thread once; return the conversations found replied."""
        now = self.store.now()
        verified: list[int] = []
        for row in self.store.due_reply_watches(now, now - WATCH_DAYS * 86400, PER_RUN):
            thread = thread_of(row.link, row.source_kind, row.thread_id)
            handle = (
                self.store.accounts(row.owner).get(ACCOUNT_FOR[thread.network]) if thread else None
            )
            if thread is None or not handle or (thread.network == "x" and self.x_search is None):
                self.store.schedule_reply_watch(row.id, now + NO_HANDLE_EVERY)
                continue
            every = X_WATCH_EVERY if thread.network == "x" else WATCH_EVERY
            try:
                found, etag, last_modified = self._look(thread, handle, row)
            except (FetchError, FeedError) as exc:
                backoff = min(MAX_BACKOFF, every * 2 ** min((row.failures or 0) + 1, 6))
                self.store.schedule_reply_watch(row.id, now + backoff, error=exc.message)
                log.info("thread of conversation %s unreadable: %s", row.id, exc.message)
                continue
            self.store.schedule_reply_watch(
                row.id, now + every, etag=etag, last_modified=last_modified
            )
            if found is not None and found.link:
                at = found.published.timestamp() if found.published else None
                if self.engagement.verified_reply(row.id, found.link, at).ok:
                    verified.append(row.id)
                    self.refresh(row.id)
        return verified

    def _look(
        self, thread: Thread, handle: str, row: ReplyWatchDue
    ) -> tuple[Post | None, str | None, str | None]:
        if thread.network == "x":
            assert self.x_search is not None and thread.conversation_id
            query = f"conversation_id:{thread.conversation_id} from:{handle.lstrip('@')}"
            posts, _newest = self.x_search.search(query)
            return reply_in_x(posts, handle, thread.conversation_id), None, None
        assert thread.feed_url
        result = self.fetcher.fetch(thread.feed_url, etag=row.etag, last_modified=row.last_modified)
        if result.body is None:  # 304: nothing new in the thread
            return None, result.etag, result.last_modified
        feed = parse_feed(result.body, result.url)
        ids = stackoverflow_authors(result.body) if thread.network == "stackoverflow" else None
        found = reply_by(feed.posts, thread.network, handle, exclude_link=row.link, author_ids=ids)
        return found, result.etag, result.last_modified
