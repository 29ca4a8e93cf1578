"""Crash consistency: kill -9 the poller at random points; every relevant post arrives exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime

from tests.support.feeds import rss
from tests.support.feedserver import FeedServer
from tests.support.hark_cli import hark_env

RELEVANT = 12


def _items() -> list[dict[str, str]]:
    now = format_datetime(datetime.now(UTC))
    items = []
    for i in range(RELEVANT):
        items.append(
            {
                "title": f"k8s question {i}?",
                "link": f"https://f.example.com/{i}",
                "guid": f"k-{i}",
                "pubDate": now,
            }
        )
        items.append(
            {
                "title": f"bread {i}",
                "link": f"https://f.example.com/b{i}",
                "guid": f"b-{i}",
                "pubDate": now,
            }
        )
    return items


def _conversation_ids(fake) -> Counter:
    ids: Counter = Counter()
    for message in fake.messages.get("C0K8S", []):
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if "conversation_id" in payload:
            ids[payload["conversation_id"]] += 1
    return ids


def test_kill_9_at_random_points_never_loses_or_duplicates(fake_slack, tmp_path):
    rng = random.Random(20261123)
    # Slow Slack down so that a kill can land while chat.postMessage is in flight:
    # Slack has the message, the poller never learns its ts.
    fake_slack.delay("chat.postMessage", 0.3)
    kills = 0
    with FeedServer() as feeds:
        feeds.set("/f.xml", rss(_items()))
        env = hark_env(tmp_path, fake_slack, feeds.url("/f.xml"))
        command = [sys.executable, "-m", "bot.cli", "poll", "--once"]
        for attempt in range(8):
            seen = len(fake_slack.calls("chat.postMessage"))
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            if attempt % 2 == 0:
                # Kill mid-send: as soon as Slack has received the next message.
                deadline = time.monotonic() + 20
                while len(fake_slack.calls("chat.postMessage")) <= seen:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        break
                    time.sleep(0.005)
            else:
                time.sleep(rng.uniform(0.2, 2.5))  # anywhere: start-up, fetch, store, send
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
        fake_slack.delay("chat.postMessage", 0)
        final = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert final.returncode == 0, final.stderr
    assert kills >= 3, "the kills should interrupt real work; raise the delays if this fails"
    ids = _conversation_ids(fake_slack)
    assert len(ids) == RELEVANT, ids
    assert set(ids.values()) == {1}, f"posted twice: {[k for k, v in ids.items() if v > 1]}"
