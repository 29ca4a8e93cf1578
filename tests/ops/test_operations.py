"""Operations: /metrics, /healthz, backup, retention, log redaction."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from bot.config import Settings
from bot.ops.logs import JsonFormatter, redact
from bot.ops.web import health_report, wsgi_app
from tests.support.feeds import rss


def _call(application, path: str, method: str = "GET") -> tuple[str, bytes]:
    captured = {}

    def start_response(status, headers):
        captured["status"] = status

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "HTTP_AUTHORIZATION": "Bearer m-t"}
    body = b"".join(application(environ, start_response))
    return captured["status"], body


def test_metrics_and_health(harness_factory, feeds):
    now = format_datetime(datetime.now(UTC))
    feeds.set("/f.xml", rss([{"title": "k8s help?", "link": "https://e.com/1", "pubDate": now}]))
    h = harness_factory([feeds.url("/f.xml"), feeds.url("/missing.xml")])
    h.poll()
    h.click("claim", 1)
    services = h.services
    application = wsgi_app(
        h.app,
        lambda: health_report(h.store, lambda: True),
        lambda: services.metrics.render(h.store),
        settings=Settings(metrics_token="m-t"),
    )
    status, body = _call(application, "/metrics")
    text = body.decode()
    assert status == "200 OK"
    assert "hark_posts_heard_total 1" in text
    assert "hark_conversations_posted_total 1" in text
    assert "hark_claims_total 1" in text
    assert 'hark_source_consecutive_failures{kind="feed",source="2"} 1' in text
    count = next(
        line for line in text.splitlines() if line.startswith("hark_slack_request_seconds_count")
    )
    assert int(count.split()[1]) >= 1  # the post went through the timed client
    status, body = _call(application, "/healthz")
    report = json.loads(body)
    assert status == "200 OK" and report["database"] == "ok" and report["sources_failing"] == 1
    stopped = wsgi_app(h.app, lambda: health_report(h.store, lambda: False))
    assert _call(stopped, "/healthz")[0].startswith("503")
    assert _call(application, "/slack/events", "GET")[0].startswith("405")
    assert _call(application, "/nope")[0].startswith("404")


@pytest.mark.sqlite_only
def test_backup_copies_a_live_database(harness_factory, tmp_path):
    h = harness_factory()
    target = tmp_path / "copy.db"
    env = {"HARK_DB": h.settings.db_path, "PATH": ""}
    command = [sys.executable, "-m", "bot.cli", "backup", str(target)]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as copy:
        names = [r[0] for r in copy.execute("SELECT name FROM topics ORDER BY name")]
    assert names == ["billing", "kubernetes"]
    again = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert again.returncode == 2 and "exists" in again.stderr


def test_retention_purges_only_posts_without_conversations(harness_factory, feeds):
    now = format_datetime(datetime.now(UTC))
    items = [
        {"title": "k8s help?", "link": "https://e.com/1", "pubDate": now},
        {"title": "bread", "link": "https://e.com/2", "pubDate": now},
    ]
    feeds.set("/f.xml", rss(items))
    h = harness_factory([feeds.url("/f.xml")])
    h.poll()
    assert h.store.purge_posts(before=h.store.now() - 1) == 0  # too young
    assert h.store.purge_posts(before=h.store.now() + 1) == 1  # the bread post only
    assert h.store.conversation(1).title == "k8s help?"


def test_tokens_never_reach_logs():
    assert redact("token xoxb-123-456-abc and xapp-1-A0-xyz") == "token [redacted] and [redacted]"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("hark.test.redact")
    logger.addHandler(handler)
    try:
        logger.error("Slack said no to xoxb-secret-token")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["message"] == "Slack said no to [redacted]" and line["level"] == "error"
