"""The one scheduler: a "tick" job that polls due sources and sends the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

TICK_SECONDS = 30


def start_scheduler(tick: Callable[[], None], every: int = TICK_SECONDS) -> BackgroundScheduler:
    """Run ``tick`` now and then every ``every`` seconds, never two at once.

    The schedule itself lives in the database (each source's next_check_at); this
    job only asks what is due. max_instances=1 + coalesce keep a slow tick from
    piling up; a generous misfire grace time keeps a busy process from skipping it.
    """
    scheduler = BackgroundScheduler(timezone="UTC")

    def safe_tick() -> None:
        try:
            tick()
        except Exception:  # a bad tick must not kill the scheduler
            log.exception("poll tick failed")

    scheduler.add_job(
        safe_tick,
        "interval",
        seconds=every,
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=every * 10,
        next_run_time=_now(),
    )
    scheduler.start()
    return scheduler


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
