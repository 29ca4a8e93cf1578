"""Events: the App Home tab."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.authz import Actor
from bot.blocks.home import SHOWN, home_view
from bot.engage.home import home_summary
from bot.wiring import Services


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)


def publish_home(event: dict, client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    hark: Services = context["hark"]
    if hark.authz.may(Actor(event["user"]), "home.open"):  # one's own Home only
        publish_home_for(hark, client, event["user"])


def publish_home_for(hark: Services, client: WebClient, user: str) -> None:
    """Render and publish one person's Home tab (on opening it, and after a claim there)."""
    summary = home_summary(hark.store, user)
    view = home_view(summary, hark.store.now(), _permalinks(client, summary.mine[:SHOWN]))
    client.views_publish(user_id=user, view=view)


def _permalinks(client: WebClient, rows: list) -> dict[int, str]:
    """Each sent card's link, for "Open the card in the channel" (a card Slack cannot find
    is shown without one)."""
    found: dict[int, str] = {}
    for row in rows:
        if not row.ts:
            continue
        try:
            answer = client.chat_getPermalink(channel=row.channel, message_ts=row.ts)
        except SlackApiError:
            continue
        if answer.get("permalink"):
            found[row.id] = answer["permalink"]
    return found
