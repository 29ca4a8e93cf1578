"""/hark search's store API takes a person's words on both engines: every word required,
diacritics folded, and no word read as query syntax (FTS5's or tsquery's)."""

from __future__ import annotations

import pytest

from bot.models import Post, SourceSpec
from bot.parse.normalize import content_hash, site_of
from bot.store import IncomingPost, Store

POSTS = ("Sourdough starter", "Rye levain at the café", "Spelt crumb and rye")


@pytest.fixture
def store(hark_db: str):
    made = Store(hark_db, clock=lambda: 1_800_000_000.0)
    source = made.add_source(SourceSpec("feed", "https://bake.example/feed", 600, "bake"))
    made.store_source_posts(
        source,
        [
            IncomingPost(
                Post(guid=str(i), link=f"https://bake.example/{i}", title=title, text=""),
                site_of(f"https://bake.example/{i}"),
                content_hash(title, ""),
            )
            for i, title in enumerate(POSTS)
        ],
        source_kind="feed",
    )
    yield made
    made.close()


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("sourdough", 1),
        ("rye", 2),
        ("RYE spelt", 1),  # every word, any case
        (["rye", "levain"], 1),
        ("cafe", 1),  # diacritics folded both ways
        ("café", 1),
        ("sourdough OR rye", 0),  # OR is a word, not an operator
        ('"sourdough', 1),  # quotes are not syntax
        ("rye*", 2),
        ("title:rye", 0),  # nor are columns: no post holds the word "title"
        ("NEAR(rye spelt)", 0),
        ("spelt & !crumb", 1),  # nor tsquery's: "!crumb" is the word crumb, not NOT crumb
        ("", 0),
    ],
)
def test_search_takes_words_never_syntax(store, words, found):
    total, best = store.search_posts(words)
    assert total == found and len(best) == found


def test_the_best_come_first_and_only_as_many_as_asked(store):
    total, best = store.search_posts("rye", limit=1)
    assert total == 2 and len(best) == 1 and "rye" in best[0].title.lower()
