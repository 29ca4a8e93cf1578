"""Beyond one host: two `hark run --role web` and two `hark run --role poller` processes on one
PostgreSQL database, as a platform runs them (issue 15's "done when").

- every relevant post reaches its channel exactly once, and nothing else does;
- 40 claims of one card, spread over both web workers at once, leave one owner;
- kill -9 of the leading poller: the standby takes over and delivers what arrives next, each
  post exactly once, nothing lost;
- `/digest` through either web worker gives the same answer;
- no SQLite file appears.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support import slackreq
from tests.support.feeds import pub_date, rss
from tests.support.feedserver import FeedServer
from tests.support.hark_cli import HARK, hark_env, health
from tests.support.harness import SECRET
from tests.support.ports import free_port

FEED = "/forum.xml"


def _items(first: int, last: int) -> list[dict[str, str]]:
    """Relevant questions `first..last-1`, each with an irrelevant neighbour."""
    items = []
    for i in range(first, last):
        items.append(
            {
                "title": f"k8s question {i}?",
                "link": f"https://forum.example.com/k/{i}",
                "guid": f"k{i}",
                "pubDate": pub_date(0),
            }
        )
        items.append(
            {
                "title": f"sourdough {i}",
                "link": f"https://forum.example.com/b/{i}",
                "guid": f"b{i}",
                "pubDate": pub_date(0),
            }
        )
    return items


class Worker:
    def __init__(self, name: str, role: str, env: dict[str, str], logs: Path) -> None:
        self.name, self.role, self.port = name, role, free_port()
        self.log = (logs / f"{name}.log").open("w")
        self.proc = subprocess.Popen(
            [*HARK, "run", "--role", role],
            env={**env, "PORT": str(self.port)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=logs,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> dict[str, Any] | None:
        return health(self.port)

    def leading(self) -> bool:
        health = self.health() or {}
        return bool((health.get("leader") or {}).get("leading"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def _until(what: str, check: Any, workers: list[Worker], timeout: float = 40) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        for worker in workers:
            if worker.proc.poll() is not None and worker.proc.returncode != -signal.SIGKILL:
                raise AssertionError(f"{worker.name} exited: {Path(worker.log.name).read_text()}")
        time.sleep(0.1)
    logs = "\n".join(f"--- {w.name}\n{Path(w.log.name).read_text()[-3000:]}" for w in workers)
    raise AssertionError(f"waited {timeout} s for {what}\n{logs}")


def _cards(fake: Any) -> Counter[int]:
    """How many cards Slack holds per conversation (a card names it in its metadata)."""
    cards: Counter[int] = Counter()
    for message in fake.messages.get("C0K8S", []):
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if "conversation_id" in payload:
            cards[int(payload["conversation_id"])] += 1
    return cards


def _titles(fake: Any) -> Counter[str]:
    return Counter(
        title
        for message in fake.messages.get("C0K8S", [])
        for title in [json.dumps(message.get("blocks"))]
        if "question" in title
    )


@pytest.fixture
def workers(fake_slack: Any, tmp_path: Path, pg_store_url: str):
    started: list[Worker] = []
    with FeedServer() as feeds:
        feeds.set(FEED, rss(_items(0, 6)))
        env = hark_env(tmp_path, fake_slack, feeds.url(FEED), HARK_DB=pg_store_url)

        def start(name: str, role: str) -> Worker:
            worker = Worker(name, role, env, tmp_path)
            started.append(worker)
            return worker

        try:
            yield start, feeds, started
        finally:
            for worker in started:
                worker.stop()


def test_two_web_workers_and_two_pollers_share_one_database(
    workers: Any, fake_slack: Any, tmp_path: Path, pg_store_url: str
) -> None:
    start, feeds, started = workers
    pollers = [start("poller-1", "poller"), start("poller-2", "poller")]
    webs = [start("web-1", "web"), start("web-2", "web")]
    _until("all four healthy", lambda: all(w.health() for w in started), started)

    # Exactly one poller leads; it posts the six relevant questions, each once.
    _until("one leader", lambda: sum(p.leading() for p in pollers) == 1, started)
    cards = _until(
        "six cards", lambda: len(_cards(fake_slack)) == 6 and _cards(fake_slack), started
    )
    assert set(cards.values()) == {1}
    assert "sourdough" not in json.dumps(fake_slack.messages.get("C0K8S", []))

    # 40 people claim the first card at once, half through each web worker: one owner.
    with psycopg.connect(pg_store_url) as db:
        cid, channel, ts = db.execute(
            "SELECT id, channel, ts FROM conversations ORDER BY id LIMIT 1"
        ).fetchone()
    answers: list[int] = []

    def claim(i: int) -> None:
        request = slackreq.block_action(
            SECRET,
            "claim",
            str(cid),
            user_id=f"U0SME{i:03d}",
            channel_id=channel,
            message_ts=ts,
            response_url=fake_slack.response_url(f"claim-{i}"),
        )
        answers.append(request.post(f"{webs[i % 2].url}/slack/events", timeout=15)[0])

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [200] * 40
    with psycopg.connect(pg_store_url) as db:
        owner, state = db.execute(
            "SELECT owner, state FROM conversations WHERE id = %s", (cid,)
        ).fetchone()
        claims = db.execute(
            "SELECT count(*) FROM engagements WHERE conversation_id = %s AND action = 'claim'",
            (cid,),
        ).fetchone()[0]
    assert state == "claimed" and owner.startswith("U0SME") and claims == 1

    # Four new questions; the feed is due again (as if its interval had passed). Slack is
    # slowed down and the leader killed with -9 as soon as Slack holds the first of them:
    # it never learns that card's ts. The standby takes over and posts the rest, and the
    # card in flight is neither lost nor posted twice.
    [leader] = [p for p in pollers if p.leading()]
    [standby] = [p for p in pollers if p is not leader]
    fake_slack.delay("chat.postMessage", 0.3)
    feeds.set(FEED, rss(_items(0, 10)))
    posted = len(fake_slack.calls("chat.postMessage"))
    with psycopg.connect(pg_store_url, autocommit=True) as db:
        db.execute("UPDATE sources SET next_check_at = 0")
    _until("the next card", lambda: len(fake_slack.calls("chat.postMessage")) > posted, started)
    os.kill(leader.proc.pid, signal.SIGKILL)
    leader.proc.wait(10)
    _until("the standby leads", standby.leading, started)
    cards = _until(
        "ten cards", lambda: len(_cards(fake_slack)) == 10 and _cards(fake_slack), started, 90
    )
    assert set(cards.values()) == {1}, cards
    assert set(_titles(fake_slack).values()) == {1}

    # /digest through either web worker: the same answer.
    digests = []
    for i, web in enumerate(webs):
        url = fake_slack.response_url(f"digest-{i}")
        request = slackreq.slash_command(SECRET, "/digest", "30d", response_url=url)
        assert request.post(f"{web.url}/slack/events", timeout=15)[0] == 200
        digests.append(fake_slack.wait_for("response", count=i + 1, timeout=20)[i].args["blocks"])
    # The same figures; only the "Post to channel" button's period ends at each request's now.
    same = [json.dumps(d).split('"action_id": "digest_post"')[0] for d in digests]
    assert same[0] == same[1] and "kubernetes" in same[0], same[0]

    # Nothing went to a SQLite file.
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".db", ".db-wal", ".sqlite")]
