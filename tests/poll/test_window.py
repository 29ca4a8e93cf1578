"""as_completed_in_window: every item once, never more than the window in flight, and
the caller's idle work done while it would wait."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.poll.window import as_completed_in_window


def test_every_result_once_with_at_most_the_window_in_flight() -> None:
    lock = threading.Lock()
    running, most = 0, 0

    def work(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.002 * (n % 3))
        with lock:
            running -= 1
        return n * n

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(as_completed_in_window(pool, work, iter(range(100)), 5))
    assert sorted(results) == [n * n for n in range(100)]
    assert most <= 5


def test_idle_runs_while_no_result_is_ready_and_fewer_items_than_the_window() -> None:
    idles: list[int] = []
    release = threading.Event()

    def work(n: int) -> int:
        release.wait(5)
        return n

    def idle() -> None:
        idles.append(1)
        release.set()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(as_completed_in_window(pool, work, [1, 2, 3], 8, idle=idle))
    assert sorted(results) == [1, 2, 3]
    assert idles  # the first wait found nothing ready


def test_an_error_in_work_reaches_the_caller() -> None:
    def work(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = as_completed_in_window(pool, work, range(6), 2)
        with pytest.raises(ValueError, match="three"):
            list(results)
