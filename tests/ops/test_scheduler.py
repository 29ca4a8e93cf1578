"""Ticker: ticks at once on start, never two at once, survives a failing tick (saying so in its
status for /healthz), and stop() waits for the running tick."""

from __future__ import annotations

import threading
import time

import pytest

from bot.ops.scheduler import Ticker, start_scheduler
from tests.support.waiting import wait_until


def test_a_new_ticker_is_not_running() -> None:
    ticker = Ticker(lambda: None, every=60)
    assert not ticker.running
    assert ticker.status() == {
        "state": "new",
        "every_seconds": 60,
        "ticking": False,
        "ticks": 0,
        "last_tick_started": None,
        "last_tick_finished": None,
        "last_tick_error": None,
    }
    ticker.stop()  # stopping what never started does nothing
    assert ticker.status()["state"] == "new"


def test_the_first_tick_runs_at_start_and_its_time_is_reported() -> None:
    ticked = threading.Event()
    ticker = start_scheduler(ticked.set, every=3600)
    try:
        assert ticker.running
        assert ticked.wait(5)
        wait_until(lambda: ticker.status()["ticks"] == 1)
        status = ticker.status()
        assert status["state"] == "running" and status["last_tick_error"] is None
        assert status["last_tick_started"] <= status["last_tick_finished"] <= time.time()
    finally:
        ticker.stop()
    assert not ticker.running and ticker.status()["state"] == "stopped"


def test_a_failing_tick_is_reported_and_does_not_stop_the_ticker(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def tick() -> None:
        raise RuntimeError("database is locked")

    ticker = start_scheduler(tick, every=3600)
    try:
        wait_until(lambda: ticker.status()["ticks"] == 1)
        assert ticker.status()["last_tick_error"] == "RuntimeError: database is locked"
        assert ticker.running
    finally:
        ticker.stop()
    assert "poll tick failed" in caplog.text


def test_stop_waits_for_the_running_tick() -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def tick() -> None:
        started.set()
        release.wait(5)
        finished.set()

    ticker = start_scheduler(tick, every=3600)
    assert started.wait(5)
    assert ticker.status()["ticking"] is True
    stopper = threading.Thread(target=ticker.stop)
    stopper.start()
    wait_until(lambda: ticker.status()["state"] == "stopping")
    assert not ticker.running
    release.set()
    stopper.join(5)
    assert finished.is_set() and ticker.status()["state"] == "stopped"
    assert ticker.status()["ticking"] is False
