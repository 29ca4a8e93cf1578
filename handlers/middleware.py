"""Bolt middleware: what every Slack request goes through before a listener runs."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.ops.commandtext import plain_command_text
from bot.wiring import Services


def add_middleware(app: App, services: Services) -> None:
    """In order: services in ``context["hark"]``, replays refused, timed-out retries
    skipped, slash-command text made plain."""

    def inject_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["hark"] = services
        next()

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

    app.middleware(inject_services)
    app.middleware(refuse_replays)
    app.middleware(skip_timed_out_retries)
    app.middleware(normalize_command_text)


def skip_timed_out_retries(req: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
    """Slack retries an event it thinks we missed; after an ``http_timeout`` we did get
    the first delivery and are handling it, so doing it again would repeat the work.
    Other reasons (we answered 5xx, or were unreachable) are handled."""
    retry = req.headers.get("x-slack-retry-num")
    reason = (req.headers.get("x-slack-retry-reason") or [""])[0]
    if retry and reason == "http_timeout":
        return BoltResponse(status=200, body="")
    next()
    return None


def normalize_command_text(req: BoltRequest, next: Callable[[], None]) -> None:
    """A slash command's ``text`` made plain (bot/ops/commandtext.py) before any parser."""
    body = req.body
    if isinstance(body, dict) and body.get("command") and isinstance(body.get("text"), str):
        body["text"] = plain_command_text(body["text"])
    next()
