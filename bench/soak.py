"""Soak: run Hark for a while against a flaky fake Slack, a changing feed server and many
concurrent clicks; then check every relevant post was sent exactly once and every click
counted once.

    .venv/bin/python bench/soak.py --seconds 180

Prints what it did and the checks; exits 1 if a check fails. tests/test_soak.py runs a
short version of the same function.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import create_app
from bot.config import load_settings
from bot.store import Store
from bot.wiring import build_services
from tests.support import slackreq
from tests.support.fakeslack import FakeSlack
from tests.support.feedserver import FeedServer

SECRET = "soak-secret"
USERS = [f"U0SOAK{i:02d}" for i in range(12)]
FEEDS = 6


@dataclass
class SoakReport:
    seconds: float = 0.0
    ticks: int = 0
    items_served: int = 0
    relevant: int = 0
    sent_once: int = 0
    duplicates: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    clicks: int = 0
    claims_won: int = 0
    claim_rows: int = 0
    injected_failures: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _feed(feed: int, count: int) -> bytes:
    now = format_datetime(datetime.now(UTC))
    items = []
    for i in range(count):
        topic = "k8s" if i % 3 else "bread"
        items.append(
            f"<item><title>{topic} question {feed}-{i}?</title>"
            f"<link>https://soak.example.com/{feed}/{i}</link><guid>{feed}-{i}</guid>"
            f"<pubDate>{now}</pubDate></item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>soak</title>'
        + "".join(items[-200:])  # a real feed shows only its newest items
        + "</channel></rss>"
    ).encode()


def run_soak(seconds: float, seed: int = 7, click_threads: int = 6) -> SoakReport:
    rng = random.Random(seed)
    report = SoakReport()
    with FakeSlack() as fake, FeedServer() as feeds, tempfile.TemporaryDirectory() as tmp:
        sizes = [1] * FEEDS
        paths = [f"/f{f}.xml" for f in range(FEEDS)]
        for f in range(FEEDS):
            feeds.set(f"/f{f}.xml", _feed(f, sizes[f]))
        config = Path(tmp) / "hark.yml"
        source_lines = "".join(f"  - url: {feeds.url(path)}\n" for path in paths)
        config.write_text(
            "topics:\n"
            "  - name: kubernetes\n"
            "    query: 'k8s OR kubernetes'\n"
            "    channel: C0K8S\n"
            f"sources:\n{source_lines}"
            "network: {allow_hosts: [127.0.0.1]}\n"
        )
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-soak",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.url,
                "HARK_DB": str(Path(tmp) / "soak.db"),
                "HARK_CONFIG": str(config),
            }
        )
        store = Store(settings.db_path)
        services = build_services(settings, store, per_channel_interval=0.01)
        app = create_app(settings, store, services, process_before_response=True)
        stop = threading.Event()
        click_lock = threading.Lock()
        won: Counter = Counter()

        def clicker(worker: int) -> None:
            local = random.Random(seed * 100 + worker)
            while not stop.is_set():
                sent = [r for r in fake.messages.get("C0K8S", []) if r.get("metadata")]
                if not sent:
                    time.sleep(0.05)
                    continue
                message = local.choice(sent)
                conversation_id = message["metadata"]["event_payload"]["conversation_id"]
                # Each worker clicks as its own users, so "owner went from nobody to me"
                # can only mean this click won.
                user = local.choice(USERS[worker::click_threads])
                before = store.conversation(conversation_id).owner
                request = slackreq.block_action(
                    SECRET,
                    "claim",
                    str(conversation_id),
                    user_id=user,
                    channel_id="C0K8S",
                    message_ts=message["ts"],
                    response_url=fake.response_url(f"soak-{worker}"),
                )
                app.dispatch(request.bolt())
                time.sleep(0.005)  # people, not a loop: leave the poller some CPU
                after = store.conversation(conversation_id).owner
                with click_lock:
                    report.clicks += 1
                    if before is None and after == user:
                        won[conversation_id] += 1

        threads = [
            threading.Thread(target=clicker, args=(w,), daemon=True) for w in range(click_threads)
        ]
        for t in threads:
            t.start()
        started = time.monotonic()
        try:
            while time.monotonic() - started < seconds:
                # The world changes: new items on some feeds, failures on Slack.
                for f in range(FEEDS):
                    if rng.random() < 0.6:
                        sizes[f] += rng.randint(1, 4)
                        feeds.set(f"/f{f}.xml", _feed(f, sizes[f]), etag=f'"{sizes[f]}"')
                roll = rng.random()
                if roll < 0.25:
                    fake.fail("chat.postMessage", status=429, retry_after=0, times=1)
                    report.injected_failures += 1
                elif roll < 0.45:
                    fake.fail("chat.postMessage", status=503, times=rng.randint(1, 4))
                    report.injected_failures += 1
                elif roll < 0.5:
                    fake.fail("chat.update", status=500, times=1)
                    report.injected_failures += 1
                store.force_all_due()
                services.poll_and_deliver()
                report.ticks += 1
                time.sleep(0.2)
            fake.clear_failures()
            services.publisher.deliver(limit=100_000)  # let the outbox drain
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=10)
        report.seconds = time.monotonic() - started
        report.items_served = sum(sizes)

        # Every relevant post sent exactly once.
        relevant = {r["id"] for r in store.all("SELECT id FROM conversations WHERE deliver = 1")}
        report.relevant = len(relevant)
        sent = Counter(
            m["metadata"]["event_payload"]["conversation_id"]
            for m in fake.messages.get("C0K8S", [])
            if m.get("metadata")
        )
        report.duplicates = sorted(k for k, v in sent.items() if v > 1)
        report.missing = sorted(relevant - set(sent))
        report.sent_once = sum(1 for v in sent.values() if v == 1)
        expected_relevant = sum(len([i for i in range(n) if i % 3]) for n in sizes)
        if report.relevant != expected_relevant:
            report.problems.append(f"{report.relevant} relevant stored, {expected_relevant} served")
        if report.duplicates:
            report.problems.append(f"sent twice: {report.duplicates[:10]}")
        if report.missing:
            report.problems.append(f"never sent: {report.missing[:10]}")

        # Every click counted once: one claim row per winning click, one owner each.
        rows = store.all(
            "SELECT conversation_id, count(*) AS n FROM engagements "
            "WHERE action = 'claim' GROUP BY conversation_id"
        )
        report.claim_rows = sum(r["n"] for r in rows)
        report.claims_won = sum(won.values())
        if any(r["n"] != 1 for r in rows):
            report.problems.append("a conversation has more than one claim row")
        if report.claim_rows != report.claims_won:
            report.problems.append(
                f"{report.claim_rows} claim rows, {report.claims_won} winning clicks"
            )
        services.fetcher.close()
        store.close()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    report = run_soak(args.seconds, args.seed)
    print(json.dumps({k: v for k, v in report.__dict__.items()}, indent=1))
    print("soak:", "OK" if report.ok else "FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
