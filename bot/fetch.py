"""Fetch feed bytes over HTTP: I/O only, nothing parsed here.

One ``Fetcher`` holds one ``httpx.Client`` (connection reuse) and is safe to
share between threads. Every fetch is bounded three ways: connect/read
timeouts, a wall-clock deadline for the whole fetch, and a byte cap on the
decompressed body. Redirects are followed by hand so every hop goes through
``netguard`` first.

DNS rebinding: checking a name and then letting httpx resolve it again would
leave a gap (the name could answer 1.2.3.4 to the check and 127.0.0.1 to the
connect). We close it by pinning: the connection pool's network backend is
replaced by ``netguard.PinnedBackend``, which resolves once, checks every
address and connects to exactly those addresses. TLS still verifies the
certificate against the host name. This touches one private httpx attribute
(``HTTPTransport._pool._network_backend``); if it ever disappears, building a
``Fetcher`` fails loudly rather than fetching unguarded.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from bot import netguard

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Upper bounds on what a server may ask of our schedule: a day of silence at
# most for Retry-After and Cache-Control max-age.
MAX_RETRY_AFTER = 86400.0
MAX_MAX_AGE = 86400.0
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)

# The deadline of the fetch running on this thread, read by _DeadlineStream on
# every socket read and write. httpx is synchronous here, so the thread that
# calls fetch() is the one doing the I/O.
_current = threading.local()


@dataclass(frozen=True)
class FetchResult:
    """What a successful fetch brought back."""

    url: str  # final URL after redirects
    status: int  # 2xx, or 304 (then body is None)
    body: bytes | None
    etag: str | None
    last_modified: str | None
    retry_after: float | None  # seconds, from Retry-After (either form), bounded
    max_age: float | None  # seconds, from Cache-Control max-age, bounded
    elapsed: float


class FetchError(Exception):
    """A fetch failed; ``message`` is safe to show a person (no headers, no query)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.permanent = permanent  # retrying will not help: 404, 410, blocked address


def _bounded_timeout(timeout: float | None) -> float | None:
    deadline = getattr(_current, "deadline", None)
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpcore.ReadTimeout("the fetch deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every wait ends by the fetch deadline.

    Per-read timeouts alone let a server that sends a byte every few seconds
    (headers included) hold a thread forever; this caps each wait at what is
    left of the whole fetch.
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded_timeout(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded_timeout(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _bounded_timeout(timeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
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
            host, port, _bounded_timeout(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for feeds")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _shown(url: str) -> str:
    """The URL as it may appear in a message: no credentials, no query values."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the URL"
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{host}{port}{parts.path}{query}"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), bounded."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def parse_max_age(value: str | None) -> float | None:
    """Seconds from a Cache-Control max-age directive, bounded; None if absent."""
    match = _MAX_AGE.search(value or "")
    if match is None:
        return None
    return min(float(match.group(1)), MAX_MAX_AGE)


class Fetcher:
    """Fetches URLs with the limits above; one per process, shared by threads."""

    def __init__(
        self,
        *,
        allow_hosts: frozenset[str] = frozenset(),
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        total_timeout: float = 30.0,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        per_host: int = 2,
        user_agent: str = "Hark/0.1 (+https://github.com/hark)",
        resolver: netguard.Resolver | None = None,
    ) -> None:
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.per_host = per_host
        self._resolver = resolver
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._slots_lock = threading.Lock()
        transport = httpx.HTTPTransport(retries=0)
        pool = getattr(transport, "_pool", None)
        if not hasattr(pool, "_network_backend"):
            raise RuntimeError(
                "this httpx/httpcore version hides the connection pool's network backend, so "
                "connections cannot be pinned to checked addresses; pin httpx<0.29 / httpcore<2"
            )
        pinned = netguard.PinnedBackend(self.allow_hosts, resolver)
        pool._network_backend = _DeadlineBackend(pinned)  # type: ignore[union-attr]
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            # No proxies, .netrc credentials or CA overrides from the environment.
            trust_env=False,
            # No cookies: a poller has no session, and what one feed sets must
            # not ride along on later requests.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout),
            headers={"User-Agent": user_agent, "Accept": ACCEPT},
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url`` (conditionally when validators are given); raise FetchError on failure."""
        started = time.monotonic()
        _current.deadline = started + self.total_timeout
        try:
            return self._follow(url, etag, last_modified, dict(headers or {}), started)
        except httpx.TimeoutException as exc:
            raise self._timeout_error(url, exc) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchError(_transport_message(url, exc)) from None
        except netguard.BlockedAddress as exc:
            raise FetchError(exc.message, permanent=True) from None
        except netguard.HostNotFound as exc:
            raise FetchError(exc.message) from None
        finally:
            _current.deadline = None

    def _follow(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        extra: dict[str, str],
        started: float,
    ) -> FetchResult:
        visited: set[str] = set()
        current = url
        for _hop in range(self.max_redirects + 1):
            # Checked here for a clear message before any connection; checked
            # again at connect time by netguard.PinnedBackend against rebinding.
            netguard.check_url(current, self.allow_hosts, self._resolver)
            visited.add(current)
            request_headers = dict(extra)
            if etag:
                request_headers["If-None-Match"] = etag
            if last_modified:
                request_headers["If-Modified-Since"] = last_modified
            with self._host_slot(current):
                request = self._client.build_request("GET", current, headers=request_headers)
                response = self._client.send(request, stream=True)
                try:
                    if response.status_code not in REDIRECT_STATUSES:
                        return self._result(current, response, etag, last_modified, started)
                    location = response.headers.get("location")
                finally:
                    response.close()
            if not location:
                raise FetchError(
                    f"{_shown(current)} redirected without saying where to.",
                    status=response.status_code,
                )
            target = urljoin(current, location.strip())
            if target in visited:
                raise FetchError(
                    f"{_shown(url)} redirects in a loop (back to {_shown(target)}); "
                    "check the feed URL."
                )
            if _origin(target) != _origin(current):
                # Caller headers may carry credentials meant for the first host only.
                extra = {}
            current = target
        raise FetchError(
            f"{_shown(url)} redirected more than {self.max_redirects} times; "
            "use the final URL of the feed instead."
        )

    @contextmanager
    def _host_slot(self, url: str) -> Iterator[None]:
        """Hold one of the ``per_host`` slots of the URL's host while talking to it."""
        key = (urlsplit(url).hostname or "").lower()
        with self._slots_lock:
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = threading.BoundedSemaphore(self.per_host)
        remaining = _current.deadline - time.monotonic()
        if remaining <= 0 or not slot.acquire(timeout=remaining):
            raise FetchError(
                f"waited {self.total_timeout:g} s for a free connection to {_shown(url)}; gave up."
            )
        try:
            yield
        finally:
            slot.release()

    def _result(
        self,
        url: str,
        response: httpx.Response,
        etag: str | None,
        last_modified: str | None,
        started: float,
    ) -> FetchResult:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status == 304 or 200 <= status < 300:
            body = None if status == 304 else self._read_body(url, response)
            return FetchResult(
                url=url,
                status=status,
                body=body,
                # A 304 may omit validators; the ones sent are still current.
                etag=response.headers.get("etag") or (etag if status == 304 else None),
                last_modified=response.headers.get("last-modified")
                or (last_modified if status == 304 else None),
                retry_after=retry_after,
                max_age=parse_max_age(response.headers.get("cache-control")),
                elapsed=time.monotonic() - started,
            )
        raise FetchError(
            _status_message(url, response),
            status=status,
            retry_after=retry_after,
            permanent=status in (404, 410),
        )

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(
                f"{_shown(url)} announced {int(declared):,} bytes, more than the "
                f"{self.max_bytes:,}-byte limit; not downloaded.",
                status=response.status_code,
            )
        chunks: list[bytes] = []
        size = 0
        # iter_bytes decompresses (gzip, deflate) once; the cap counts what we
        # would hold in memory, so a small gzip bomb is caught too. One network
        # chunk may inflate before the check: a bounded, short-lived overshoot.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(
                    f"{_shown(url)} sent more than the {self.max_bytes:,}-byte limit; "
                    "stopped reading.",
                    status=response.status_code,
                )
            if time.monotonic() > _current.deadline:
                raise httpx.ReadTimeout("the fetch deadline has passed")
            chunks.append(chunk)
        return b"".join(chunks)

    def _timeout_error(self, url: str, exc: httpx.TimeoutException) -> FetchError:
        if time.monotonic() >= _current.deadline - 0.05:
            return FetchError(
                f"{_shown(url)} took longer than {self.total_timeout:g} s in total; gave up."
            )
        if isinstance(exc, httpx.ConnectTimeout):
            return FetchError(
                f"could not connect to {_shown(url)} within {self.connect_timeout:g} s."
            )
        if isinstance(exc, httpx.PoolTimeout):
            return FetchError(
                f"no free connection to {_shown(url)} within {self.connect_timeout:g} s."
            )
        return FetchError(
            f"{_shown(url)} stopped sending data for {self.read_timeout:g} s; gave up."
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port or ''}"


def _status_message(url: str, response: httpx.Response) -> str:
    status = response.status_code
    # The standard phrase, not the server's: that one is untrusted text.
    where = f"{_shown(url)} answered {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
    if status in (404, 410):
        return f"{where}: the feed is gone or has moved. Check the URL on the site."
    if status in (401, 403):
        return f"{where}: the server refuses Hark. The feed may need credentials or block bots."
    if status == 429:
        return f"{where}: polled too often. Hark will wait and retry; consider a longer interval."
    if status >= 500:
        return f"{where}: the server is having trouble. Hark will retry later."
    return f"{where}."


def _transport_message(url: str, exc: httpx.HTTPError | httpx.InvalidURL) -> str:
    # httpx's own messages name the cause ("[Errno 111] Connection refused",
    # "[SSL: CERTIFICATE_VERIFY_FAILED] ...") and never include headers.
    cause = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {_shown(url)} ({cause})."
    if isinstance(exc, httpx.DecodingError):
        return f"{_shown(url)} sent a body that could not be decompressed ({cause})."
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{_shown(url)} broke the HTTP protocol ({cause})."
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"the URL is not valid ({cause}); check the source URL."
    return f"fetching {_shown(url)} failed ({cause})."
