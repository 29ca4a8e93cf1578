"""The one place Slack listeners are registered."""

from __future__ import annotations

from slack_bolt import App

from bot.wiring import Services
from handlers import actions, digest, events, hark, register, views, who_covers
from handlers.middleware import add_middleware


def register_listeners(app: App, services: Services) -> None:
    """Attach the middleware (handlers/middleware.py), then every listener; each finds
    Hark's services in ``context["hark"]``."""
    add_middleware(app, services)
    register.register(app)
    who_covers.register(app)
    digest.register(app)
    hark.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
