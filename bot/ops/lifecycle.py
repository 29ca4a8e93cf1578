"""`hark run` from start to stop: check the tokens, start, serve, and shut down in order.

Start: the tokens are checked with Slack before anything starts (no scheduler, no poll,
nothing posted); a refused token is one line naming the variable and the fix, exit 2.

Stop (SIGTERM, SIGINT, or a fatal error such as Socket Mode turned off): stop taking
requests (close the Socket Mode link or the HTTP server), let the requests in hand finish,
stop the scheduler and wait for its running tick, then close the fetcher and the store.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import ConfigError, Settings
from bot.error_text import reason

log = logging.getLogger("hark")

# What to do about each refusal Slack gives for a token, in one sentence.
TOKEN_FIXES = {
    "invalid_auth": "Slack does not recognise it",
    "not_authed": "it is empty",
    "account_inactive": "its app or workspace was deactivated",
    "token_revoked": "it was revoked",
    "token_expired": "it has expired",
    "not_allowed_token_type": "it is the wrong kind of token",
}
BOT_FIX = "copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions at api.slack.com/apps"
APP_FIX = (
    "create an app-level token (xapp-…) with the connections:write scope under Basic "
    "Information > App-Level Tokens at api.slack.com/apps, or unset it to run in HTTP mode"
)


@dataclass
class TokenCheck:
    """What Slack said about the tokens: ``problem`` is one line to print, or None."""

    problem: str | None = None
    # The WebSocket URL apps.connections.open gave: the first connection uses it, so
    # starting costs one call of that rate-limited (Tier 1) method, not two.
    socket_url: str | None = None


def check_tokens(settings: Settings, timeout: float = 10) -> TokenCheck:
    """Ask Slack about SLACK_BOT_TOKEN (auth.test) and SLACK_APP_TOKEN (apps.connections.open)."""
    checks: list[tuple[str, str, Callable[[WebClient], Any], str]] = [
        ("SLACK_BOT_TOKEN", settings.bot_token or "", lambda c: c.auth_test(), BOT_FIX)
    ]
    if settings.app_token:
        checks.append(
            (
                "SLACK_APP_TOKEN",
                settings.app_token,
                lambda c: c.apps_connections_open(app_token=settings.app_token),
                APP_FIX,
            )
        )
    result = TokenCheck()
    for variable, token, call, fix in checks:
        client = WebClient(token=token, base_url=settings.slack_api_url, timeout=timeout)
        try:
            answer = call(client)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "an error")
            what = TOKEN_FIXES.get(error, f"Slack answered {error}")
            result.problem = f"hark: {variable} was refused by Slack ({error}: {what}); {fix}."
            return result
        except Exception as exc:  # noqa: BLE001 - a network failure is one line too
            result.problem = (
                f"hark: could not reach Slack at {settings.slack_api_url} to check {variable} "
                f"({reason(exc)}); check the network (and SLACK_API_URL), then retry."
            )
            return result
        if variable == "SLACK_APP_TOKEN":
            result.socket_url = answer.get("url")
    return result


class Stopper:
    """Set by a signal or a fatal error; remembers the first fatal message."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.fatal: str | None = None
        self.signal_name: str | None = None

    def fail(self, message: str) -> None:
        if self.fatal is None:
            self.fatal = message
        self.event.set()

    def on_signal(self, signum: int, _frame: object) -> None:
        self.signal_name = signal.Signals(signum).name
        self.event.set()

    def wait(self) -> None:
        while not self.event.wait(0.5):
            pass


def run_bot(settings: Settings) -> int:
    """The bot: listeners plus the scheduler, in one process, until told to stop."""
    tokens = check_tokens(settings)
    if tokens.problem:
        print(tokens.problem, file=sys.stderr)
        return 2

    from bot.app import create_app
    from bot.ops.scheduler import Ticker
    from bot.ops.web import health_report, make_server, wsgi_app
    from bot.store import Store
    from bot.wiring import build_services

    stopper = Stopper()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stopper.on_signal)

    store = Store(settings.db_path)
    try:
        services = build_services(settings, store)  # resolves #channel names in the config
    except ConfigError as exc:
        store.close()
        print(f"hark: config error: {exc}", file=sys.stderr)
        return 2
    app = create_app(settings, store, services)
    link = None
    if settings.app_token:
        from bot.ops.socket_mode import SocketModeLink

        link = SocketModeLink(
            app,
            settings.app_token,
            api_url=settings.slack_api_url,
            on_fatal=stopper.fail,
            first_url=tokens.socket_url,
        )
    ticker = Ticker(services.poll_and_deliver)

    def health() -> dict[str, Any]:
        return health_report(
            store,
            lambda: ticker.running,
            scheduler=ticker.status,
            link=link.health if link else None,
        )

    # HTTP mode serves Slack's requests; Socket Mode only /healthz and /metrics.
    application = wsgi_app(
        None if link else app, health, lambda: services.metrics.render(store), settings=settings
    )
    try:
        server = make_server(application, settings.port)
    except OSError as exc:
        services.fetcher.close()
        store.close()
        print(
            f"hark: cannot listen on port {settings.port} (PORT): {exc.strerror or exc}; stop "
            "what uses it or set PORT to a free port, then start Hark again.",
            file=sys.stderr,
        )
        return 2
    server_thread = threading.Thread(target=server.run, name="http", daemon=True)
    server_thread.start()
    log.info("listening on port %s (%s)", settings.port, "Socket Mode" if link else "HTTP")
    try:
        if link:
            log.info("starting in Socket Mode")
            try:
                link.start()
            except Exception as exc:  # noqa: BLE001 - one line, not a traceback
                stopper.fail(
                    f"hark: could not open the Socket Mode connection ({reason(exc)}); "
                    "check SLACK_APP_TOKEN and the network, then start Hark again."
                )
        if not stopper.event.is_set():
            ticker.start()  # polling starts once Slack can be answered
        stopper.wait()
    finally:
        shutdown(server, link, app, ticker, services, store, stopper)
    if stopper.fatal:
        print(stopper.fatal, file=sys.stderr)
        return 1
    return 0


def shutdown(
    server: Any, link: Any, app: Any, ticker: Any, services: Any, store: Any, stopper: Stopper
) -> None:
    """Stop in order; each step runs even when one before it failed."""
    log.info("stopping (%s)", stopper.signal_name or ("fatal error" if stopper.fatal else "exit"))
    steps: list[tuple[str, Callable[[], None]]] = [
        ("the Socket Mode link", link.stop if link else lambda: None),
        ("the HTTP server", lambda: _close_server(server)),
        ("listeners in hand", lambda: app.listener_runner.listener_executor.shutdown(wait=True)),
        ("the scheduler", ticker.stop),
        ("the fetcher", services.fetcher.close),
        ("the store", store.close),
    ]
    for name, step in steps:
        try:
            step()
        except Exception:
            log.exception("while stopping %s", name)
    log.info("stopped")


def _close_server(server: Any) -> None:
    """Stop accepting connections, then let the requests in hand finish (up to 5 s)."""
    server.close()
    server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
