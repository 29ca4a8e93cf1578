"""``hark people`` as roster_cli runs it: its parser and help, the size limit on the file, the
cap on problems listed, and the exit statuses (0 saved, 1 problems, 2 unreadable file)."""

from __future__ import annotations

import argparse
import io
import textwrap
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.people.roster import COLUMNS, MAX_ERRORS_SHOWN
from bot.people.roster_cli import MAX_FILE_BYTES, add_people_parser, run_people
from bot.store import Store

CONFIG = """
topics:
  - {name: kubernetes, query: 'kubernetes OR k8s', channel: C0K8S}
"""


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    hark = argparse.ArgumentParser(prog="hark")
    add_people_parser(hark.add_subparsers(dest="command"))
    return hark


@pytest.fixture
def people(tmp_path: Path, parser: argparse.ArgumentParser):
    config = tmp_path / "hark.yml"
    config.write_text(textwrap.dedent(CONFIG))
    settings = load_settings({"HARK_DB": str(tmp_path / "hark.db"), "HARK_CONFIG": str(config)})

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        status = run_people(parser.parse_args(["people", *argv]), settings, out, err)
        return status, out.getvalue(), err.getvalue()

    run.db = settings.db_path  # type: ignore[attr-defined]
    return run


def test_the_parser_names_every_column_and_the_two_actions(
    parser: argparse.ArgumentParser, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parser.parse_args(["people", "--help"])
    help_text = capsys.readouterr().out
    assert "import" in help_text and "export" in help_text
    assert all(column in " ".join(help_text.split()) for column in COLUMNS)
    args = parser.parse_args(["people", "import", "--dry-run", "p.csv"])
    assert (args.people_command, args.file, args.dry_run) == ("import", "p.csv", True)
    assert parser.parse_args(["people", "export"]).format == "csv"


def test_import_then_export(people, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("slack_user_id,name,topics\nU0SME1,Sam Expert,kubernetes\n", "utf-8")
    assert people("import", "--dry-run", str(path)) == (
        0,
        "1 people checked; the file is fine (nothing saved).\n",
        "",
    )
    assert people("import", str(path)) == (0, "Imported 1 new and updated 0 people.\n", "")
    status, out, _ = people("export", "--format", "json")
    assert status == 0 and "Sam Expert" in out


def test_a_file_over_the_size_limit_is_refused_unread(people, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no 20 MB written
    status, out, err = people("import", str(path))
    assert (status, out) == (2, "")
    assert err == f"hark: {path} is over 20 MB; split it into smaller files.\n"


def test_past_the_cap_the_rest_of_the_problems_are_counted(people, tmp_path: Path) -> None:
    extra = 5
    rows = "".join(f"bad{i},Someone\n" for i in range(MAX_ERRORS_SHOWN + extra))
    path = tmp_path / "bad.csv"
    path.write_text("slack_user_id,name\n" + rows, "utf-8")
    status, out, err = people("import", str(path))
    lines = err.splitlines()
    assert (status, out) == (1, "")
    assert len([line for line in lines if line.startswith(f"{path}: ")]) == MAX_ERRORS_SHOWN
    assert lines[-2:] == [
        f"… and {extra} more problems",
        "hark: nothing was imported; fix the lines above and run again.",
    ]
    store = Store(people.db)
    try:
        assert store.people() == []
    finally:
        store.close()
