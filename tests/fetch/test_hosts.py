"""HostPools: one pool per host (case-insensitive), at most ``per_host`` threads in it at once,
a slot timeout raised as the caller's own error, and idle hosts dropped past MAX_HOSTS."""

from __future__ import annotations

import threading
import time

import pytest

from bot.fetch import deadline as fetchdeadline
from bot.fetch import hosts
from bot.fetch.hosts import HostPools


class SlotTimeout(Exception):
    pass


@pytest.fixture
def pools():
    made = HostPools(
        per_host=1,
        allow_hosts=frozenset({"127.0.0.1"}),
        resolver=None,
        on_slot_timeout=lambda host: SlotTimeout(host),
    )
    fetchdeadline.current.deadline = time.monotonic() + 5
    yield made
    fetchdeadline.current.deadline = None
    made.close()


def test_a_host_keeps_one_pool_whatever_the_case_of_its_name(pools: HostPools) -> None:
    with pools.pool_for("feeds.example.com") as first:
        pass
    with pools.pool_for("FEEDS.example.COM") as again:
        pass
    with pools.pool_for("other.example.com") as other:
        pass
    assert again is first and other is not first


def test_a_full_host_times_out_with_the_callers_error(pools: HostPools) -> None:
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        fetchdeadline.current.deadline = time.monotonic() + 5
        with pools.pool_for("busy.example.com"):
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert holding.wait(5)
        fetchdeadline.current.deadline = time.monotonic() + 0.1
        with (
            pytest.raises(SlotTimeout, match="busy.example.com"),
            pools.pool_for("busy.example.com"),
        ):
            pass
    finally:
        release.set()
        worker.join()
    fetchdeadline.current.deadline = time.monotonic() + 5
    with pools.pool_for("busy.example.com"):  # the slot is free again
        pass


def test_a_passed_deadline_gets_no_slot(pools: HostPools) -> None:
    fetchdeadline.current.deadline = time.monotonic() - 1
    with pytest.raises(SlotTimeout), pools.pool_for("late.example.com"):
        pass


def test_idle_hosts_are_dropped_past_max_hosts(pools: HostPools) -> None:
    with pools.pool_for("a.example") as a:
        pass
    for i in range(hosts.MAX_HOSTS):
        with pools.pool_for(f"h{i}.example"):
            pass
    with pools.pool_for("a.example") as a_again:
        pass
    assert a_again is not a  # a.example was idle when the fourth host came: its pool went
