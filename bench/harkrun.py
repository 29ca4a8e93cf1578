"""`hark run` (HTTP mode) as a benchmark's child process, pointed at a fake Slack.

Shared by bench/poll.py (heard to Slack) and bench/open_files.py (files over time)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[1]


def start_hark_run(
    tmp: Path, slack_url: str, config: Path, db_path: str, base_env: Mapping[str, str]
) -> tuple[subprocess.Popen[bytes], BinaryIO]:
    """Start `hark run` in ``tmp`` with ``config`` and the database ``db_path``; Slack and
    Hark variables of ``base_env`` left out. Its output goes to ``tmp``/hark.log, whose
    open file is returned with the process: close it once the process has ended."""
    env = {k: v for k, v in base_env.items() if not k.startswith(("SLACK_", "HARK_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET="bench-secret",
        SLACK_API_URL=slack_url,
        HARK_DB=db_path,
        HARK_CONFIG=str(config),
        PORT=str(free_port()),
        PYTHONPATH=str(ROOT),
    )
    log = open(tmp / "hark.log", "wb")  # noqa: SIM115 - the caller closes it
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], env=env, stdout=log, stderr=log, cwd=tmp
    )
    return child, log
