"""HTTP mode: one WSGI app for Slack's requests and the health check, served by waitress."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

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
    app: App, health: Health, metrics: Callable[[], str] | None = None
) -> Callable[..., Iterable[bytes]]:
    """Route ``POST /slack/events`` to Bolt, ``GET /healthz`` and ``GET /metrics``."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            report = health()
            body = json.dumps(report).encode()
            status = "200 OK" if report.get("ok") else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        if path == "/metrics" and method == "GET" and metrics is not None:
            start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4")])
            return [metrics().encode()]
        if path == "/slack/events":
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


def serve(application: Callable[..., Iterable[bytes]], port: int, host: str = "0.0.0.0") -> None:
    """Serve with waitress: a production server, one process, a pool of threads."""
    from waitress import serve as waitress_serve

    log.info("listening on %s:%s", host, port)
    waitress_serve(application, host=host, port=port, threads=8, ident="hark")
