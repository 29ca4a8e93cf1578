"""Waiting in tests for something another thread or process does: polled, never slept on
blindly. A bound only ends a wait that would otherwise hang; it measures nothing."""

from __future__ import annotations

import time
from collections.abc import Callable


def eventually(condition: Callable[[], object], timeout: float = 5.0) -> bool:
    """Whether ``condition()`` came true within ``timeout`` seconds, asked every 20 ms."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Return once ``condition()`` is true; AssertionError after ``timeout`` seconds."""
    if not eventually(condition, timeout):
        raise AssertionError("condition not met in time")
