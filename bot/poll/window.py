"""Results of work over many items as they finish, with at most a window in flight.

The poller's fetches run in a thread pool; its one writer takes each result as soon
as it is ready, and while none is, does what it would otherwise do later (commits).
Each future puts itself on a queue when done, so taking a result costs the same
whatever the window: ``concurrent.futures.wait`` locks every pending future on each
call, which was a third of the writer's CPU in a cycle of 304s.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def as_completed_in_window(
    pool: Executor,
    work: Callable[[Item], Result],
    items: Iterable[Item],
    window: int,
    *,
    idle: Callable[[], None] = lambda: None,
) -> Iterator[Result]:
    """``work(item)`` for every item, in the pool, yielded as each finishes; never more
    than ``window`` pending. ``idle()`` is called whenever no result is ready yet."""
    finished: queue.SimpleQueue[Future[Result]] = queue.SimpleQueue()

    def take() -> Result:
        try:
            future = finished.get_nowait()
        except queue.Empty:
            idle()
            future = finished.get()
        return future.result()

    pending = 0
    for item in items:
        done = take() if pending == window else None
        # The next item starts before the writer handles the result it just took.
        pool.submit(work, item).add_done_callback(finished.put)
        if done is None:
            pending += 1
        else:
            yield done
    for _ in range(pending):
        yield take()
