"""One small set of connections per host: the per-host limit, and keep-alive without pool scans.

A poll cycle talks to hundreds of hosts. One shared httpx pool would either
drop connections (it keeps 20 idle ones by default) or, with a larger pool,
scan every pooled connection for every queued request (httpcore's pool is
linear in both), which cost more CPU than the requests themselves at 2,000
feeds. Each host keeps at most ``per_host`` idle connections (per scheme), so each
lookup is trivial and every host's connection stays open between fetches.

Requests go straight to httpcore's connections, not through ``httpx.Client`` nor
httpcore's ``ConnectionPool``: the client's cookie jar, auth and redirect machinery are
all things a poller must not use, and the host's slots already do what the pool's
bookkeeping would (a third of the CPU of a 304 between them). A thread holding one of
the host's slots takes an idle connection (one the server has not closed) or opens a
new one, and gives it back when its request is over if it can be used again.

A host has its connections for http and for https, both under the host's ``per_host``
slots. The TLS context (loading the CA bundle: ~45 ms of CPU, more than a hundred 304s)
is built once, by the first https request: a process that fetches only http never
builds it.

Every connection is opened through ``netguard.PinnedBackend``
(the address check at connect time, against DNS rebinding) wrapped in
``fetchdeadline.DeadlineBackend`` (the whole-fetch deadline on every socket
wait). Hosts nobody is using are dropped once there are more than
``MAX_HOSTS``, so redirects to ever-new host names cannot grow memory.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpcore
import httpx

from bot.fetch import deadline as fetchdeadline
from bot.fetch import netguard

MAX_HOSTS = 1024


class Connections:
    """A host's connections for http or for https: an idle one reused, else a new one."""

    def __init__(
        self, ssl_context: ssl.SSLContext | None, backend: httpcore.NetworkBackend, keep: int
    ) -> None:
        self._ssl_context = ssl_context  # None only for http, which never reaches TLS
        self._backend = backend
        self._keep = keep
        self._idle: list[httpcore.HTTPConnection] = []
        self._lock = threading.Lock()
        self._in_use = threading.local()  # this thread's connection, until released
        self._closed = False  # closed: a connection released after that is closed, not kept

    def handle_request(self, request: httpcore.Request) -> httpcore.Response:
        """Send ``request``; its connection is this thread's until ``release``."""
        origin = request.url.origin
        while True:
            with self._lock:
                connection = next(
                    (c for c in reversed(self._idle) if c.can_handle_request(origin)), None
                )
                if connection is not None:
                    self._idle.remove(connection)
            if connection is None:
                connection = httpcore.HTTPConnection(
                    origin, ssl_context=self._ssl_context, network_backend=self._backend
                )
                break
            if connection.is_available() and not connection.has_expired():
                break
            connection.close()  # the server closed it while idle: try the next one
        self._in_use.connection = connection
        return connection.handle_request(request)

    def release(self) -> None:
        """Keep this thread's connection for the next request if it can serve one."""
        connection = getattr(self._in_use, "connection", None)
        if connection is None:
            return
        self._in_use.connection = None
        if not connection.is_available():  # not read to the end, failed, or not keep-alive
            connection.close()
            return
        with self._lock:
            if self._closed:  # closed while this fetch ran (Hark stopping): nobody reuses it
                dropped = connection
            else:
                self._idle.append(connection)
                dropped = self._idle.pop(0) if len(self._idle) > self._keep else None
        if dropped is not None:
            dropped.close()

    def close(self) -> None:
        """Close the idle connections; one in use is closed when its fetch releases it."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._closed = True
        for connection in idle:
            connection.close()


@dataclass
class _Host:
    slots: threading.BoundedSemaphore
    # by TLS or not: http's connections, https's (guarded by HostPools._lock)
    schemes: dict[bool, Connections] = field(default_factory=dict)
    users: int = 0  # threads holding or waiting for a slot (guarded by HostPools._lock)

    def close(self) -> None:
        for connections in self.schemes.values():
            connections.close()


class HostPools:
    """Hands out a host's connections while holding one of its ``per_host`` slots."""

    def __init__(
        self,
        *,
        per_host: int,
        allow_hosts: frozenset[str],
        resolver: netguard.Resolver | None,
        on_slot_timeout: Callable[[str], Exception],
    ) -> None:
        self.per_host = per_host
        self._backend = fetchdeadline.DeadlineBackend(netguard.PinnedBackend(allow_hosts, resolver))
        self._tls: ssl.SSLContext | None = None  # built by the first https pool, then shared
        self._on_slot_timeout = on_slot_timeout
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _new_connections(self, tls: bool) -> Connections:
        """A host's connections for http, or https with the shared TLS context (called
        with the lock)."""
        if tls and self._tls is None:
            self._tls = httpx.create_ssl_context()
        return Connections(self._tls if tls else None, self._backend, self.per_host)

    @contextmanager
    def pool_for(self, host: str, *, tls: bool = False) -> Iterator[Connections]:
        """The host's connections for http (or https with ``tls``), holding one of the
        host's slots (waiting until the thread's deadline)."""
        key = host.lower()
        with self._lock:
            entry = self._hosts.get(key)
            if entry is None:
                if len(self._hosts) >= MAX_HOSTS:
                    self._drop_unused()
                entry = self._hosts[key] = _Host(threading.BoundedSemaphore(self.per_host))
            connections = entry.schemes.get(tls)
            if connections is None:
                connections = entry.schemes[tls] = self._new_connections(tls)
            entry.users += 1
        try:
            remaining = fetchdeadline.current.deadline - time.monotonic()
            if remaining <= 0 or not entry.slots.acquire(timeout=remaining):
                raise self._on_slot_timeout(host)
            try:
                yield connections
            finally:
                connections.release()
                entry.slots.release()
        finally:
            with self._lock:
                entry.users -= 1

    def _drop_unused(self) -> None:
        """Close the pools of hosts no thread is using (called with the lock held)."""
        for key in [k for k, h in self._hosts.items() if h.users == 0]:
            self._hosts.pop(key).close()

    def close(self) -> None:
        """Close every host's connections."""
        with self._lock:
            hosts, self._hosts = list(self._hosts.values()), {}
        for entry in hosts:
            entry.close()
