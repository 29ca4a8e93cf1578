"""One small connection pool per host: the per-host limit, and keep-alive without pool scans.

A poll cycle talks to hundreds of hosts. One shared httpx pool would either
drop connections (it keeps 20 idle ones by default) or, with a larger pool,
scan every pooled connection for every queued request (httpcore's pool is
linear in both), which cost more CPU than the requests themselves at 2,000
feeds. A pool per host keeps at most ``per_host`` connections, so each lookup
is trivial and every host's connection stays open between fetches.

Requests go straight to httpcore's pool, not through ``httpx.Client``: the
client's cookie jar, auth and redirect machinery are all things a poller must
not use, and skipping them saves a quarter of the CPU of a 304.

Every pool connects through ``netguard.PinnedBackend``
(the address check at connect time, against DNS rebinding) wrapped in
``fetchdeadline.DeadlineBackend`` (the whole-fetch deadline on every socket
wait). Hosts nobody is using are dropped once there are more than
``MAX_HOSTS``, so redirects to ever-new host names cannot grow memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

from bot.fetch import deadline as fetchdeadline
from bot.fetch import netguard

MAX_HOSTS = 1024


@dataclass
class _Host:
    slots: threading.BoundedSemaphore
    pool: httpcore.ConnectionPool
    users: int = 0  # threads holding or waiting for a slot (guarded by HostPools._lock)


class HostPools:
    """Hands out a host's connection pool while holding one of its ``per_host`` slots."""

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
        # Building a TLS context loads the CA bundle (tens of milliseconds): once, shared.
        self._tls = httpx.create_ssl_context()
        self._on_slot_timeout = on_slot_timeout
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _new_pool(self) -> httpcore.ConnectionPool:
        return httpcore.ConnectionPool(
            ssl_context=self._tls,
            max_connections=self.per_host,
            max_keepalive_connections=self.per_host,
            retries=0,
            network_backend=self._backend,
        )

    @contextmanager
    def pool_for(self, host: str) -> Iterator[httpcore.ConnectionPool]:
        """The host's pool, holding one of its slots (waiting until the thread's deadline)."""
        key = host.lower()
        with self._lock:
            entry = self._hosts.get(key)
            if entry is None:
                if len(self._hosts) >= MAX_HOSTS:
                    self._drop_unused()
                entry = self._hosts[key] = _Host(
                    threading.BoundedSemaphore(self.per_host), self._new_pool()
                )
            entry.users += 1
        try:
            remaining = fetchdeadline.current.deadline - time.monotonic()
            if remaining <= 0 or not entry.slots.acquire(timeout=remaining):
                raise self._on_slot_timeout(host)
            try:
                yield entry.pool
            finally:
                entry.slots.release()
        finally:
            with self._lock:
                entry.users -= 1

    def _drop_unused(self) -> None:
        """Close the pools of hosts no thread is using (called with the lock held)."""
        for key in [k for k, h in self._hosts.items() if h.users == 0]:
            self._hosts.pop(key).pool.close()

    def close(self) -> None:
        """Close every host's connections."""
        with self._lock:
            hosts, self._hosts = list(self._hosts.values()), {}
        for entry in hosts:
            entry.pool.close()
