"""The one place Slack listeners are registered."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext

from bot.services import Services
from handlers import actions, digest, events, hark, register, views, who_covers


def register_listeners(app: App, services: Services) -> None:
    """Attach every listener; each finds Hark's services in ``context["hark"]``."""

    @app.middleware
    def inject_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["hark"] = services
        next()

    register.register(app)
    who_covers.register(app)
    digest.register(app)
    hark.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
