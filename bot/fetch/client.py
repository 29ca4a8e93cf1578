"""Fetch feed bytes over HTTP: I/O only, nothing parsed here.

One ``Fetcher`` holds a few connections per host (``bot.fetch.hosts``: connection
reuse and the per-host limit) and is safe to share between threads. Every fetch is
bounded three ways: connect/read timeouts, a wall-clock deadline for the whole fetch,
and a byte cap on the decompressed body. Redirects are followed by hand so every hop
goes through ``netguard`` first.

DNS rebinding: checking a name and then letting httpx resolve it again would
leave a gap (the name could answer 1.2.3.4 to the check and 127.0.0.1 to the
connect). We close it by pinning: every connection is opened through
``netguard.PinnedBackend`` (see ``bot.fetch.hosts``), which resolves once, checks every
address and connects to exactly those addresses. TLS still verifies the
certificate against the host name."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from bot.error_text import reason
from bot.fetch import body as fetchbody
from bot.fetch import deadline as fetchdeadline
from bot.fetch import netguard
from bot.fetch import urls as fetchurls
from bot.fetch.headers import parse_max_age, parse_retry_after, response_headers
from bot.fetch.hosts import HostPools

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
URL_CACHE_SIZE = 20_000
CHECK_REMEMBERED = 60.0  # seconds
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)


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


# The public name: /hark sources (for non-admins) and the logs show URLs this way.
redacted_url = _shown


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
        self.allow_hosts = frozenset(h.strip().lower().strip("[]") for h in allow_hosts)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.per_host = per_host
        self._resolver = resolver
        self._hosts = HostPools(
            per_host=per_host,
            allow_hosts=self.allow_hosts,
            resolver=resolver,
            on_slot_timeout=lambda host: FetchError(
                f"waited {total_timeout:g} s for a free connection to {host}; gave up."
            ),
        )
        self._headers = {
            "User-Agent": user_agent,
            "Accept": ACCEPT,
            # Decoded once, by bot.fetch.body, under the byte cap.
            "Accept-Encoding": "gzip, deflate",
        }
        self._urls: dict[str, fetchurls.Target] = {}  # immutable values: safe to share
        # (host, port) -> until when its address check holds
        self._passed: dict[tuple[str, int], float] = {}
        self._timeouts = httpx.Timeout(
            read_timeout, connect=connect_timeout, pool=connect_timeout
        ).as_dict()

    def _checked_target(self, url: str) -> fetchurls.Target:
        """Where ``url``'s request goes, once ``netguard.check_url`` passes it; a host's
        pass is remembered for a minute.

        Checked here for a clear message before any connection, and again by
        netguard.PinnedBackend whenever a connection is opened, which is what stops
        DNS rebinding: so a host's pass may be remembered (a lookup saved per fetch,
        and sources share hosts), a refusal never is. The URL's own shape (scheme,
        host name, port) is checked every time.
        """
        plain = fetchurls.plain_target(url)
        if plain is None:
            host, port = netguard.url_host_port(url)
        else:  # in normal form: the host and port urlsplit reads
            host, port = plain.host_port()
        now = time.monotonic()
        if self._passed.get((host, port), 0.0) <= now:
            netguard.checked_addresses(host, port, self.allow_hosts, self._resolver)
            if len(self._passed) >= URL_CACHE_SIZE:
                self._passed.clear()
            self._passed[host, port] = now + CHECK_REMEMBERED
        return plain or self._target(url)

    def _target(self, url: str) -> fetchurls.Target:
        """``fetchurls.target(url)``, remembered (for ``hark run``'s later cycles)."""
        found = self._urls.get(url)
        if found is None:
            if len(self._urls) >= URL_CACHE_SIZE:
                self._urls.clear()  # sources come and go; start again rather than track use
            found = self._urls[url] = fetchurls.target(url)
        return found

    def close(self) -> None:
        """Close pooled connections."""
        self._hosts.close()

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
        fetchdeadline.current.deadline = started + self.total_timeout
        try:
            return self._follow(url, etag, last_modified, dict(headers or {}), started)
        except httpcore.TimeoutException as exc:
            raise self._timeout_error(url, exc) from None
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
            raise FetchError(_transport_message(url, exc)) from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"the URL is not valid ({exc}); check the source URL.") from None
        except netguard.BlockedAddress as exc:
            raise FetchError(exc.message, permanent=True) from None
        except netguard.HostNotFound as exc:
            raise FetchError(exc.message) from None
        finally:
            fetchdeadline.current.deadline = None

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
            to = self._checked_target(current)
            visited.add(current)
            request_headers = {**self._headers, **extra}
            if etag:
                request_headers["If-None-Match"] = etag
            if last_modified:
                request_headers["If-Modified-Since"] = last_modified
            with self._hosts.pool_for(to.host.decode("ascii"), tls=to.scheme == b"https") as pool:
                response = pool.handle_request(
                    httpcore.Request(
                        b"GET",
                        httpcore.URL(
                            scheme=to.scheme, host=to.host, port=to.port, target=to.target
                        ),
                        headers=[("Host", to.netloc), *request_headers.items()],
                        extensions={"timeout": self._timeouts},
                    )
                )
                try:
                    status = response.status
                    answer = response_headers(response)
                    if status not in REDIRECT_STATUSES:
                        return self._result(current, response, answer, etag, last_modified, started)
                    location = answer.get("location")
                finally:
                    response.close()
            if not location:
                raise FetchError(
                    f"{_shown(current)} redirected without saying where to.", status=status
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

    def _result(
        self,
        url: str,
        response: httpcore.Response,
        headers: dict[str, str],
        etag: str | None,
        last_modified: str | None,
        started: float,
    ) -> FetchResult:
        status = response.status
        retry_after = parse_retry_after(headers.get("retry-after"))
        if status == 304 or 200 <= status < 300:
            if status == 304:
                # A 304 has no body, but reading its (empty) end lets httpcore keep the
                # connection alive; closed unread, the connection is dropped.
                response.read()
                body = None
            else:
                body = self._read_body(url, response, headers)
            return FetchResult(
                url=url,
                status=status,
                body=body,
                # A 304 may omit validators; the ones sent are still current.
                etag=headers.get("etag") or (etag if status == 304 else None),
                last_modified=headers.get("last-modified")
                or (last_modified if status == 304 else None),
                retry_after=retry_after,
                max_age=parse_max_age(headers.get("cache-control")),
                elapsed=time.monotonic() - started,
            )
        raise FetchError(
            _status_message(url, status),
            status=status,
            retry_after=retry_after,
            permanent=status in (404, 410),
        )

    def _read_body(self, url: str, response: httpcore.Response, headers: dict[str, str]) -> bytes:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(
                f"{_shown(url)} announced {int(declared):,} bytes, more than the "
                f"{self.max_bytes:,}-byte limit; not downloaded.",
                status=response.status,
            )
        try:
            return fetchbody.read_body(
                response.iter_stream(), headers.get("content-encoding", ""), self.max_bytes
            )
        except fetchbody.BodyTooLarge:
            raise FetchError(
                f"{_shown(url)} sent more than the {self.max_bytes:,}-byte limit; stopped reading.",
                status=response.status,
            ) from None
        except fetchbody.BadEncoding as exc:
            raise FetchError(
                f"{_shown(url)} sent a body that could not be decompressed ({exc}).",
                status=response.status,
            ) from None

    def _timeout_error(self, url: str, exc: httpcore.TimeoutException) -> FetchError:
        if time.monotonic() >= fetchdeadline.current.deadline - 0.05:
            return FetchError(
                f"{_shown(url)} took longer than {self.total_timeout:g} s in total; gave up."
            )
        if isinstance(exc, httpcore.ConnectTimeout):
            return FetchError(
                f"could not connect to {_shown(url)} within {self.connect_timeout:g} s."
            )
        if isinstance(exc, httpcore.PoolTimeout):
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


def _status_message(url: str, status: int) -> str:
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


def _transport_message(url: str, exc: Exception) -> str:
    # httpcore's own messages name the cause ("[Errno 111] Connection refused",
    # "[SSL: CERTIFICATE_VERIFY_FAILED] ...") and never include headers; bot/error_text.py
    # says it in plain words.
    cause = reason(exc)
    if isinstance(exc, httpcore.ConnectError):
        return f"could not connect to {_shown(url)}: {cause}."
    if isinstance(exc, httpcore.RemoteProtocolError):
        return f"{_shown(url)} broke the HTTP protocol ({cause})."
    if isinstance(exc, httpcore.UnsupportedProtocol):
        return f"the URL is not valid ({cause}); check the source URL."
    return f"fetching {_shown(url)} failed: {cause}."
