"""A free TCP port on loopback, for servers the tests and benchmarks start as subprocesses."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for `hark run`'s PORT, PostgreSQL…)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
