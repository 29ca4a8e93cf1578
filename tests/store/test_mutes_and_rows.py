"""Mutes on their own store (added once, removed case-insensitively, a version bumped on every
change), and store/rows: rows become the typed data of bot/models.py, flags as booleans,
states as State, a column the model lacks refused loudly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.models import Conversation, Mute, Person, State
from bot.store import rows as typed
from bot.store.mutes import MutesStore


@pytest.fixture
def mutes(tmp_path: Path):
    store = MutesStore(str(tmp_path / "hark.db"), clock=lambda: 1000.0)
    yield store
    store.close()


def test_a_mute_is_added_once_and_removed_whatever_its_case(mutes: MutesStore) -> None:
    start = mutes.mutes_version()
    assert mutes.add_mute("site", "spam.example.com", "U0MARKETER") is True
    assert mutes.add_mute("site", "spam.example.com", "U0SME1") is False
    assert mutes.add_mute("author", "Spammer", "U0MARKETER") is True
    assert mutes.mutes() == [
        Mute(1, "site", "spam.example.com", "U0MARKETER", 1000.0),
        Mute(2, "author", "Spammer", "U0MARKETER", 1000.0),
    ]
    assert mutes.mutes_version() > start
    before = mutes.mutes_version()
    assert mutes.remove_mute("author", "spammer") is True
    assert mutes.remove_mute("author", "spammer") is False
    assert mutes.mutes_version() > before
    assert [m.value for m in mutes.mutes()] == ["spam.example.com"]


def rows(sql: str) -> list[sqlite3.Row]:
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    return db.execute(sql).fetchall()


def test_rows_become_models_with_booleans() -> None:
    [row] = rows(
        "SELECT 'U0SME1' AS user_id, 'Sam' AS name, '' AS title, '' AS department, "
        "'' AS tags, '' AS languages, 1 AS pingable, NULL AS away_until, 0.0 AS updated_at"
    )
    person = typed.one(Person, row)
    assert person is not None and person.pingable is True and person.name == "Sam"
    assert typed.one(Person, None) is None
    assert typed.many(Person, []) == []


def test_a_conversations_state_becomes_a_state() -> None:
    columns = [f.name for f in Conversation.__dataclass_fields__.values()]
    values = {name: "NULL" for name in columns}
    values |= {"id": "7", "state": "'claimed'", "deliver": "1", "reply_verified": "0"}
    select = ", ".join(f"{values[name]} AS {name}" for name in columns)
    [conversation] = typed.many(Conversation, rows(f"SELECT {select}"))
    assert conversation.state is State.CLAIMED
    assert (conversation.deliver, conversation.reply_verified) == (True, False)


def test_a_column_the_model_lacks_is_refused() -> None:
    [row] = rows(
        "SELECT 1 AS id, 'site' AS kind, 'x' AS value, NULL AS created_by, "
        "0.0 AS created_at, 'surprise' AS extra"
    )
    with pytest.raises(TypeError):
        typed.one(Mute, row)
