"""``hark export``: the rows a spreadsheet or BI tool gets, as CSV and as JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from bot.cli import main
from bot.report.export import export_rows
from tests.support.digest_world import CONFIG, T0, W, build_world


@pytest.fixture
def world(harness_factory):
    return build_world(harness_factory(config=CONFIG))


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_conversations_as_csv_from_a_date(world):
    out = io.StringIO()
    assert export_rows(world.store, "conversations", "2026-03-09", "csv", out) == 0
    rows = _csv(out.getvalue())
    # The current week's 9 matched posts, less the one held back (never delivered).
    assert len(rows) == 8
    first = rows[0]
    assert first["topic"] == "kubernetes" and first["author"] == "alice"
    assert first["created_at"] == "2026-03-09T01:00:00+00:00"
    assert (first["state"], first["owner"], first["reply_verified"]) == ("replied", "U0AAA", "1")
    assert first["claimed_at"] == "2026-03-09T01:10:00+00:00"
    assert first["reply_url"].startswith("https://forum.example.com/r/")
    assert {r["ignore_reason"] for r in rows if r["state"] == "ignored"} == {
        "spam or bot",
        "off-topic",
    }


def test_engagements_as_json_between_dates(world):
    out = io.StringIO()
    assert (
        export_rows(world.store, "engagements", "2026-03-09", "json", out, until="2026-03-10") == 0
    )
    rows = json.loads(out.getvalue())
    # Monday 9 March: c1 claimed at 01:10 and verified at 02:00.
    assert [(r["action"], r["user_id"], r["topic"], r["at"]) for r in rows] == [
        ("claim", "U0AAA", "kubernetes", "2026-03-09T01:10:00+00:00"),
        ("reply_verified", "U0AAA", "kubernetes", "2026-03-09T02:00:00+00:00"),
    ]


def test_people_and_empty_exports_keep_their_header(world):
    out = io.StringIO()
    export_rows(world.store, "people", None, "csv", out)
    [ann] = _csv(out.getvalue())
    assert (ann["user_id"], ann["name"], ann["topics"], ann["accounts"]) == (
        "U0AAA",
        "Ann",
        "kubernetes",
        "x:@sme_aaa",
    )
    out = io.StringIO()
    export_rows(world.store, "conversations", "2030-01-01", "csv", out)
    assert out.getvalue().splitlines()[0].startswith("id,topic,title,link")
    out = io.StringIO()
    export_rows(world.store, "engagements", "2030-01-01", "json", out)
    assert json.loads(out.getvalue()) == []


@pytest.mark.parametrize(
    ("since", "until", "problem"),
    [
        ("last week", None, "'last week' is not a date"),
        ("2026-03-09", "2026-03-01", "--until must be after"),
    ],
)
def test_bad_dates_are_explained(world, since, until, problem):
    out, err = io.StringIO(), io.StringIO()
    assert export_rows(world.store, "conversations", since, "csv", out, until=until, err=err) == 2
    assert problem in err.getvalue() and out.getvalue() == ""


def test_hark_export_command(world, monkeypatch, capsys):
    for name, value in {"HARK_DB": world.h.settings.db_path, "HARK_CONFIG": ""}.items():
        monkeypatch.setenv(name, value)
    assert (
        main(
            [
                "export",
                "conversations",
                "--since",
                "2026-03-02",
                "--until",
                "2026-03-09",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 7 and {r["state"] for r in rows} == {"new"}
    assert all(T0 <= _epoch(r["created_at"]) < W for r in rows)
    assert main(["export", "people"]) == 0
    assert capsys.readouterr().out.startswith("user_id,name,")


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


FORMULAS = [
    '=HYPERLINK("https://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def test_no_exported_cell_is_a_formula(harness_factory):
    """Feed titles, authors, shared drafts and people's fields are untrusted: every CSV
    Hark writes (hark export, hark people export) guards each cell the same way."""
    from bot.people.roster import export_people
    from bot.report.csvcells import FORMULA_START
    from tests.support.harness import seed_conversation

    h = harness_factory()
    for i, evil in enumerate(FORMULAS):
        cid = seed_conversation(
            h, title=evil, author=evil, text=f"k8s post {i}", link=f"https://e.example/{i}"
        )
        h.store.log_engagement(cid, "U0SME1", "share_draft", evil)
    h.store.save_person(
        "U0EVIL",
        {"name": FORMULAS[0], "title": FORMULAS[1], "department": FORMULAS[3]},
        ["kubernetes"],
        {},
    )
    cells = []
    for kind in ("conversations", "engagements", "people"):
        out = io.StringIO()
        assert export_rows(h.store, kind, None, "csv", out) == 0
        cells += [cell for row in csv.reader(io.StringIO(out.getvalue())) for cell in row]
    out = io.StringIO()
    assert export_people(h.store, "csv", out) == 0
    cells += [cell for row in csv.reader(io.StringIO(out.getvalue())) for cell in row]
    assert [c for c in cells if c.startswith(FORMULA_START)] == []
    for evil in FORMULAS:  # kept, shown as text
        assert "'" + evil in cells
