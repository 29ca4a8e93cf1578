"""HTTP mode: one WSGI app for Slack's requests and the health check, served by waitress."""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import Settings
from bot.store import Store

log = logging.getLogger(__name__)

Health = Callable[[], dict[str, Any]]
MAX_BODY = 1024 * 1024  # Slack's payloads are small; refuse anything absurd early


def health_report(store: Store, scheduler_running: Callable[[], bool]) -> dict[str, Any]:
    """What /healthz says: the database answers, the scheduler runs, when polling last worked."""
    report: dict[str, Any] = {"ok": True}
    try:
        sources = store.sources(enabled_only=True)
        report["database"] = "ok"
        last = max((s["last_success_at"] or 0 for s in sources), default=0)
        report["last_successful_poll"] = last or None
        report["sources"] = len(sources)
        report["sources_failing"] = sum(1 for s in sources if s["consecutive_failures"])
    except Exception as exc:  # noqa: BLE001 - the health check reports, never raises
        report["ok"] = False
        report["database"] = f"error: {type(exc).__name__}"
    report["scheduler"] = "running" if scheduler_running() else "stopped"
    if report["scheduler"] != "running":
        report["ok"] = False
    report["time"] = time.time()
    return report


def wsgi_app(
    app: App | None,
    health: Health,
    metrics: Callable[[], str] | None = None,
    *,
    settings: Settings | None = None,
) -> Callable[..., Iterable[bytes]]:
    """Route ``POST /slack/events`` to Bolt, ``GET /healthz`` and ``GET /metrics``.

    With ``app=None`` (Socket Mode) there is no Slack route: ``/slack/events`` answers 404
    and only the health check and the metrics are served. ``/metrics`` answers only a
    request bearing ``settings.metrics_token`` (``HARK_METRICS_TOKEN``); without a token
    it is off.
    """
    settings = settings or Settings()
    slack = SlackRequestHandler(app, path="/slack/events") if app is not None else None

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
                return _text(start_response, "404 Not Found", SOCKET_MODE_ONLY)
            if method != "POST":
                start_response("405 Method Not Allowed", [("Allow", "POST")])
                return [b""]
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                start_response("413 Payload Too Large", [("Content-Type", "text/plain")])
                return [b"too large"]
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    return application


SOCKET_MODE_ONLY = (
    "This Hark runs in Socket Mode: Slack's requests arrive over its WebSocket, not here.\n"
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


def serve(application: Callable[..., Iterable[bytes]], port: int, host: str = "0.0.0.0") -> None:
    """Serve with waitress: a production server, one process, a pool of threads."""
    from waitress import serve as waitress_serve

    log.info("listening on %s:%s", host, port)
    waitress_serve(application, host=host, port=port, threads=8, ident="hark")
