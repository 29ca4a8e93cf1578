"""Direct messages to the admins: a channel Hark cannot post in, a card Slack keeps
refusing, a source down for a day; each said once."""

from __future__ import annotations

import logging
from typing import Protocol

from slack_sdk import WebClient

from bot.models import Conversation, Source
from bot.store import Store

log = logging.getLogger(__name__)


class NoticeTexts(Protocol):
    """How each notice reads: bot/blocks/notices.py, given by the wiring."""

    def channel_trouble(self, channel: str, error: str) -> str: ...
    def cards_refused(self, error: str, a_day: int) -> str: ...
    def card_given_up(self, row: Conversation, error: str) -> str: ...
    def source_down(self, row: Source) -> str: ...


class AdminNotifier:
    """Direct messages to the admins; ``once`` sends a given notice only once, ever."""

    def __init__(
        self, client: WebClient, store: Store, admins: frozenset[str], texts: NoticeTexts
    ) -> None:
        self.client, self.store, self.admins, self.texts = client, store, admins, texts

    def notify(self, text: str) -> None:
        for admin in sorted(self.admins):
            try:
                self.client.chat_postMessage(channel=admin, text=text)
            except Exception as exc:  # noqa: BLE001 - a notice must never stop polling
                log.warning("could not notify admin %s: %s", admin, type(exc).__name__)

    def once(self, key: str, text: str) -> None:
        if self.store.add_notice(key):
            self.notify(text)

    def channel_trouble(self, channel: str, error: str) -> None:
        self.once(f"channel:{channel}:{error}", self.texts.channel_trouble(channel, error))

    # At most this many "card set aside" DMs a day, then one saying more were: when Slack
    # refuses every card, the cause is Hark (or Slack), not the posts.
    CARDS_GIVEN_UP_A_DAY = 3

    def card_given_up(self, row: Conversation, error: str) -> None:
        """Slack refused one conversation's card several times; say so once."""
        day = int(self.store.now() // 86400)
        if not any(
            self.store.add_notice(f"cards-given-up:{day}:{n}")
            for n in range(self.CARDS_GIVEN_UP_A_DAY)
        ):
            self.once(
                f"cards-given-up:{day}:more",
                self.texts.cards_refused(error, self.CARDS_GIVEN_UP_A_DAY),
            )
            return
        self.once(f"card:{row.id}:gave-up", self.texts.card_given_up(row, error))

    def source_down(self, row: Source) -> None:
        # The poller calls this once per failure streak (a compare-and-set in the store).
        self.notify(self.texts.source_down(row))
