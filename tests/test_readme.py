"""README.md against the code: its config example parses and shows every key the parser
takes, its command table names every `hark` command, its quick start uses `hark init`."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.config import parse_config

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

EVERY_KEY = (
    "company", "terms", "competitors", "topics", "sla", "min_score", "sources", "every",
    "label", "admins", "digest", "schedule", "backfill", "retention", "engagement",
    "guidelines", "business_hours", "days", "hours", "timezone", "x", "max_reads_per_month",
    "network", "allow_hosts",
)  # fmt: skip


def _config_example() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.DOTALL)
    return next(b for b in blocks if "topics:" in b)


def test_the_config_example_parses_and_names_every_key():
    example = _config_example()
    config = parse_config(yaml.safe_load(example), "README.md")
    assert config.engagement.business_hours is not None and config.retention_days == 180
    missing = [k for k in EVERY_KEY if not re.search(rf"\b{k}:", example)]
    assert missing == []


def test_the_command_table_names_every_command():
    for command in ("run", "init", "poll", "doctor", "backup", "people import", "export"):
        assert f"| `hark {command}" in README, command
    assert "hark poll --once" not in README.split("## Command line")[1].split("\n|")[0]


def test_the_quick_start_writes_the_config_it_runs_with():
    quick = README.split("## Quick start")[1].split("\n## ")[0]
    assert ".venv/bin/hark init" in quick
    assert quick.index("hark init") < quick.index("HARK_CONFIG=hark.yml .venv/bin/hark run")


def test_mastodon_sources_are_explained_as_hashtags():
    assert "`mastodon: kubernetes@mastodon.social` | the **hashtag** `#kubernetes`" in README
