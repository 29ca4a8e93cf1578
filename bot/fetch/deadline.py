"""A wall-clock deadline for a whole fetch, enforced on every socket wait.

Per-read timeouts alone let a server that sends a byte every few seconds
(headers included) hold a thread forever. ``DeadlineBackend`` wraps an
httpcore network backend so that connects, TLS handshakes and every read and
write wait at most what is left of the deadline the calling thread set in
``current.deadline``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpcore

# The deadline (time.monotonic()) of the fetch running on this thread, or None.
# httpx is synchronous here, so the thread that calls fetch() is the one doing
# the I/O and the one whose deadline applies.
current = threading.local()


def bounded_timeout(timeout: float | None) -> float | None:
    """``timeout`` cut to what is left of this thread's deadline; raise once it has passed."""
    deadline = getattr(current, "deadline", None)
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpcore.ReadTimeout("the fetch deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every wait ends by the fetch deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, bounded_timeout(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, bounded_timeout(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, bounded_timeout(timeout))
        return DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """Wraps a backend so connects and every later socket wait respect the deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, bounded_timeout(timeout), local_address, socket_options
        )
        return DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for feeds")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
