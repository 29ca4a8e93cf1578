"""`hark` as a user runs it: subprocesses against the fake Slack and a local feed server."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.support import slackreq
from tests.support.feeds import rss
from tests.support.feedserver import FeedServer
from tests.support.hark_cli import HARK, ITEMS, free_port, hark_env, run_hark
from tests.support.harness import SECRET


def test_poll_once_posts_relevant_entries_once(fake_slack, tmp_path):
    with FeedServer() as feeds:
        feeds.set("/f.xml", rss(ITEMS))
        env = hark_env(tmp_path, fake_slack, feeds.url("/f.xml"))
        first = run_hark("poll", "--once", env=env)
        assert first.returncode == 0, first.stderr
        assert "sent 1" in first.stdout
        second = run_hark("poll", "--once", env=env)
        assert "sent 0" in second.stdout
    posts = fake_slack.calls("chat.postMessage")
    assert len(posts) == 1 and posts[0].args["channel"] == "C0K8S"


def test_dry_run_prints_and_changes_nothing(fake_slack, tmp_path):
    with FeedServer() as feeds:
        feeds.set("/f.xml", rss(ITEMS))
        env = hark_env(tmp_path, fake_slack, feeds.url("/f.xml"))
        env.pop("SLACK_BOT_TOKEN")
        dry = run_hark("poll", "--once", "--dry-run", env=env)
        assert dry.returncode == 0, dry.stderr
        assert "would post to C0K8S [kubernetes] k8s pods keep restarting?" in dry.stdout
        assert "Sourdough" not in dry.stdout
        assert fake_slack.calls("chat.postMessage") == []
        env["SLACK_BOT_TOKEN"] = "xoxb-test"
        real = run_hark("poll", "--once", env=env)
        assert "sent 1" in real.stdout  # the dry run did not swallow it


def test_config_error_names_file_and_key(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("topics:\n  - name: k8s\n    query: k8s\n")
    env = {**os.environ, "HARK_CONFIG": str(bad), "HARK_DB": str(tmp_path / "x.db")}
    result = run_hark("poll", "--once", "--dry-run", env=env)
    assert result.returncode == 2
    assert f"{bad}: topics[0].channel: is required" in result.stderr


def test_every_command_has_help():
    for command in ("run", "poll", "init", "migrate", "doctor", "export", "backup", "people"):
        result = run_hark(command, "--help")
        assert result.returncode == 0 and "usage: hark" in result.stdout


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"hark run exited: {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("hark run did not become healthy")


@pytest.fixture
def running_hark(fake_slack, tmp_path):
    feeds = FeedServer().__enter__()
    feeds.set("/f.xml", rss(ITEMS))
    port = free_port()
    env = hark_env(tmp_path, fake_slack, feeds.url("/f.xml"), PORT=str(port))
    proc = subprocess.Popen(
        [*HARK, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        health = _wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        yield port, health
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        feeds.close()


def test_run_serves_http_polls_and_verifies_signatures(running_hark, fake_slack):
    port, health = running_hark
    assert health["database"] == "ok" and health["scheduler"] == "running"
    # `hark run` polls at start: the relevant entry reaches the channel.
    post = fake_slack.wait_for("chat.postMessage", timeout=15)[0]
    assert post.args["channel"] == "C0K8S"
    events = f"http://127.0.0.1:{port}/slack/events"
    url = fake_slack.response_url("help")
    status, _ = slackreq.slash_command(SECRET, "/hark", "help", response_url=url).post(events)
    assert status == 200
    assert "Hark" in str(fake_slack.wait_for("response")[0].args)
    forged = slackreq.slash_command(SECRET, "/hark", "help", bad_signature=True).post(events)
    stale = slackreq.slash_command(SECRET, "/hark", "help", stale=True).post(events)
    assert forged[0] == 401 and stale[0] == 401
    assert len(fake_slack.calls("response")) == 1
