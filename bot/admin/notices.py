"""Direct messages to the admins: a channel Hark cannot post in, a card Slack keeps
refusing, a source down for a day; each said once."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.blocks.text import fit, link
from bot.error_text import plain
from bot.models import Conversation, Source
from bot.ops.channels import is_channel_id
from bot.store import Store

log = logging.getLogger(__name__)


class AdminNotifier:
    """Direct messages to the admins; ``once`` sends a given notice only once, ever."""

    def __init__(self, client: WebClient, store: Store, admins: frozenset[str]) -> None:
        self.client, self.store, self.admins = client, store, admins

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
        where = _channel_ref(channel)
        if error == "channel_not_found":
            what = (
                f"Hark cannot find the channel {where}: it was deleted, or it is private and "
                "Hark is not in it. Invite the bot with `/invite @Hark` in that channel, or "
                "point the topic at another one"
            )
        elif error in ("is_archived", "channel_is_archived"):
            what = f"{where} is archived. Unarchive it, or point the topic at another channel"
        else:
            what = (
                f"Hark cannot post in {where} ({fit(error, 60)}). Invite the bot with "
                "`/invite @Hark` in that channel"
            )
        self.once(
            f"channel:{channel}:{error}",
            f":warning: {what}; the conversations are kept and will be sent.",
        )

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
                f":warning: Slack keeps refusing Hark's conversation cards ({fit(error, 60)}): "
                f"more than {self.CARDS_GIVEN_UP_A_DAY} were set aside today, and no more "
                "messages about them will follow today. This is likely a fault in Hark, not "
                "in the posts: tell whoever runs Hark (the details are in Hark's log). Other "
                "cards are still sent.",
            )
            return
        title = row.title or row.text or "(untitled)"
        self.once(
            f"card:{row.id}:gave-up",
            f":warning: Slack refused the card for a *{fit(row.topic, 60, one_line=True)}* "
            f"conversation ({fit(error, 60)}) several times, so Hark stopped trying to post it "
            f"in {_channel_ref(row.channel)}: {link(row.link, title, 200)}. Every other "
            "conversation is still sent. If this happens again, tell whoever runs Hark "
            f"(conversation {row.id}, `{fit(error, 60)}`; the details are in Hark's log).",
        )

    def source_down(self, row: Source) -> None:
        # The poller calls this once per failure streak (a compare-and-set in the store).
        self.notify(
            f":warning: Source {row.id} ({fit(row.label or row.target, 200, one_line=True)})"
            f" has failed for a day: {fit(plain(row.last_error or ''), 300, one_line=True)}. "
            "Hark keeps "
            "retrying; `/hark sources` shows its health."
        )


def _channel_ref(channel: str) -> str:
    """``<#C…>`` (Slack shows the channel's name) for an ID; the escaped name otherwise."""
    return f"<#{channel}>" if is_channel_id(channel) else fit(channel, 80, one_line=True)
