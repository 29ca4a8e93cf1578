"""`hark run --role web` and `hark run --role poller` as subprocesses on one PostgreSQL
database, against the fake Slack and a local feed: the poller posts the card once, the web
worker answers Slack, a second poller stands by and takes over when the first is killed
(kill -9) without posting the card again; no SQLite file appears."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.support import slackreq
from tests.support.feeds import rss
from tests.support.feedserver import FeedServer
from tests.support.hark_cli import HARK, ITEMS, free_port, hark_env, health
from tests.support.harness import SECRET

WAIT = 30.0  # generous; each step is expected within seconds


def _metrics(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer m-t"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer.read().decode()


def _until(what: str, found: Callable[[], object], procs: list[subprocess.Popen]) -> object:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise AssertionError(f"hark exited ({proc.returncode}): {proc.stderr.read()}")
        value = found()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


@pytest.fixture
def start(fake_slack, tmp_path: Path, pg_store_url: str) -> Iterator[Callable[..., tuple]]:
    feeds = FeedServer().__enter__()
    feeds.set("/f.xml", rss(ITEMS))
    procs: list[subprocess.Popen] = []

    def run(role: str) -> tuple[subprocess.Popen, int]:
        port = free_port()
        env = hark_env(
            tmp_path, fake_slack, feeds.url("/f.xml"), PORT=str(port), HARK_METRICS_TOKEN="m-t"
        )
        env["HARK_DB"] = pg_store_url
        proc = subprocess.Popen(
            [*HARK, "run", "--role", role],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc, port

    run.feeds, run.db = feeds, pg_store_url  # type: ignore[attr-defined]
    yield run
    for proc in procs:
        proc.kill()
        proc.wait(timeout=10)
    feeds.close()


def test_web_and_pollers_on_postgresql(start, fake_slack, tmp_path) -> None:
    (first, first_port), (second, second_port) = start("poller"), start("poller")
    web, web_port = start("web")
    running = [first, second, web]

    # One poller leads and posts the relevant entry once; the other stands by, healthy.
    _until("the card is posted", lambda: fake_slack.calls("chat.postMessage"), running)

    def pollers() -> list[dict] | None:
        reports = [health(first_port), health(second_port)]
        return reports if all(r and r["ok"] for r in reports) else None

    reports = _until("both pollers are healthy", pollers, running)
    assert sorted(r["leader"]["leading"] for r in reports) == [False, True]
    assert all(r["role"] == "poller" and "mode" not in r for r in reports)
    leading = 0 if reports[0]["leader"]["leading"] else 1
    leader, leader_port = [(first, first_port), (second, second_port)][leading]
    standby_port = [first_port, second_port][1 - leading]
    assert "\nhark_leading 1\n" in _metrics(leader_port)
    assert "\nhark_leading 0\n" in _metrics(standby_port)

    # The web worker answers Slack and has no scheduler; a poller has no Slack route.
    web_health = _until("the web worker is up", lambda: health(web_port), running)
    assert web_health["ok"] and web_health["role"] == "web"
    assert web_health["scheduler"] == "none" and "leader" not in web_health
    assert "hark_leading" not in _metrics(web_port)
    url = fake_slack.response_url("help")
    status, _ = slackreq.slash_command(SECRET, "/hark", "help", response_url=url).post(
        f"http://127.0.0.1:{web_port}/slack/events"
    )
    assert status == 200
    assert "Hark" in str(fake_slack.wait_for("response", timeout=10)[0].args)
    refused = slackreq.slash_command(SECRET, "/hark", "help").post(
        f"http://127.0.0.1:{leader_port}/slack/events"
    )
    assert refused[0] == 404

    # Something new is due when the leader is killed (kill -9): the standby leads, ticks at
    # once and delivers it; every post reaches Slack exactly once.
    start.feeds.set(
        "/f.xml",
        rss(
            [
                *ITEMS,
                {
                    **ITEMS[0],
                    "title": "k8s ingress 502s",
                    "guid": "3",
                    "link": "https://forum.example.com/t/3",
                },
            ]
        ),
    )
    store = Store(start.db)
    store.force_all_due()
    store.close()
    ticked = reports[1 - leading]["ticks"]["ticks"]
    leader.kill()
    leader.wait(timeout=10)
    running.remove(leader)

    def took_over() -> bool:
        report = health(standby_port) or {}
        return bool(report.get("leader", {}).get("leading") and report["ticks"]["ticks"] > ticked)

    _until("the standby leads and has ticked", took_over, running)
    _until(
        "the new post is delivered", lambda: len(fake_slack.calls("chat.postMessage")) > 1, running
    )
    time.sleep(0.5)  # a second copy, if any, would come now
    posts = [c.args["text"] for c in fake_slack.calls("chat.postMessage")]
    assert len(posts) == 2 and "ingress 502s" in posts[1] and "pods keep restarting" in posts[0]
    assert list(tmp_path.glob("*.db*")) == []  # everything went to PostgreSQL
