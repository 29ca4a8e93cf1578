"""The HTTP surface: Hark's WSGI app and the waitress server it runs in."""

from __future__ import annotations

from typing import Any

from bot.config import Settings, load_settings
from bot.web import wsgi_app

TOKEN = "metrics-token-123"


def call(application, path: str, method: str = "GET", **headers: str) -> tuple[str, dict, bytes]:
    """One in-process WSGI call: (status line, headers, body)."""
    captured: dict[str, Any] = {}

    def start_response(status, response_headers):
        captured["status"], captured["headers"] = status, dict(response_headers)

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "REMOTE_ADDR": "127.0.0.1"}
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    body = b"".join(application(environ, start_response))
    return captured["status"], captured["headers"], body


def health() -> dict[str, Any]:
    return {"ok": True}


def metrics() -> str:
    return "hark_claims_total 3\n"


def test_metrics_need_the_bearer_token():
    application = wsgi_app(None, health, metrics, settings=Settings(metrics_token=TOKEN))
    status, headers, body = call(application, "/metrics", authorization=f"Bearer {TOKEN}")
    assert status == "200 OK" and body == b"hark_claims_total 3\n"
    for auth in ("", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"):
        status, headers, body = call(application, "/metrics", authorization=auth)
        assert status == "401 Unauthorized", auth
        assert headers["WWW-Authenticate"].startswith("Bearer")
        assert b"hark_claims_total" not in body and b"HARK_METRICS_TOKEN" in body


def test_metrics_are_off_without_a_token_even_from_loopback():
    # Behind a reverse proxy on the same host every request comes from 127.0.0.1, so
    # loopback is no proof of anything: without HARK_METRICS_TOKEN /metrics is off.
    application = wsgi_app(None, health, metrics, settings=Settings())
    status, _, body = call(application, "/metrics")
    assert status == "404 Not Found"
    assert b"hark_claims_total" not in body and b"HARK_METRICS_TOKEN" in body


def test_the_token_comes_from_the_environment():
    settings = load_settings({"HARK_METRICS_TOKEN": TOKEN})
    assert settings.metrics_token == TOKEN and TOKEN not in repr(settings)
    assert load_settings({}).metrics_token is None


def test_without_an_app_only_health_and_metrics_are_served():
    """Socket Mode serves /healthz and /metrics with the same code and no Slack route."""
    application = wsgi_app(None, health, metrics, settings=Settings(metrics_token=TOKEN))
    assert call(application, "/healthz")[0] == "200 OK"
    assert call(application, "/metrics", authorization=f"Bearer {TOKEN}")[0] == "200 OK"
    status, _, body = call(application, "/slack/events", "POST")
    assert status == "404 Not Found" and b"Socket Mode" in body
