"""Full-text indexing in batches (issue 14): a post is queued when stored and indexed with
the others; a cycle ends with everything it stored indexed, and the index agrees with the
posts after edits, purges, crashes and the migration from the per-row trigger."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.models import Post, SourceSpec
from bot.parse.normalize import content_hash, site_of
from bot.store import Store
from bot.store.ingest import IncomingPost
from tests.support.feeds import rss

BEFORE_ISSUE_12 = Path(__file__).parent / "data" / "hark_before_issue12.sql"


def _consistent(store: Store) -> None:
    """FTS5's own check of the index against the posts table (raises when they differ);
    meaningful once nothing waits to be indexed."""
    assert _waiting(store) == 0
    store.conn.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")


def _indexed(store: Store, words: str) -> int:
    """Posts the index itself holds for ``words``, without indexing what waits first."""
    return store.conn.execute(
        "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?", (words,)
    ).fetchone()[0]


def _waiting(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM posts_fts_pending").fetchone()[0]


def _store(store: Store, source_id: int, link: str, title: str, text: str = "") -> int:
    post = Post(guid=link, link=link, title=title, text=text)
    [stored] = store.store_source_posts(
        source_id,
        [IncomingPost(post, site_of(link), content_hash(title, text))],
        source_kind="feed",
    )
    assert stored is not None
    return stored.id


def _items(*titles: str) -> list[dict[str, str]]:
    when = format_datetime(datetime.now(UTC) - timedelta(hours=1))
    return [
        {"title": t, "link": f"https://s.example/{i}", "guid": str(i), "pubDate": when}
        for i, t in enumerate(titles)
    ]


def test_a_cycle_ends_with_every_post_it_stored_indexed(harness_factory, feeds):
    feeds.set("/feed.xml", rss(_items("Sourdough starter", "Rye levain")))
    h = harness_factory([feeds.url("/feed.xml")])
    fts5 = h.store.dialect.name == "sqlite"  # PostgreSQL indexes with the row: no queue
    h.poll()
    # The index itself holds them (no search ran to index what waits), nothing waits.
    if fts5:
        assert _indexed(h.store, '"sourdough"') == 1
        assert _waiting(h.store) == 0
        _consistent(h.store)
    h.command("/hark", "search sourdough", user_id="U0SME1")
    assert "Sourdough starter" in str(h.last_response()["blocks"])
    # The next cycle's new post too.
    feeds.set("/feed.xml", rss(_items("Sourdough starter", "Rye levain", "Spelt crumb")))
    h.poll()
    if fts5:
        assert _indexed(h.store, '"spelt"') == 1 and _waiting(h.store) == 0
        _consistent(h.store)
    assert h.store.search_posts(["spelt"])[0] == 1


@pytest.fixture
def store(tmp_path) -> Store:
    made = Store(str(tmp_path / "hark.db"), clock=lambda: 1_000_000.0)
    yield made
    made.close()


def test_stored_posts_wait_and_a_search_indexes_them_first(store):
    source = store.add_source(SourceSpec("feed", "https://a.example/feed", 600, "a"))
    _store(store, source, "https://a.example/1", "Sourdough starter")
    assert _waiting(store) == 1 and _indexed(store, '"sourdough"') == 0
    assert store.search_posts('"sourdough"')[0] == 1
    assert _waiting(store) == 0
    _consistent(store)


def test_the_index_agrees_with_the_posts_after_edits_and_purges(store):
    source = store.add_source(SourceSpec("feed", "https://a.example/feed", 600, "a"))
    old = [_store(store, source, f"https://a.example/{i}", f"Sourdough {i}") for i in range(3)]
    assert store.index_pending_posts(batch=2) == 3  # two batches
    # Some posts waiting, some indexed; edit one of each, then purge them all.
    waiting = [_store(store, source, f"https://a.example/w{i}", f"Levain {i}") for i in range(3)]
    store.conn.execute("UPDATE posts SET title = 'Rye' WHERE id IN (?, ?)", (old[0], waiting[0]))
    assert store.search_posts('"rye"')[0] == 2
    waiting += [_store(store, source, f"https://a.example/x{i}", f"Spelt {i}") for i in range(2)]
    assert _waiting(store) == 2
    assert store.purge_posts(before=store.now() + 1, batch=2) == 8
    assert _waiting(store) == 0
    _consistent(store)
    assert all(store.search_posts(w)[0] == 0 for w in ("sourdough", "levain", "rye", "spelt"))


def test_posts_stored_in_one_batch_take_the_ids_after_the_newest_even_a_deleted_one(store):
    """Ids are reserved for a whole batch (one statement) and the batch written at once: a
    post stored after the newest one was deleted takes its id, as SQLite would give it, and
    is indexed as itself, not as the deleted post."""
    source = store.add_source(SourceSpec("feed", "https://a.example/feed", 600, "a"))
    first = [_store(store, source, f"https://a.example/{i}", f"Sourdough {i}") for i in range(3)]
    store.index_pending_posts()
    store.conn.execute("DELETE FROM posts WHERE id = ?", (first[-1],))
    posts = [
        Post(guid=f"r{i}", link=f"https://a.example/r{i}", title=f"Rye {i}", text="")
        for i in range(2)
    ]
    stored = store.store_source_posts(
        source,
        [IncomingPost(p, "a.example", content_hash(p.title, "")) for p in posts],
        source_kind="feed",
    )
    assert [s.id for s in stored if s] == [first[-1], first[-1] + 1]
    store.index_pending_posts()
    _consistent(store)
    assert store.search_posts("rye")[0] == 2 and store.search_posts("sourdough")[0] == 2


def test_an_edit_to_a_waiting_post_is_indexed_with_its_new_text(store):
    source = store.add_source(SourceSpec("feed", "https://a.example/feed", 600, "a"))
    post_id = _store(store, source, "https://a.example/1", "Sourdough starter")
    store.conn.execute("UPDATE posts SET title = 'Rye bread' WHERE id = ?", (post_id,))
    store.index_pending_posts()
    _consistent(store)
    assert store.search_posts('"rye"')[0] == 1 and store.search_posts('"sourdough"')[0] == 0


def test_a_crash_before_indexing_leaves_the_posts_queued(tmp_path):
    path = str(tmp_path / "hark.db")
    first = Store(path)
    source = first.add_source(SourceSpec("feed", "https://a.example/feed", 600, "a"))
    _store(first, source, "https://a.example/1", "Sourdough starter")
    first.close()  # the process ends before any batch ran
    again = Store(path)
    try:
        assert _waiting(again) == 1
        assert again.search_posts('"sourdough"')[0] == 1
        _consistent(again)
    finally:
        again.close()


def _store_from_before_issue_12(tmp_path: Path) -> Store:
    """A Store opened (so migrated) on a database made before the batched index."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(BEFORE_ISSUE_12.read_text())
    conn.close()
    return Store(str(path), clock=lambda: 2_000_000_000.0)


def test_a_database_indexed_by_the_old_trigger_stays_consistent(tmp_path):
    store = _store_from_before_issue_12(tmp_path)
    try:
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert "posts_fts_insert" not in names and _waiting(store) == 0
        _consistent(store)
        assert store.search_posts('"kubernetes"')[0] == 1
        source = store.add_source(SourceSpec("feed", "https://a.example/feed", 600, "a"))
        _store(store, source, "https://a.example/1", "Kubernetes again")
        # The old posts were indexed by the trigger: deleting them removes their tokens.
        store.conn.execute("DELETE FROM posts WHERE link != 'https://a.example/1'")
        store.index_pending_posts()
        _consistent(store)
        assert store.search_posts('"kubernetes"')[0] == 1
        _consistent(store)
    finally:
        store.close()


def test_the_index_merges_its_segments_sixteen_at_a_time(tmp_path):
    """FTS5's merge settings (search_003_fts_merge) on a new database and on one that
    predates them, kept in the index's own config table."""
    new = Store(str(tmp_path / "new.db"))
    old = _store_from_before_issue_12(tmp_path)
    try:
        for store in (new, old):
            config = dict(store.conn.execute("SELECT k, v FROM posts_fts_config").fetchall())
            assert (config.get("automerge"), config.get("crisismerge")) == (16, 64)
            _consistent(store)
    finally:
        new.close()
        old.close()
