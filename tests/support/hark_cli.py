"""`hark` as a subprocess: the command line, a feed's items dated now, an environment that
points it at the fake Slack and a local feed, a free port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tests.support.harness import SECRET
from tests.support.ports import free_port  # noqa: F401 - part of this module's API

HARK = [sys.executable, "-m", "bot.cli"]
NOW = format_datetime(datetime.now(UTC))
# Dated now: a source's first poll posts only items inside the backfill window.
ITEMS = [
    {
        "title": "k8s pods keep restarting?",
        "link": "https://forum.example.com/t/1",
        "guid": "1",
        "pubDate": NOW,
    },
    {
        "title": "Sourdough tips",
        "link": "https://forum.example.com/t/2",
        "guid": "2",
        "pubDate": NOW,
    },
]


def health(port: int) -> dict[str, Any] | None:
    """GET /healthz of a `hark run` on ``port``: its report (a 503 too: up, not healthy),
    or None while nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def run_hark(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``hark ARGS`` run to its end (60 s at most), its output captured as text."""
    return subprocess.run(
        [*HARK, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def hark_env(tmp_path: Path, fake: Any, feed_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `hark` subprocess: one kubernetes topic, one feed, the fake Slack,
    a database and config under `tmp_path`; Slack, Hark and X variables of this process left out."""
    config = tmp_path / "hark.yml"
    config.write_text(
        textwrap.dedent(
            f"""
            topics:
              - name: kubernetes
                query: 'kubernetes OR k8s'
                channel: C0K8S
            sources:
              - url: {feed_url}
            network: {{allow_hosts: [127.0.0.1]}}
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HARK_", "X_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.url,
            "HARK_DB": str(tmp_path / "hark.db"),
            "HARK_CONFIG": str(config),
            **extra,
        }
    )
    return env
