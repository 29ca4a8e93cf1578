"""Refuse URLs that would make Hark reach into its own network.

A feed URL comes from an operator, but a redirect comes from whoever runs the
feed's server, and a hostname can resolve to anything. Without this check a
feed could point Hark at the cloud metadata service (credentials), the
database on localhost, or an intranet admin page.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

from bot.error_text import reason

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata endpoints: AWS/GCP/Azure/OpenStack (IPv4), AWS
# (IPv6), Alibaba. The first is link-local anyway; named so the message says so.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
# NAT64 well-known prefix: 64:ff9b::a00:5 reaches 10.0.0.5 through a gateway.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

# A resolver takes (host, port) and returns the addresses as strings.
Resolver = Callable[[str, int], Iterable[str]]


class BlockedAddress(Exception):
    """The URL may not be fetched; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HostNotFound(Exception):
    """The host name does not resolve (a DNS failure, often temporary)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, via the system resolver."""
    # No timeout of its own: a lookup is bounded by the system resolver's
    # settings (resolv.conf), not by Fetcher's total_timeout.
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        raise HostNotFound(f"could not resolve host {host}: {reason(exc)}") from exc
    return [str(info[4][0]) for info in infos]


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be contacted ("loopback", "private", ...), or None if public."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return address_kind(embedded)
    if ip in METADATA_ADDRESSES:
        return "cloud-metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:  # before is_private, which also covers 240.0.0.0/4
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        # Carrier-grade NAT (100.64/10) and other ranges that are neither
        # private nor reachable on the internet.
        return "non-public"
    return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _normalized_hosts(hosts: Iterable[str]) -> set[str]:
    return {h.strip().lower().strip("[]") for h in hosts}


def checked_addresses(
    host: str, port: int, allow_hosts: Iterable[str], resolver: Resolver | None = None
) -> list[str]:
    """Resolve ``host`` and return its addresses, refusing if any one is not public.

    All addresses must pass, not just the first: the connection may use any.
    A host listed in ``allow_hosts`` skips the check (intranet feeds, tests).
    """
    host = host.lower().strip("[]")
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    addresses = [host] if literal is not None else list((resolver or system_resolver)(host, port))
    # The set as given first (callers pass it normalized): O(1) per fetch.
    if host in allow_hosts or host in _normalized_hosts(allow_hosts):
        return addresses
    for address in addresses:
        # Scoped IPv6 addresses ("fe80::1%eth0") carry an interface name.
        kind = address_kind(ipaddress.ip_address(address.split("%", 1)[0]))
        if kind is None:
            continue
        article = "an" if kind[0] in "aeiou" else "a"
        if literal is not None:
            what = f"{host} is {article} {kind} address"
        else:
            what = f"{host} resolves to {article} {kind} address ({address})"
        raise BlockedAddress(
            f"{what}; add {host} to network.allow_hosts in the config if this is an intranet feed."
        )
    return addresses


def url_host_port(url: str) -> tuple[str, int]:
    """The host name and port of an http(s) URL; BlockedAddress if it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedAddress(f"the URL is not valid ({exc}); check the source URL.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BlockedAddress(
            f"only http and https URLs can be fetched, not {scheme or 'a URL without a scheme'}; "
            "check the source URL."
        )
    if not parts.hostname:
        raise BlockedAddress("the URL has no host name; check the source URL.")
    return parts.hostname, port or (443 if scheme == "https" else 80)


def check_url(url: str, allow_hosts: frozenset[str], resolver: Resolver | None = None) -> None:
    """Raise BlockedAddress unless ``url`` is http(s) to a public address or an allowed host.

    Raises HostNotFound when the name does not resolve.
    """
    host, port = url_host_port(url)
    checked_addresses(host, port, allow_hosts, resolver)


class PinnedBackend(httpcore.NetworkBackend):
    """An httpcore backend that connects only to addresses it has just checked.

    Resolving once and connecting to exactly the approved addresses closes the
    DNS-rebinding gap between ``check_url`` and the connection. TLS is still
    verified against the host name, which httpcore passes to ``start_tls``.
    """

    def __init__(self, allow_hosts: Iterable[str], resolver: Resolver | None = None) -> None:
        self._allow_hosts = frozenset(_normalized_hosts(allow_hosts))
        self._resolver = resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port, self._allow_hosts, self._resolver)
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc  # try the next address, as socket.create_connection does
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("only TCP connections are checked, so only TCP is allowed")

    def sleep(self, seconds: float) -> None:
        """Used by httpcore between connection retries."""
        time.sleep(seconds)
