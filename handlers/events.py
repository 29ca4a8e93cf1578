"""Events: the App Home tab."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.home import home_view
from bot.services import Services


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)


def publish_home(event: dict, client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    hark: Services = context["hark"]
    user = event["user"]
    mine = hark.store.conversations_for_owner(user, ("claimed",))
    registered = hark.store.person(user) is not None
    client.views_publish(
        user_id=user, view=home_view(mine, registered, hark.store.person_topics(user))
    )
