"""Channel names to channel IDs.

Real Slack takes a channel's ``#name`` only on chat.postMessage (and
chat.postEphemeral); chat.update, conversations.history, chat.getPermalink and
files.completeUploadExternal want the ID. So Hark turns every name it is given
(in the config, in ``/hark topics add``) into the ID once, and keeps the ID.

``ChannelResolver.resolve`` is the one function for that: it looks names up with
conversations.list (public channels, and the private ones the bot is in), caches
the answer, and asks Slack again for a name it has not seen, at most once a minute.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # slack_sdk is imported when a channel is looked up, not at start-up
    from slack_sdk import WebClient

from bot.config import Config, ConfigError, DigestSettings

log = logging.getLogger(__name__)

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_NAME = re.compile(r"^#?([a-z0-9][a-z0-9_\-]{0,79})$")
PAGE = 1000  # conversations.list's largest page
MAX_PAGES = 50  # 50,000 channels: far beyond any workspace Hark serves
REFRESH_AFTER = 60.0  # seconds before a name not found may be looked up again
TYPES = "public_channel,private_channel"


class ChannelNotFound(LookupError):
    """No channel of that name that the bot can see."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def is_channel_id(value: str | None) -> bool:
    """``C…`` or ``G…``: what every Web API method takes."""
    return bool(value and CHANNEL_ID.match(value))


def channel_name(value: str) -> str | None:
    """``devops`` for ``#devops`` or ``devops``; None for anything that is not a name."""
    m = _NAME.match(value.strip().lower())
    return m.group(1) if m else None


class ChannelResolver:
    """Channel IDs for names, from conversations.list; safe to share between threads."""

    def __init__(
        self,
        client: WebClient,
        *,
        clock: Callable[[], float] = time.monotonic,
        refresh_after: float = REFRESH_AFTER,
    ) -> None:
        self.client = client
        self.clock = clock
        self.refresh_after = refresh_after
        self._ids: dict[str, str] = {}
        self._listed_at: float | None = None
        self._lock = threading.Lock()

    def resolve(self, value: str) -> str:
        """The ID of the channel ``value`` names (an ID is returned as it is).

        Raises ChannelNotFound when no channel of that name is visible to the bot (a
        private channel it is not in, an archived or a misspelt one), and SlackApiError
        or OSError when Slack cannot be asked.
        """
        value = value.strip()
        if is_channel_id(value):
            return value
        name = channel_name(value)
        if name is None:
            raise ChannelNotFound(value.lstrip("#"))
        with self._lock:
            found = self._ids.get(name)
            if found is None and self._may_refresh():
                self._ids = self._list_channels()
                self._listed_at = self.clock()
                found = self._ids.get(name)
        if found is None:
            raise ChannelNotFound(name)
        return found

    def remember(self, name: str, channel_id: str) -> None:
        """Record a name's ID learnt elsewhere (e.g. chat.postMessage's answer)."""
        key = channel_name(name)
        if key and is_channel_id(channel_id):
            with self._lock:
                self._ids[key] = channel_id

    def _may_refresh(self) -> bool:
        return self._listed_at is None or self.clock() - self._listed_at >= self.refresh_after

    def _list_channels(self) -> dict[str, str]:
        from slack_sdk.errors import SlackApiError

        try:
            return self._pages(TYPES)
        except SlackApiError as exc:
            if exc.response.get("error") != "missing_scope":
                raise
            # Without groups:read only public channels can be listed.
            log.warning("conversations.list: no groups:read scope; private channels not looked up")
            return self._pages("public_channel")

    def _pages(self, types: str) -> dict[str, str]:
        ids: dict[str, str] = {}
        cursor = None
        for _ in range(MAX_PAGES):
            response = self.client.conversations_list(
                types=types, exclude_archived=True, limit=PAGE, cursor=cursor
            )
            for channel in response.get("channels") or []:
                name, cid = channel.get("name"), channel.get("id")
                if isinstance(name, str) and is_channel_id(cid):
                    ids[name.lower()] = cid
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return ids


def look_up_channel(resolver: ChannelResolver | None, word: str) -> tuple[str, str | None]:
    """``(ID, None)`` for a channel typed by name (``#devops`` or ``devops``), or
    ``("", what to tell the person)`` when it cannot be found. For slash commands."""
    from slack_sdk.errors import SlackApiError

    name = channel_name(word)
    if name is None:
        return "", "That isn't a channel name: pick the channel with `#` so Slack links it."
    if resolver is None:
        return "", f"Hark can't look up #{name} here: give the channel's ID (`C…`) instead."
    try:
        return resolver.resolve(name), None
    except ChannelNotFound:
        return "", (
            f"Hark can't see a channel #{name}. Check the spelling; if the channel is private, "
            f"invite Hark first (`/invite @Hark` in #{name}), then try again."
        )
    except (SlackApiError, OSError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else None
        log.warning("channel lookup for #%s failed: %s", name, error or type(exc).__name__)
        return "", (
            f"Hark couldn't ask Slack about #{name} just now. Try again in a minute, "
            "or give the channel's ID (`C…`)."
        )


def needs_resolution(config: Config) -> bool:
    """Whether the config names any channel by name rather than by ID."""
    channels = [t.channel for t in config.topics] + [config.digest.channel]
    return any(c and not is_channel_id(c) for c in channels)


def resolve_config_channels(config: Config, resolver: ChannelResolver, where: str) -> Config:
    """The config with every channel name replaced by its ID.

    Raises ConfigError naming the key of a channel the bot cannot see, or saying
    why Slack could not be asked.
    """
    topics = []
    for i, topic in enumerate(config.topics):
        channel = _resolve(resolver, topic.channel, where, f"topics[{i}].channel")
        topics.append(dataclasses.replace(topic, channel=channel))
    digest = config.digest
    if digest.channel:
        digest = DigestSettings(
            channel=_resolve(resolver, digest.channel, where, "digest.channel"),
            schedule=digest.schedule,
        )
    return dataclasses.replace(config, topics=tuple(topics), digest=digest)


def _resolve(resolver: ChannelResolver, value: str, where: str, key: str) -> str:
    from slack_sdk.errors import SlackApiError

    if is_channel_id(value):
        return value
    shown = "#" + value.lstrip("#")
    try:
        return resolver.resolve(value)
    except ChannelNotFound:
        raise ConfigError(
            where,
            key,
            f"no channel {shown} that the bot can see; invite @Hark or give the channel ID",
        ) from None
    except SlackApiError as exc:
        error = exc.response.get("error", "an error")
        raise ConfigError(
            where,
            key,
            f"could not look up {shown}: Slack answered {error}; check SLACK_BOT_TOKEN and the "
            "app's scopes (channels:read, groups:read), or give the channel ID",
        ) from None
    except OSError as exc:
        raise ConfigError(
            where,
            key,
            f"could not look up {shown}: Slack unreachable ({type(exc).__name__}); check the "
            "network or SLACK_API_URL, or give the channel ID",
        ) from None
