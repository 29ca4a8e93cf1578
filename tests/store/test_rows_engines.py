"""Typed rows from either engine: PostgreSQL gives a Decimal for sum() of a bigint and a
bool for a comparison where the model wants an int; rows.py converts them, so a model
holds the same Python types on both engines."""

from __future__ import annotations

import pytest

from bot.models import Coverage, SourceSpec
from bot.store import Store
from bot.store import rows as typed


@pytest.fixture
def store(hark_db: str):
    made = Store(hark_db, clock=lambda: 1_800_000_000.0)
    yield made
    made.close()


def test_sums_and_comparisons_come_back_as_the_models_types(store):
    [row] = store.all(
        """SELECT 'U1' AS user_id, 1 = 1 AS declared,
                  sum(CAST(? AS bigint)) AS claims, count(*) AS replies,
                  CAST(? AS bigint) + 0 AS verified, 1 = 0 AS registered,
                  '' AS name, '' AS title, NULL AS away_until, 2 > 1 AS pingable""",
        (3, 2),
    )
    [covered] = typed.many(Coverage, [row])
    assert covered == Coverage("U1", True, 3, 1, 2, False, "", "", None, True)
    kinds = [type(v) for v in (covered.claims, covered.replies, covered.verified)]
    assert kinds == [int, int, int] and type(covered.declared) is bool


def test_a_hot_read_of_many_rows_converts_too(store):
    store.add_source(SourceSpec("feed", "https://a.example/feed", 600, "a"))
    [covered] = typed.fetch(
        store.conn,
        Coverage,
        """SELECT label AS user_id, enabled = 1 AS declared, sum(CAST(every_seconds AS bigint)) AS claims,
                  CAST(avg(every_seconds) AS integer) AS replies, count(*) AS verified,
                  seeded = 1 AS registered, kind AS name, target AS title,
                  NULL AS away_until, enabled > 0 AS pingable
           FROM sources GROUP BY label, enabled, seeded, kind, target""",
    )
    assert covered.claims == 600 and type(covered.claims) is int
    assert (covered.declared, covered.registered) == (True, False)
