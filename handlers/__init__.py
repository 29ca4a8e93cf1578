"""The one place Slack listeners are registered."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.ops.commandtext import normalize_command_text
from bot.wiring import Services
from handlers import actions, digest, events, hark, register, views, who_covers


def register_listeners(app: App, services: Services) -> None:
    """Attach every listener; each finds Hark's services in ``context["hark"]``."""

    @app.middleware
    def inject_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["hark"] = services
        next()

    @app.middleware
    def refuse_replays(req: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
        # Bolt refuses stale timestamps (> 5 min); inside that window a captured request
        # could be sent again. Each Slack delivery is signed afresh, so a signature seen
        # twice is a replay. The store remembers them for every process, across restarts.
        # (Runs after Bolt's signature check: only genuine signatures are recorded.)
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        if signature and not services.store.first_delivery(signature):
            return BoltResponse(status=401, body="replayed request")
        next()
        return None

    @app.middleware
    def skip_timed_out_retries(
        req: BoltRequest, context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        # Slack retries an event it thinks we missed. After an http_timeout we did
        # receive the first delivery and are handling it: doing it again would repeat
        # the work. Other reasons (we answered 5xx, or were unreachable) are handled.
        retry = req.headers.get("x-slack-retry-num")
        reason = (req.headers.get("x-slack-retry-reason") or [""])[0]
        if retry and reason == "http_timeout":
            return BoltResponse(status=200, body="")
        next()
        return None

    app.middleware(normalize_command_text)  # slash-command text made plain for parsers
    register.register(app)
    who_covers.register(app)
    digest.register(app)
    hark.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
