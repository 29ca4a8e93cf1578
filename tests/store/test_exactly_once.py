"""Exactly once across workers (issue 15, item 4), on SQLite and on PostgreSQL: outbox rows
taken by one worker at a time, the send trace kept for a lease, the first ts wins, card
refreshes in order, and the read-modify-write sites safe when workers race."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from bot.blocks.conversation import conversation_message
from bot.engage.outbox import Publisher
from bot.models import Post, SourceSpec, State
from bot.parse.normalize import content_hash, site_of
from bot.store import IncomingPost, Store
from tests.support.harness import seed_conversation

NOW = 1_800_000_000.0
RACERS = 16


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(hark_db: str, clock: Clock):
    made = Store(hark_db, clock=clock)
    yield made
    made.close()


def _race(work: Callable[[int], Any], n: int = RACERS) -> list[Any]:
    """Run ``work(i)`` on ``n`` threads released at once; their results, in order. The
    store's connections of those threads are closed by the caller's store.close_dead()."""
    start = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001  # reported below, with the thread's id
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


def _wait_for(condition: Callable[[], bool], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _waiting_cards(store: Store, n: int, topic: str = "kubernetes") -> list[int]:
    """``n`` conversations stored and waiting in the outbox; their ids, oldest first."""
    store.add_topic(topic, "k8s", "C0K8S")
    topic_id = store.topic_by_name(topic).id
    source = store.add_source(SourceSpec("feed", "https://seed.example/feed", 600, "seed"))
    items = [
        IncomingPost(
            Post(guid=f"g{i}", link=f"https://f.example/{i}", title=f"k8s question {i}", text=""),
            site_of(f"https://f.example/{i}"),
            content_hash(f"k8s question {i}", ""),
        )
        for i in range(n)
    ]
    stored = store.store_source_posts(source, items, source_kind="feed")
    ids = [
        store.record_conversation(s.id, topic_id, channel="C0K8S", score=1.0, why="", deliver=True)
        for s in stored
    ]
    return ids


# -- the outbox --------------------------------------------------------------------------


def test_racing_takers_never_get_the_same_row(store):
    ids = _waiting_cards(store, 40)

    def take_all(_: int) -> list[int]:
        mine = []
        while (row := store.take_send(600)) is not None:
            mine.append(row.id)
            # As the Publisher does: the outcome recorded, then the card let go.
            assert store.mark_sent(row.id, f"1800000000.{row.id:06d}")
            store.release_send(row.id)
        return mine

    taken = [i for got in _race(take_all, 8) for i in got]
    store.close_dead()
    assert sorted(taken) == ids  # every row once: none twice, none left
    assert store.take_send(600) is None


def test_a_card_being_sent_is_left_alone_until_its_sender_is_gone(store, clock, hark_db):
    [cid] = _waiting_cards(store, 1)
    sender = Store(hark_db, clock=clock)  # another worker, its send in flight
    first = sender.take_send(120)
    assert first.id == cid and first.send_started_at is None  # a fresh send
    clock.now += 60
    assert store.take_send(120) is None  # nobody else takes it meanwhile
    if store.dialect.name == "postgresql":
        clock.now += 600
        assert store.take_send(120) is None  # past the lease, but its sender lives
        sender.close()  # killed: its session ends, and its lock on the card with it
    else:
        sender.close()
        clock.now += 61  # SQLite has one process: a trace past the lease is a crash's
    # (The server ends the closed session's backend a moment later: wait for it.)
    taken: list[Any] = []
    _wait_for(lambda: taken.append(store.take_send(120)) or taken[-1] is not None)
    again = taken[-1]
    assert again.id == cid and again.send_started_at == NOW  # recovered, trace and all
    store.release_send(cid)
    assert store.conversation(cid).send_attempts == 2


def test_a_worker_retakes_its_own_unfinished_send_at_once(store, clock):
    [cid] = _waiting_cards(store, 1)
    store.take_send(120)
    store.release_send(cid)  # Slack failed: the outcome is unknown, the trace stays
    assert store.take_send(120, mine=[cid]).send_started_at == NOW


def test_the_first_ts_wins(store):
    [cid] = _waiting_cards(store, 1)
    assert store.mark_sent(cid, "1700000000.000100", "C0K8S") is True
    assert store.mark_sent(cid, "1700000000.000200", "C0OTHER") is False
    row = store.conversation(cid)
    assert (row.ts, row.channel) == ("1700000000.000100", "C0K8S")


def test_two_pollers_delivering_at_once_send_each_card_once(harness_factory):
    h = harness_factory()
    ids = _waiting_cards(h.store, 12, topic="rust")
    h.fake.delay("chat.postMessage", 0.02)  # sends overlap
    workers = [h.store, Store(h.store.path)]  # two processes' stores on one database
    publishers = [
        Publisher(
            s,
            h.services.client,
            per_channel_interval=0,
            render_card=conversation_message,
            send_lease=600,
        )
        for s in workers
    ]
    reports = _race(lambda i: publishers[i].deliver(), 2)
    workers[1].close()
    h.store.close_dead()
    posted = Counter(
        c.args["metadata"]["event_payload"]["conversation_id"]
        for c in h.fake.calls("chat.postMessage")
    )
    assert posted == Counter(ids)  # each card once
    assert sorted(reports[0].sent + reports[1].sent) == ids
    assert h.store.outbox() == []


def test_a_copy_posted_after_another_worker_recorded_its_ts_is_deleted(harness_factory):
    h = harness_factory()
    [cid] = _waiting_cards(h.store, 1, topic="rust")
    h.fake.delay("chat.postMessage", 1.0)  # the call in flight while the other records
    publisher = h.services.publisher
    sending = threading.Thread(target=publisher.deliver)
    sending.start()
    _wait_for(lambda: h.store.conversation(cid).send_started_at is not None)  # taken
    # While this worker's call is in flight, another worker records the card's ts.
    h.store.mark_sent(cid, "1700000000.000100", "C0K8S")
    sending.join(10)
    [posted] = h.fake.calls("chat.postMessage")
    [deleted] = h.fake.calls("chat.delete")
    assert deleted.args["ts"] == posted.response["ts"] != "1700000000.000100"
    assert h.store.conversation(cid).ts == "1700000000.000100"


def test_a_card_refresh_waits_for_the_one_in_flight_and_shows_the_newest_state(
    harness_factory,
):
    h = harness_factory()
    cid = seed_conversation(h)
    refreshing = threading.Thread(target=h.services.publisher.refresh, args=(cid,))
    with h.store.card_refresh(cid):  # a refresh in flight (here, or on another worker)
        refreshing.start()
        refreshing.join(0.5)
        assert refreshing.is_alive() and h.fake.calls("chat.update") == []
        assert h.store.change_state(
            cid,
            user_id="U0SME1",
            action="claim",
            expect_states=[State.NEW],
            state=State.CLAIMED,
            owner="U0SME1",
        )
    refreshing.join(10)
    [update] = h.fake.calls("chat.update")
    assert "U0SME1" in str(update.args["blocks"])  # rendered after the claim, never before


# -- read-modify-write sites -------------------------------------------------------------


def test_racing_claims_have_one_winner(store):
    [cid] = _waiting_cards(store, 1)

    def claim(i: int) -> bool:
        return store.change_state(
            cid,
            user_id=f"U{i:03d}",
            action="claim",
            expect_states=[State.NEW],
            expect={"owner": None},
            state=State.CLAIMED,
            owner=f"U{i:03d}",
        )

    won = _race(claim)
    store.close_dead()
    assert won.count(True) == 1
    owner = store.conversation(cid).owner
    assert owner == f"U{won.index(True):03d}"
    assert [e.user_id for e in store.engagements(cid)] == [owner]


def test_racing_add_topic_adds_it_once(store):
    added = _race(lambda i: store.add_topic("Rust" if i % 2 else "rust", f"rust {i}", "C0R"))
    store.close_dead()
    assert added.count(True) == 1
    assert [t.name for t in store.topics()] in (["Rust"], ["rust"])


def test_racing_first_registrations_count_one_new_person(store):
    new = _race(lambda i: store.save_person("U0NEW", {"name": f"N{i}"}, [f"t{i}"], {"x": f"h{i}"}))
    store.close_dead()
    assert new.count(True) == 1
    assert len(store.person_topics("U0NEW")) == 1 and len(store.accounts("U0NEW")) == 1


def test_racing_poll_failures_each_count(store):
    source = store.add_source(SourceSpec("feed", "https://down.example/feed", 600, "down"))
    _race(lambda i: store.record_poll_failure(source, f"timeout {i}"))
    store.close_dead()
    assert store.source(source).consecutive_failures == RACERS


def test_racing_stores_of_one_link_make_one_post(store):
    sources = [
        store.add_source(SourceSpec("feed", f"https://s{i}.example/feed", 600, f"s{i}"))
        for i in range(8)
    ]
    link = "https://forum.example.com/t/1"
    item = IncomingPost(
        Post(guid=None, link=link, title="t", text=""), site_of(link), content_hash("t", "")
    )
    stored = _race(lambda i: store.store_source_posts(sources[i], [item], source_kind="feed")[0], 8)
    store.close_dead()
    assert len({s.id for s in stored}) == 1 and [s.is_new for s in stored].count(True) == 1
    assert store.one("SELECT count(*) AS n FROM posts")["n"] == 1
