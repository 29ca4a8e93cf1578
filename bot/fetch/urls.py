"""Where a request for a URL goes: scheme, host, port, target and Host header, as bytes.

``httpx.URL`` normalizes any URL (IDNA hosts, percent-encoding, dot segments, default
ports) at about 30 µs a URL, more than a tenth of a 304's CPU, paid for every source
in each `hark poll --once` (a new process). Most feed URLs are already in normal form:
those are read with one regular expression, to the same values ``httpx.URL`` gives
(tests/fetch/test_urls.py compares the two); any other URL goes through ``httpx.URL``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import httpx

# http(s), a lower-case host name or dotted IPv4 address, an optional port, then a path
# and query of characters httpx keeps as they are ('%' escapes, '#' fragments, userinfo,
# upper case and IPv6 literals take the general path).
_PLAIN = re.compile(
    r"(https?)://"
    r"([a-z0-9-]+(?:\.[a-z0-9-]+)*)"
    r"(?::([0-9]{1,5}))?"
    r"(/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?"
    r"(\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?"
)
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Target(NamedTuple):
    """What a request for one URL needs (``httpx.URL``'s raw_scheme, raw_host, port,
    raw_path and netloc)."""

    scheme: bytes
    host: bytes
    port: int | None
    target: bytes
    netloc: str

    def host_port(self) -> tuple[str, int]:
        """The host name and the port a connection goes to (the scheme's default if none)."""
        scheme = self.scheme.decode("ascii")
        return self.host.decode("ascii"), self.port or _DEFAULT_PORTS[scheme]


def plain_target(url: str) -> Target | None:
    """The URL's ``Target`` when it is already in normal form, else None."""
    match = _PLAIN.fullmatch(url)
    if match is None:
        return None
    scheme, host, port_text, path, query = match.groups()
    if path and "." in path and {".", ".."} & set(path.split("/")):
        return None  # dot segments: httpx removes them
    if _IPV4_STYLE.fullmatch(host) and not _IPV4.fullmatch(host):
        return None  # httpx refuses it (not an address)
    port = int(port_text) if port_text is not None else None
    if port is not None and port > 65535:
        return None  # not a port: netguard's check refuses the URL
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    netloc = host if port is None else f"{host}:{port}"
    return Target(
        scheme.encode(), host.encode(), port, ((path or "/") + (query or "")).encode(), netloc
    )


def target(url: str) -> Target:
    """The URL's ``Target``; raises httpx.InvalidURL as ``httpx.URL`` does."""
    found = plain_target(url)
    return found if found is not None else httpx_target(url)


def httpx_target(url: str) -> Target:
    """The URL's ``Target`` as ``httpx.URL`` reads it (any URL; raises httpx.InvalidURL)."""
    parsed = httpx.URL(url)
    return Target(
        parsed.raw_scheme,
        parsed.raw_host,
        parsed.port,
        parsed.raw_path,
        parsed.netloc.decode("ascii"),
    )
