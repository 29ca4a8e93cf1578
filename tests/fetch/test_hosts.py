"""HostPools: one pool per host (case-insensitive), at most ``per_host`` threads in it at once,
a slot timeout raised as the caller's own error, http and https sharing a host's slots, and
idle hosts dropped past MAX_HOSTS."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

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


@contextlib.contextmanager
def _slot_held(pools: HostPools, host: str) -> Iterator[None]:
    """Another thread holds ``host``'s one slot (per_host=1) until the block ends; inside,
    this thread's deadline is 0.1 s away, so asking for a slot times out at once."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        fetchdeadline.current.deadline = time.monotonic() + 5
        with pools.pool_for(host):
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert holding.wait(5)
        fetchdeadline.current.deadline = time.monotonic() + 0.1
        yield
    finally:
        release.set()
        worker.join()
        fetchdeadline.current.deadline = time.monotonic() + 5


def test_a_full_host_times_out_with_the_callers_error(pools: HostPools) -> None:
    with (
        _slot_held(pools, "busy.example.com"),
        pytest.raises(SlotTimeout, match="busy.example.com"),
        pools.pool_for("busy.example.com"),
    ):
        pass
    with pools.pool_for("busy.example.com"):  # the slot is free again
        pass


def test_a_hosts_http_and_https_share_its_slots(pools: HostPools) -> None:
    with (
        _slot_held(pools, "both.example.com"),
        pytest.raises(SlotTimeout),
        pools.pool_for("both.example.com", tls=True),
    ):
        pass
    with pools.pool_for("both.example.com") as http, pools.pool_for("x.example", tls=True):
        pass
    with pools.pool_for("BOTH.example.com", tls=True) as https:
        pass
    assert https is not http


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
