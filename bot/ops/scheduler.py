"""The one scheduler: a "tick" job that polls due sources and sends the outbox."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

TICK_SECONDS = 30


class Ticker:
    """Runs ``tick`` now and then every ``every`` seconds, never two at once, and says how
    it went (for /healthz).

    The schedule itself lives in the database (each source's next_check_at); this job only
    asks what is due. max_instances=1 + coalesce keep a slow tick from piling up; a generous
    misfire grace time keeps a busy process from skipping it.
    """

    def __init__(self, tick: Callable[[], None], every: int = TICK_SECONDS) -> None:
        self._tick, self.every = tick, every
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._lock = threading.Lock()
        self._state = "new"
        self._ticking = False
        self._ticks = 0
        self._last_started: float | None = None
        self._last_finished: float | None = None
        self._last_error: str | None = None

    def start(self) -> Ticker:
        self._scheduler.add_job(
            self._safe_tick,
            "interval",
            seconds=self.every,
            id="tick",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=self.every * 10,
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()
        with self._lock:
            self._state = "running"
        return self

    def stop(self) -> None:
        """Start no new tick and wait for the running one to finish (before the store closes)."""
        with self._lock:
            if self._state != "running":
                return
            self._state = "stopping"
            ticking = self._ticking
        if ticking:
            log.info("waiting for the running poll tick to finish")
        self._scheduler.shutdown(wait=True)
        with self._lock:
            self._state = "stopped"

    def wake(self) -> None:
        """Tick now rather than at the next interval (a poller that just took the lead)."""
        with self._lock:
            if self._state != "running":
                return
        self._scheduler.modify_job("tick", next_run_time=datetime.now(UTC))

    @property
    def running(self) -> bool:
        with self._lock:
            return self._state == "running"

    def status(self) -> dict[str, Any]:
        """State for /healthz: running|stopping|stopped, whether a tick runs now, the last one."""
        with self._lock:
            return {
                "state": self._state,
                "every_seconds": self.every,
                "ticking": self._ticking,
                "ticks": self._ticks,
                "last_tick_started": self._last_started,
                "last_tick_finished": self._last_finished,
                "last_tick_error": self._last_error,
            }

    def _safe_tick(self) -> None:
        with self._lock:
            self._ticking, self._last_started = True, time.time()
        error = None
        try:
            self._tick()
        except Exception as exc:  # a bad tick must not kill the scheduler
            error = f"{type(exc).__name__}: {exc}"[:300]
            log.exception("poll tick failed")
        finally:
            with self._lock:
                self._ticking, self._ticks = False, self._ticks + 1
                self._last_finished, self._last_error = time.time(), error


def start_scheduler(tick: Callable[[], None], every: int = TICK_SECONDS) -> Ticker:
    """A started :class:`Ticker`."""
    return Ticker(tick, every).start()
