"""``hark people import|export``: line-numbered errors, all or nothing, a faithful round trip."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pytest

from bot.cli import main
from bot.people.roster import COLUMNS
from bot.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "people"
CONFIG = """
company: {name: Acme, terms: [Acme]}
topics:
  - {name: kubernetes, query: 'kubernetes OR k8s', channel: C0K8S}
  - {name: billing, query: invoice, channel: C0BILL}
"""


@pytest.fixture
def hark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``hark …`` in-process against a temp database; returns (status, stdout, stderr)."""
    config = tmp_path / "hark.yml"
    config.write_text(textwrap.dedent(CONFIG))
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "HARK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HARK_DB", str(tmp_path / "hark.db"))
    monkeypatch.setenv("HARK_CONFIG", str(config))

    def run(*args: str) -> tuple[int, str, str]:
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    run.db = str(tmp_path / "hark.db")  # type: ignore[attr-defined]
    run.tmp = tmp_path  # type: ignore[attr-defined]
    return run


def _store(hark) -> Store:
    return Store(hark.db)


def test_import_registers_everyone_with_canonical_accounts(hark):
    status, out, err = hark("people", "import", str(FIXTURES / "good.csv"))
    assert (status, err) == (0, "")
    assert "Imported 3 new and updated 0 people." in out
    store = _store(hark)
    try:
        assert store.accounts("U0SME1") == {
            "x": "@sam_expert",
            "mastodon": "@sam@hachyderm.io",
            "github": "same",
            "stackoverflow": "42",
            "blog": "https://sam.dev/feed.xml",
        }
        sam = store.person("U0SME1")
        assert (sam.title, sam.tags, sam.languages, sam.pingable) == (
            "Staff Engineer, Kubernetes", "postgres, SRE", "en, de", 1,
        )  # fmt: skip
        assert store.person_topics("U0SME2") == ["billing", "kubernetes"]
        assert store.person("U0SME2").away_until == "2099-01-31"
        assert store.person("U0SME3").department == "Support"  # the id was lower-case
    finally:
        store.close()


def test_a_file_with_problems_imports_nothing_and_says_where(hark):
    status, out, err = hark("people", "import", str(FIXTURES / "bad.csv"))
    assert status == 1 and out == ""
    lines = err.splitlines()
    bad = str(FIXTURES / "bad.csv")
    expected = [
        f"{bad}: line 3: slack_user_id 'sam' is not a Slack user ID",
        f"{bad}: line 4: pingable: 'maybe' should be yes or no",
        f"{bad}: line 4: topics: 'astrology' is not a topic Hark knows",
        f"{bad}: line 4: mastodon: Doesn't look like a Mastodon account",
        f"{bad}: line 4: blog: A blog or feed URL starts with http:// or https://",
        f"{bad}: line 5: away_until: Write the date as YYYY-MM-DD",
        f"{bad}: line 7: U0SME1 is already on line 2",
        f"{bad}: line 8: 10 cells, but the header has 8",
    ]
    for want in expected:
        assert any(line.startswith(want) for line in lines), (want, lines)
    assert "(the topics are: billing, kubernetes)" in err
    assert "nothing was imported" in lines[-1]
    store = _store(hark)
    try:
        assert store.people() == []  # line 2 was fine, but all or nothing
    finally:
        store.close()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "line 1: the file is empty"),
        ("name,title\nSam,Boss\n", "line 1: the slack_user_id column is required"),
        ("slack_user_id,twitter\nU0SME1,@sam\n", "line 1: unknown column “twitter”"),
        ("slack_user_id,x,x\nU0SME1,@a,@b\n", "line 1: column named twice: x"),
    ],
)
def test_header_problems(hark, content, problem):
    path = hark.tmp / "people.csv"
    path.write_text(content)
    status, _, err = hark("people", "import", str(path))
    assert status == 1 and problem in err


def test_missing_or_non_utf8_file(hark):
    status, _, err = hark("people", "import", str(hark.tmp / "nope.csv"))
    assert status == 2 and "no such file" in err
    latin = hark.tmp / "latin.csv"
    latin.write_bytes("slack_user_id,name\nU0SME1,Zoë\n".encode("latin-1"))
    status, _, err = hark("people", "import", str(latin))
    assert status == 2 and "CSV UTF-8" in err


def test_left_out_columns_keep_their_values_and_dry_run_saves_nothing(hark):
    hark("people", "import", str(FIXTURES / "good.csv"))
    path = hark.tmp / "moves.csv"
    path.write_text("slack_user_id,department,x\nU0SME1,SRE,\n")
    status, out, _ = hark("people", "import", "--dry-run", str(path))
    assert status == 0 and "1 people checked" in out
    store = _store(hark)
    try:
        assert store.person("U0SME1").department == "Platform"
    finally:
        store.close()
    assert hark("people", "import", str(path))[0] == 0
    store = _store(hark)
    try:
        assert store.person("U0SME1").department == "SRE"
        assert "x" not in store.accounts("U0SME1")  # an empty cell clears
        assert store.accounts("U0SME1")["github"] == "same"  # a left-out column keeps
        assert store.person_topics("U0SME1") == ["kubernetes"]
    finally:
        store.close()


def test_export_is_the_import_format_and_round_trips(hark):
    hark("people", "import", str(FIXTURES / "good.csv"))
    status, exported, _ = hark("people", "export")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert tuple(rows[0]) == COLUMNS
    sam = rows[0]
    assert (sam["slack_user_id"], sam["x"], sam["tags"], sam["pingable"]) == (
        "U0SME1", "sam_expert", "postgres; SRE", "yes",
    )  # fmt: skip
    again = hark.tmp / "again.csv"
    again.write_text(exported)
    status, out, err = hark("people", "import", str(again))
    assert (status, err) == (0, "") and "Imported 0 new and updated 3 people." in out
    assert hark("people", "export")[1] == exported


def test_export_guards_spreadsheet_formulas_and_import_takes_the_guard_off(hark):
    path = hark.tmp / "formula.csv"
    path.write_text('slack_user_id,name,department\nU0SME1,"=HYPERLINK(""http://evil"")",+ops\n')
    assert hark("people", "import", str(path))[0] == 0
    exported = hark("people", "export")[1]
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["name"] == '\'=HYPERLINK("http://evil")' and row["department"] == "'+ops"
    path.write_text(exported)
    assert hark("people", "import", str(path))[0] == 0
    store = _store(hark)
    try:
        assert store.person("U0SME1").name == '=HYPERLINK("http://evil")'
    finally:
        store.close()


def test_json_export(hark):
    hark("people", "import", str(FIXTURES / "good.csv"))
    people = json.loads(hark("people", "export", "--format", "json")[1])
    assert [p["slack_user_id"] for p in people] == ["U0SME1", "U0SME2", "U0SME3"]
    assert people[1]["topics"] == ["billing", "kubernetes"] and people[1]["pingable"] is False
    assert people[0]["x"] == "@sam_expert"


def test_people_command_has_help(hark, capsys):
    for args in (
        ["people", "--help"],
        ["people", "import", "--help"],
        ["people", "export", "--help"],
    ):
        with pytest.raises(SystemExit) as done:
            main(args)
        assert done.value.code == 0
        assert "usage: hark people" in capsys.readouterr().out
