"""The address check before a fetch is remembered per host (sources share hosts), and
never replaces the check of every connection (DNS rebinding)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.fetch.client import Fetcher, FetchError
from tests.support.feedserver import FeedServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


def test_a_hosts_address_check_is_remembered_across_its_urls(server: FeedServer) -> None:
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    for path in ("/a", "/b", "/c"):
        server.set(path, FEED)
    with Fetcher(allow_hosts=frozenset({"feeds.example"}), resolver=resolver) as fetcher:
        for path in ("/a", "/b", "/c"):
            assert fetcher.fetch(f"http://feeds.example:{server.port}{path}").body == FEED
    # One check before the first fetch, one when the (kept-alive) connection was opened.
    assert lookups == ["feeds.example", "feeds.example"]


def test_a_remembered_host_still_has_every_connection_checked(server: FeedServer) -> None:
    """The name looks public to the first check; every connect finds it local."""
    answers = iter(["93.184.216.34"])

    def rebinding(host: str, port: int) -> list[str]:
        return [next(answers, "127.0.0.1")]

    server.set("/a", FEED)
    server.set("/b", FEED)
    with Fetcher(resolver=rebinding) as fetcher:
        for path in ("/a", "/b"):
            with pytest.raises(FetchError, match="resolves to a loopback address") as caught:
                fetcher.fetch(f"http://feeds.example:{server.port}{path}")
            assert caught.value.permanent
    assert server.requests == []


def test_a_refused_host_is_checked_again_every_time() -> None:
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["10.0.0.5"]

    with Fetcher(resolver=resolver) as fetcher:
        for path in ("/a", "/b"):
            with pytest.raises(FetchError, match="private address"):
                fetcher.fetch(f"http://intranet.example{path}")
    assert lookups == ["intranet.example", "intranet.example"]
