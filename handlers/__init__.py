"""The one place Slack listeners are registered."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.commandtext import normalize_command_text
from bot.services import Services
from handlers import actions, digest, events, hark, register, views, who_covers


class ReplayGuard:
    """Remembers request signatures for a little longer than Slack's 5-minute window."""

    WINDOW = 360.0

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, signature: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen = {k: t for k, t in self._seen.items() if now - t < self.WINDOW}
            seen = self._seen.get(signature)
            if seen is not None and now - seen < self.WINDOW:
                return False
            self._seen[signature] = now
            return True


def register_listeners(app: App, services: Services) -> None:
    """Attach every listener; each finds Hark's services in ``context["hark"]``."""

    @app.middleware
    def inject_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["hark"] = services
        next()

    replays = ReplayGuard()

    @app.middleware
    def refuse_replays(req: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
        # Bolt refuses stale timestamps (> 5 min); inside that window a captured request
        # could be sent again. Each Slack delivery is signed afresh, so a signature seen
        # twice is a replay.
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        if signature and not replays.first_time(signature):
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
