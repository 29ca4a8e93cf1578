"""A host's connections: kept alive between fetches, replaced when the server closed one
while it was idle or said it would, never shared by two requests at once."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Self

import pytest

from bot.fetch.client import Fetcher

LOCAL = frozenset({"127.0.0.1"})


class OneShotServer:
    """Answers one request per connection with a 304, then (unless ``keep``) closes the
    connection without having said so: the client finds out only while it is idle."""

    def __init__(self, keep: bool = False, close_header: bool = False) -> None:
        self.keep, self.close_header = keep, close_header
        self.connections = 0
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.port = self._listener.getsockname()[1]

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            buffered = b""
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                buffered += chunk
                while b"\r\n\r\n" in buffered:
                    _, buffered = buffered.split(b"\r\n\r\n", 1)
                    self.requests += 1
                    close = b"Connection: close\r\n" if self.close_header else b""
                    conn.sendall(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n' + close + b"\r\n")
                    if not self.keep:
                        return

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(2)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_hosts=LOCAL, total_timeout=5.0) as f:
        yield f


def _fetch_304s(fetcher: Fetcher, port: int, times: int) -> None:
    for n in range(times):
        result = fetcher.fetch(f"http://127.0.0.1:{port}/feed{n}", etag='"v1"')
        assert result.status == 304
        time.sleep(0.05)  # the server's close reaches this side


def test_a_kept_alive_connection_serves_the_next_fetches(fetcher: Fetcher) -> None:
    with OneShotServer(keep=True) as server:
        _fetch_304s(fetcher, server.port, 3)
    assert (server.connections, server.requests) == (1, 3)


def test_a_connection_the_server_closed_while_idle_is_replaced(fetcher: Fetcher) -> None:
    with OneShotServer() as server:
        _fetch_304s(fetcher, server.port, 3)
    assert (server.connections, server.requests) == (3, 3)


def test_a_connection_the_server_said_it_would_close_is_not_reused(fetcher: Fetcher) -> None:
    with OneShotServer(keep=True, close_header=True) as server:
        _fetch_304s(fetcher, server.port, 2)
    assert (server.connections, server.requests) == (2, 2)


def test_two_threads_on_one_host_never_share_a_connection() -> None:
    with (
        OneShotServer(keep=True) as server,
        Fetcher(allow_hosts=LOCAL, total_timeout=5.0, per_host=2) as fetcher,
    ):
        errors: list[BaseException] = []

        def fetch_many() -> None:
            try:
                for n in range(20):
                    url = f"http://127.0.0.1:{server.port}/f{n}"
                    assert fetcher.fetch(url, etag='"v1"').status == 304
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=fetch_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert errors == []
    assert server.requests == 80
    assert server.connections <= 2  # the per-host limit, each connection kept alive


def test_a_connection_released_after_its_host_closed_is_closed_not_kept() -> None:
    # Hark stopping closes every host's connections while a fetch may still be reading:
    # that fetch's connection, released afterwards, must not be kept open by nobody.
    import httpcore

    from bot.fetch.hosts import Connections

    with OneShotServer(keep=True) as server:
        connections = Connections(None, httpcore.SyncBackend(), keep=2)
        url = f"http://127.0.0.1:{server.port}/f.xml"
        request = httpcore.Request("GET", url, headers=[(b"Host", b"127.0.0.1")])
        response = connections.handle_request(request)
        response.read()
        response.close()
        in_use = connections._in_use.connection
        connections.close()
        connections.release()
        assert in_use.is_closed()
        # ... and the next fetch on an open one still keeps its connection alive.
        kept = Connections(None, httpcore.SyncBackend(), keep=2)
        response = kept.handle_request(request)
        response.read()
        response.close()
        reused = kept._in_use.connection
        kept.release()
        assert not reused.is_closed()
        kept.close()
        assert reused.is_closed()
