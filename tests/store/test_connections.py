"""Store connections and open files stay bounded however many poll cycles run."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from email.utils import format_datetime

from bot.store import Store
from tests.support.feeds import rss

TICKS = 25
FEEDS = 6


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _changing_feed(n: int, tick: int) -> bytes:
    when = format_datetime(datetime.now(UTC))
    return rss(
        [
            {
                "title": f"kubernetes question {n}-{tick}",
                "link": f"https://forum.example.com/t/{n}-{tick}",
                "guid": f"t-{n}-{tick}",
                "pubDate": when,
            }
        ]
    )


def test_many_poll_cycles_leave_a_bounded_number_of_connections_and_files(harness_factory, feeds):
    # Every cycle's fetch threads are new threads; each opens a store connection for the
    # parser's known-entry lookups. Those must be closed when the cycle ends.
    paths = [f"/feed{n}.xml" for n in range(FEEDS)]
    for n, path in enumerate(paths):
        feeds.set(path, _changing_feed(n, 0))
    h = harness_factory([feeds.url(p) for p in paths])
    h.poll()
    connections_after_first = h.store.open_connections()
    fds_after_first = _open_fds()
    for tick in range(1, TICKS):
        for n, path in enumerate(paths):
            feeds.set(path, _changing_feed(n, tick))
        h.poll()
    assert len(h.fake.calls("chat.postMessage")) >= TICKS  # the feeds did change and post
    # Only the test's own thread (and none of the dead pool threads) holds a connection.
    assert h.store.open_connections() <= connections_after_first <= 2
    # Files: nothing grows with the number of cycles (a few for sockets in flight).
    assert _open_fds() <= fds_after_first + 4


def test_connections_of_ended_threads_are_closed_when_another_opens(tmp_path):
    store = Store(str(tmp_path / "hark.db"))
    try:
        for _ in range(20):
            worker = threading.Thread(target=lambda: store.one("SELECT 1"))
            worker.start()
            worker.join()
        # At most the latest ended worker's connection and the main thread's remain.
        assert store.open_connections() <= 2
        assert store.close_dead() <= 1
        assert store.open_connections() == 1
    finally:
        store.close()
    assert store.open_connections() == 0


def test_release_thread_closes_only_the_callers_connection(tmp_path):
    store = Store(str(tmp_path / "hark.db"))
    try:
        done = threading.Event()
        release = threading.Event()

        def worker() -> None:
            store.one("SELECT 1")
            store.release_thread()
            done.set()
            release.wait(5)

        thread = threading.Thread(target=worker)
        thread.start()
        assert done.wait(5)
        assert store.open_connections() == 1  # the main thread's, opened by the migrations
        release.set()
        thread.join()
        assert store.one("SELECT 1")[0] == 1  # the main thread's connection still works
    finally:
        store.close()
