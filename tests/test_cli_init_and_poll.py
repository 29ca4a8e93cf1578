"""`hark init` writes a starter config that works; `hark poll` means once; the dry run says
what it holds back and why."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import yaml

from bot.cli import main
from bot.config import load_config
from bot.starter import STARTER_CONFIG
from tests.support.feeds import rss
from tests.support.feedserver import FeedServer
from tests.support.hark_cli import ITEMS, hark_env


def test_init_writes_a_starter_that_parses_and_never_overwrites(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    written = tmp_path / "hark.yml"
    assert written.read_text() == STARTER_CONFIG
    config = load_config(written)
    assert config.topics and len(config.sources) == 4
    assert "HARK_CONFIG=hark.yml hark doctor" in capsys.readouterr().out
    written.write_text("mine")
    assert main(["init"]) == 2
    assert written.read_text() == "mine"
    assert "hark.yml exists" in capsys.readouterr().err


def test_the_starter_names_every_key_the_parser_takes():
    for key in (
        "company:", "terms:", "competitors:", "topics:", "sla:", "min_score:", "sources:",
        "every:", "label:", "admins:", "digest:", "schedule:", "backfill:", "retention:",
        "engagement:", "guidelines:", "business_hours:", "days:", "hours:", "timezone:",
        "max_reads_per_month:", "allow_hosts:", "mastodon:", "url:", "x:",
    ):  # fmt: skip
        assert key in STARTER_CONFIG, key
    # Uncommented, it still parses: the commented examples are written correctly.
    uncommented = "\n".join(
        line.replace("# ", "", 1) if line.lstrip().startswith("# ") and ":" in line else line
        for line in STARTER_CONFIG.splitlines()
        if not line.startswith("#   HARK") and not line.startswith("# Hark")
    )
    assert yaml.safe_load(uncommented)


def _run(argv, env, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SLACK_", "HARK_", "X_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith(("SLACK_", "HARK_", "X_")):
            monkeypatch.setenv(name, value)
    return main(argv)


def test_poll_without_once_polls_once(fake_slack, tmp_path, monkeypatch, capsys):
    with FeedServer() as feeds:
        feeds.set("/f.xml", rss(ITEMS))
        env = hark_env(tmp_path, fake_slack, feeds.url("/f.xml"))
        assert _run(["poll"], env, monkeypatch) == 0
    assert "sent 1" in capsys.readouterr().out


def _with_one_from_last_month() -> list[dict[str, str]]:
    """ITEMS and a relevant entry older than any backfill window."""
    old = format_datetime(datetime.now(UTC) - timedelta(days=30))
    return [*ITEMS, {"title": "k8s from last month", "link": "https://f.example/9",
                     "guid": "9", "pubDate": old}]  # fmt: skip


def test_the_dry_run_says_what_it_holds_back_as_backfill(fake_slack, tmp_path, monkeypatch, capsys):
    with FeedServer() as feeds:
        feeds.set("/f.xml", rss(_with_one_from_last_month()))
        env = hark_env(tmp_path, fake_slack, feeds.url("/f.xml"))
        assert _run(["poll", "--dry-run"], env, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "would post to C0K8S [kubernetes] k8s pods keep restarting?" in out
    assert "k8s from last month" not in out
    assert (
        "1 conversation would be posted; 1 relevant post is held back: older than the "
        "backfill window (24 h) on its source's first poll"
    ) in out
    assert "It is recorded and will never be posted as new." in out


def test_the_dry_run_names_the_configured_backfill_window(
    fake_slack, tmp_path, monkeypatch, capsys
):
    # Built lean (no services), the dry run reads the window from the poller itself.
    with FeedServer() as feeds:
        feeds.set("/f.xml", rss(_with_one_from_last_month()))
        env = hark_env(tmp_path, fake_slack, feeds.url("/f.xml"))
        config = tmp_path / "hark.yml"
        config.write_text(config.read_text() + "backfill: 48h\n")
        assert _run(["poll", "--dry-run"], env, monkeypatch) == 0
    assert "held back: older than the backfill window (48 h)" in capsys.readouterr().out
