"""Golden files: every surface a person sees, as Block Kit JSON and as plain text, under
tests/golden/files/. A wording change shows up in review as a diff of these files.

Regenerate after an intended change (then read the diff before committing):

    HARK_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden -n 0
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.golden.plaintext import render_message, render_view
from tests.golden.session import (
    CONFIG,
    command_session,
    conversation_session,
    digest_session,
    doctor_session,
    stable,
)
from tests.support.blockkit import validate_blocks, validate_view
from tests.support.digest_world import CONFIG as DIGEST_CONFIG

FILES = Path(__file__).parent / "files"
UPDATE = os.environ.get("HARK_UPDATE_GOLDEN") == "1"


def _plain(name: str, shown: list[dict[str, Any]]) -> str:
    out = [f"# surface: {name}"]
    for item in shown:
        method, args = item["method"], item["args"]
        where = " ".join(
            f"{k}={args[k]}" for k in ("channel", "user", "user_id", "thread_ts") if args.get(k)
        )
        out.append(f"\n--- {method} {where}".rstrip())
        if method == "printed":
            out.append(args["text"].rstrip("\n"))
        elif "view" in args:
            out += render_view(args["view"])
        elif method == "view_submission response":
            errors = args.get("errors") or {}
            out += [f"error on {k}: {v}" for k, v in errors.items()] or [json.dumps(args)]
        else:
            out += render_message(args)
    return "\n".join(out) + "\n"


def _valid(shown: list[dict[str, Any]]) -> list[str]:
    problems = []
    for item in shown:
        args = item["args"]
        if isinstance(args.get("view"), dict):
            surface = "home" if args["view"].get("type") == "home" else "modal"
            problems += validate_view(args["view"], surface)
        elif isinstance(args.get("blocks"), list):
            problems += validate_blocks(args["blocks"])
    return problems


@pytest.fixture
def rendered(harness_factory, fake_slack, tmp_path) -> dict[str, list[dict[str, Any]]]:
    def harness(config: str, db: str):  # one database per session: none sees another's rows
        return harness_factory(config=config, HARK_DB=str(tmp_path / db))

    surfaces: dict[str, list[dict[str, Any]]] = {}
    surfaces.update(conversation_session(harness(CONFIG, "cards.db")))
    surfaces.update(command_session(harness(CONFIG, "commands.db")))
    surfaces.update(digest_session(harness(DIGEST_CONFIG, "digest.db")))
    surfaces.update(doctor_session(harness(CONFIG, "doctor.db"), fake_slack))
    return json.loads(stable(surfaces, tmp_path, fake_slack.origin))


def test_every_surface_matches_its_golden_files(rendered):
    FILES.mkdir(exist_ok=True)
    expected: dict[str, str] = {}
    for name, shown in rendered.items():
        assert _valid(shown) == [], name
        assert shown, f"{name}: the step showed nothing to anyone"
        expected[f"{name}.json"] = json.dumps(shown, indent=1, ensure_ascii=False) + "\n"
        expected[f"{name}.txt"] = _plain(name, shown)
    if UPDATE:
        for old in FILES.iterdir():
            if old.name not in expected:
                old.unlink()
        for file, text in expected.items():
            (FILES / file).write_text(text)
        return
    diffs = []
    for file, text in sorted(expected.items()):
        path = FILES / file
        have = path.read_text() if path.exists() else ""
        if have != text:
            diffs += difflib.unified_diff(
                have.splitlines(), text.splitlines(), f"golden/{file}", "now", lineterm="", n=1
            )
    stale = sorted(p.name for p in FILES.iterdir() if p.name not in expected)
    assert not diffs and not stale, (
        "Golden files differ (HARK_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden -n 0 regenerates "
        f"them; read the diff): stale {stale}\n" + "\n".join(diffs[:400])
    )
