"""`hark run` from start to stop: check the tokens, start, serve, and shut down in order.

Start: the tokens are checked with Slack before anything starts (no scheduler, no poll,
nothing posted); a refused token is one line naming the variable and the fix, exit 2.

Roles (``hark run --role``): ``all`` (the default, and the only one SQLite allows) answers
Slack and polls; ``web`` answers Slack (HTTP or Socket Mode) and never polls or schedules;
``poller`` polls, sends the outbox and runs the scheduled jobs while it leads (one poller at a
time, bot/ops/leader.py) and serves only /healthz and /metrics. docs/scaling.md.

Stop (SIGTERM, SIGINT, or a fatal error such as Socket Mode turned off): stop taking
requests (close the Socket Mode link or the HTTP server), let the requests in hand finish,
stop the scheduler and wait for its running tick, let go of the lead, then close the
fetcher and the store.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import ConfigError, Settings
from bot.dburl import scrub, shown
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


def run_bot(settings: Settings, role: str = "all") -> int:
    """The bot in one of its roles (``ROLES``), until told to stop: ``all`` answers Slack and
    polls; ``web`` only answers Slack; ``poller`` only polls, sends and runs the scheduled
    jobs, while it leads (bot/ops/leader.py)."""
    answers, polls = role in ("all", "web"), role in ("all", "poller")
    if not answers:  # a poller opens no Socket Mode link: its app token is not its concern
        settings = replace(settings, app_token=None)
    tokens = check_tokens(settings)
    if tokens.problem:
        print(tokens.problem, file=sys.stderr)
        return 2

    from bot.app import create_app
    from bot.ops.leader import Leader
    from bot.ops.scheduler import Ticker
    from bot.ops.web import POLLER_ONLY, make_server, wsgi_app
    from bot.store import Store
    from bot.wiring import build_services

    stopper = Stopper()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stopper.on_signal)

    try:
        store = Store(settings.db_path)
    except Exception as exc:  # noqa: BLE001 - one line, the password never shown
        db = settings.db_path
        print(
            f"hark: cannot open the database {shown(db)} ({scrub(reason(exc), db)}); check "
            "HARK_DB (or DATABASE_URL) and that the database answers, then start Hark again.",
            file=sys.stderr,
        )
        return 2
    try:
        services = build_services(settings, store)  # resolves #channel names in the config
    except ConfigError as exc:
        store.close()
        print(f"hark: config error: {exc}", file=sys.stderr)
        return 2
    app = create_app(settings, store, services) if answers else None
    link = None
    if app is not None and settings.app_token:
        from bot.ops.socket_mode import SocketModeLink

        link = SocketModeLink(
            app,
            settings.app_token,
            api_url=settings.slack_api_url,
            on_fatal=stopper.fail,
            first_url=tokens.socket_url,
        )
    leader = Leader(settings.db_path, name=f"hark-{role}") if polls else None
    ticker = Ticker(leader_tick(leader, services)) if leader is not None else None

    def health() -> dict[str, Any]:
        return role_health(role, store, ticker=ticker, link=link, leader=leader)

    # HTTP mode serves Slack's requests; Socket Mode and the poller only /healthz and /metrics.
    application = wsgi_app(
        None if link else app,
        health,
        lambda: services.metrics.render(store) + leader_metric(leader),
        settings=settings,
        no_slack=None if answers else POLLER_ONLY,
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
    mode = ("Socket Mode" if link else "HTTP") if answers else "health and metrics only"
    log.info("role %s: listening on port %s (%s)", role, settings.port, mode)
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
        if ticker is not None and leader is not None and not stopper.event.is_set():
            ticker.start()  # polling starts once Slack can be answered
            wake = ticker.wake
            leader.start(lambda leading: wake() if leading else None)
        stopper.wait()
    finally:
        shutdown(server, link, app, ticker, services, store, stopper, leader)
    if stopper.fatal:
        print(stopper.fatal, file=sys.stderr)
        return 1
    return 0


def leader_tick(leader: Any, services: Any) -> Callable[[], None]:
    """The scheduler's tick for a poller: work only while leading. The lead is re-checked at
    the start (one round trip) and before each step (the leadership thread's last word), so
    a poller that lost it stops at once and the new leader carries on."""

    def tick() -> None:
        if leader.check():
            services.poll_and_deliver(go_on=lambda: leader.leading)

    return tick


def leader_metric(leader: Any) -> str:
    """``hark_leading`` for /metrics: 1 while this poller leads, 0 while it stands by (a
    web worker has none). Alert when no poller of a deployment has led for minutes."""
    if leader is None:
        return ""
    return (
        "# HELP hark_leading 1 while this poller leads (polls, sends, runs the jobs), else 0\n"
        "# TYPE hark_leading gauge\n"
        f"hark_leading {int(leader.leading)}\n"
    )


def role_health(
    role: str, store: Any, *, ticker: Any = None, link: Any = None, leader: Any = None
) -> dict[str, Any]:
    """/healthz for a role: a web worker has no scheduler and needs none; a poller needs its
    scheduler running, and is healthy whether it leads or stands by (``leader`` says which)."""
    from bot.ops.web import health_report

    report = health_report(
        store,
        (lambda: ticker.running) if ticker is not None else None,
        scheduler=ticker.status if ticker is not None else None,
        link=link.health if link is not None else None,
    )
    report["role"] = role
    if leader is not None:
        report["leader"] = leader.status()
    if role == "poller":
        report.pop("mode", None)  # it answers no Slack request, by HTTP or Socket Mode
    return report


def shutdown(
    server: Any,
    link: Any,
    app: Any,
    ticker: Any,
    services: Any,
    store: Any,
    stopper: Stopper,
    leader: Any = None,
) -> None:
    """Stop in order; each step runs even when one before it failed. A part this role does
    not have (None) is skipped."""
    log.info("stopping (%s)", stopper.signal_name or ("fatal error" if stopper.fatal else "exit"))
    steps: list[tuple[str, Callable[[], None] | None]] = [
        ("the Socket Mode link", link.stop if link else None),
        ("the HTTP server", lambda: _close_server(server)),
        (
            "listeners in hand",
            (lambda: app.listener_runner.listener_executor.shutdown(wait=True)) if app else None,
        ),
        ("the scheduler", ticker.stop if ticker else None),
        ("the lead", leader.stop if leader else None),  # after the last tick: then let go
        ("the fetcher", services.fetcher.close),
        ("the store", store.close),
    ]
    for name, step in steps:
        if step is None:
            continue
        try:
            step()
        except Exception:
            log.exception("while stopping %s", name)
    log.info("stopped")


def _close_server(server: Any) -> None:
    """Stop accepting connections, then let the requests in hand finish (up to 5 s)."""
    server.close()
    server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
