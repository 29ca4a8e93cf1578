"""``create_app``: the Bolt app, wired to Hark's services and listeners."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.config import Settings
from bot.store import Store
from bot.wiring import Services, build_services
from handlers import register_listeners

log = logging.getLogger(__name__)


class _NoTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment on its own and, given our shared
    client as well, logs "As you gave `client` as well, `token` will be unused." at every
    start: true, expected, and noise to an operator. Only that line is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def create_app(
    settings: Settings,
    store: Store,
    services: Services | None = None,
    *,
    process_before_response: bool = False,
) -> App:
    """Build the Bolt app. Tests pass ``process_before_response=True`` so listeners
    finish before ``dispatch`` returns; in production each listener acks first."""
    services = services or build_services(settings, store)
    bolt_log = logging.getLogger("hark.bolt")
    if not any(isinstance(f, _NoTokenNotice) for f in bolt_log.filters):
        bolt_log.addFilter(_NoTokenNotice())
    app = App(
        client=services.client,
        signing_secret=settings.signing_secret,
        process_before_response=process_before_response,
        # auth.test at construction would make start-up depend on Slack being up;
        # `hark doctor` checks the token instead.
        token_verification_enabled=False,
        # Bolt's own check of the x-slack-request-timestamp window (5 min) stays on.
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
        logger=bolt_log,
    )
    register_listeners(app, services)
    return app
