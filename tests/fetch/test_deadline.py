"""The whole-fetch deadline: every socket wait is cut to what is left of it, and once it has
passed no wait starts."""

from __future__ import annotations

import socket
import threading
import time

import httpcore
import pytest

from bot.fetch import deadline as fetchdeadline
from bot.fetch.deadline import DeadlineBackend, bounded_timeout


@pytest.fixture(autouse=True)
def no_deadline():
    fetchdeadline.current.deadline = None
    yield
    fetchdeadline.current.deadline = None


def test_without_a_deadline_the_timeout_is_unchanged() -> None:
    assert bounded_timeout(5.0) == 5.0
    assert bounded_timeout(None) is None


def test_a_timeout_is_cut_to_what_is_left_of_the_deadline() -> None:
    fetchdeadline.current.deadline = time.monotonic() + 2
    assert 1.0 < bounded_timeout(30.0) <= 2.0
    assert 1.0 < bounded_timeout(None) <= 2.0  # no timeout still ends by the deadline
    assert bounded_timeout(0.5) == 0.5  # a shorter timeout stands


def test_a_passed_deadline_raises_read_timeout() -> None:
    fetchdeadline.current.deadline = time.monotonic() - 0.001
    with pytest.raises(httpcore.ReadTimeout):
        bounded_timeout(10.0)


def test_the_deadline_belongs_to_the_thread_that_set_it() -> None:
    fetchdeadline.current.deadline = time.monotonic() - 1
    seen: list[float | None] = []
    worker = threading.Thread(target=lambda: seen.append(bounded_timeout(3.0)))
    worker.start()
    worker.join()
    assert seen == [3.0]


def test_a_server_that_never_answers_is_left_at_the_deadline() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        backend = DeadlineBackend(httpcore.SyncBackend())
        stream = backend.connect_tcp("127.0.0.1", port, timeout=5)
        try:
            fetchdeadline.current.deadline = time.monotonic() + 0.2
            started = time.monotonic()
            with pytest.raises(httpcore.ReadTimeout):
                stream.read(1024, timeout=30)  # the server accepted and says nothing
            assert time.monotonic() - started < 5
        finally:
            stream.close()


def test_unix_sockets_are_refused() -> None:
    with pytest.raises(httpcore.ConnectError):
        DeadlineBackend(httpcore.SyncBackend()).connect_unix_socket("/tmp/x.sock")
