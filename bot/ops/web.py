"""HTTP mode: one WSGI app for Slack's requests and the health check, served by waitress."""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App

from bot.config import Settings
from bot.ops.slack_http import MAX_BODY, SlackEndpoint
from bot.store import Store

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer

log = logging.getLogger(__name__)

Health = Callable[[], dict[str, Any]]


def health_report(
    store: Store,
    scheduler_running: Callable[[], bool] | None,
    *,
    scheduler: Callable[[], dict[str, Any]] | None = None,
    link: Callable[[], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What /healthz says: the database answers, the scheduler runs, when polling last worked;
    with ``scheduler``, its last tick; in Socket Mode (``link``), whether the link to Slack is
    up, its last hello and how often it reconnected. ``ok`` is false when any part is down.
    ``scheduler_running=None``: this process has no scheduler (a web worker), and needs none."""
    report: dict[str, Any] = {"ok": True}
    try:
        sources = store.sources(enabled_only=True)
        report["database"] = "ok"
        last = max((s.last_success_at or 0 for s in sources), default=0)
        report["last_successful_poll"] = last or None
        report["sources"] = len(sources)
        report["sources_failing"] = sum(1 for s in sources if s.consecutive_failures)
    except Exception as exc:  # noqa: BLE001 - the health check reports, never raises
        report["ok"] = False
        report["database"] = f"error: {type(exc).__name__}"
    if scheduler_running is None:
        report["scheduler"] = "none"
    else:
        report["scheduler"] = "running" if scheduler_running() else "stopped"
        if report["scheduler"] != "running":
            report["ok"] = False
    if scheduler is not None:
        report["ticks"] = scheduler()
    if link is not None:
        report["mode"] = "socket"
        report["socket_mode"] = state = link()
        if not state.get("connected"):
            report["ok"] = False
    else:
        report["mode"] = "http"
    report["time"] = time.time()
    return report


def wsgi_app(
    app: App | None,
    health: Health,
    metrics: Callable[[], str] | None = None,
    *,
    settings: Settings | None = None,
    no_slack: str | None = None,
) -> Callable[..., Iterable[bytes]]:
    """Route ``POST /slack/events`` to Bolt, ``GET /healthz`` and ``GET /metrics``.

    With ``app=None`` (Socket Mode) there is no Slack route: ``/slack/events`` answers 404
    and only the health check and the metrics are served. ``/metrics`` answers only a
    request bearing ``settings.metrics_token`` (``HARK_METRICS_TOKEN``); without a token
    it is off. ``no_slack``: what ``/slack/events`` answers without an app (default: the
    Socket Mode sentence).
    """
    settings = settings or Settings()
    slack = SlackEndpoint(app, settings.signing_secret) if app is not None else None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            report = health()
            body = json.dumps(report).encode()
            status = "200 OK" if report.get("ok") else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        if path == "/metrics" and metrics is not None:
            return _metrics(environ, start_response, metrics, settings.metrics_token)
        if path == "/slack/events":
            if slack is None:
                return _text(start_response, "404 Not Found", no_slack or SOCKET_MODE_ONLY)
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    return application


SOCKET_MODE_ONLY = (
    "This Hark runs in Socket Mode: Slack's requests arrive over its WebSocket, not here.\n"
)
POLLER_ONLY = (
    "This Hark is a poller (hark run --role poller): Slack's requests go to the web workers "
    "(hark run --role web).\n"
)
METRICS_OFF = (
    "GET /metrics is off. Set HARK_METRICS_TOKEN, then scrape with the header "
    "'Authorization: Bearer <token>'.\n"
)
METRICS_DENIED = "Send the header 'Authorization: Bearer <HARK_METRICS_TOKEN>' to read /metrics.\n"


def _metrics(
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    metrics: Callable[[], str],
    token: str | None,
) -> Iterable[bytes]:
    """The Prometheus text, for a GET bearing the token; 401 without it, 404 if off."""
    if environ.get("REQUEST_METHOD", "GET") != "GET":
        start_response("405 Method Not Allowed", [("Allow", "GET")])
        return [b""]
    if not token:
        return _text(start_response, "404 Not Found", METRICS_OFF)
    scheme, _, given = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        extra = [("WWW-Authenticate", 'Bearer realm="hark-metrics"')]
        return _text(start_response, "401 Unauthorized", METRICS_DENIED, extra)
    start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4")])
    return [metrics().encode()]


def _text(
    start_response: Callable[..., Any],
    status: str,
    text: str,
    headers: list[tuple[str, str]] | None = None,
) -> Iterable[bytes]:
    body = text.encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *(headers or []),
        ],
    )
    return [body]


# Waitress's limits, set for Slack's traffic (docs/operations.md, "HTTP server limits").
# Slack sends a handful of small requests per user action and waits 3 s for an answer.
SERVER_LIMITS: dict[str, Any] = {
    # Worker threads for requests; listeners ack() and hand slow work to Bolt's own pool.
    "threads": 8,
    # Open sockets before waitress stops accepting (idle ones count): far above Slack's
    # needs, so a few hundred idle or half-open connections cannot lock Slack out.
    "connection_limit": 500,
    # A connection with no complete request is closed after this many idle seconds,
    # checked every cleanup_interval seconds: a half-open socket lives about 20 s at most.
    "channel_timeout": 15,
    "cleanup_interval": 5,
    # Refused from the Content-Length header before any of the body is read (413), and
    # while reading for chunked bodies: nothing over 1 MiB is read, buffered or spooled.
    "max_request_body_size": MAX_BODY + 1,
    "max_request_header_size": 16 * 1024,
    # Bodies up to 256 KiB stay in memory; larger (up to 1 MiB) go to a temporary file.
    "inbuf_overflow": 256 * 1024,
    # Responses are small; above 1 MiB waitress would buffer to a temporary file, and an
    # app thread only blocks once 16 MiB wait unsent for a slow reader.
    "outbuf_overflow": 1024 * 1024,
    "outbuf_high_watermark": 16 * 1024 * 1024,
    # poll() instead of select(): no 1024-descriptor ceiling under many connections.
    "asyncore_use_poll": True,
    "expose_tracebacks": False,
    "ident": "hark",
}


def make_server(
    application: Callable[..., Iterable[bytes]], port: int, host: str = "0.0.0.0"
) -> BaseWSGIServer:
    """A waitress server with Hark's limits, bound but not yet running (``port=0``: any
    free port, see ``server.effective_port``); ``run()`` serves, ``close()`` stops."""
    from waitress import create_server

    return create_server(application, host=host, port=port, **SERVER_LIMITS)


def serve(application: Callable[..., Iterable[bytes]], port: int, host: str = "0.0.0.0") -> None:
    """Serve with waitress: a production server, one process, a pool of threads."""
    server = make_server(application, port, host)
    log.info("listening on %s:%s", host, server.effective_port)
    server.run()
