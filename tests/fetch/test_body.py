"""read_body: the byte cap counts decompressed bytes; gzip and deflate (with or without its
header) are inflated as they come; anything undecodable is BadEncoding."""

from __future__ import annotations

import gzip
import time
import zlib

import httpcore
import pytest

from bot.fetch import deadline as fetchdeadline
from bot.fetch.body import BadEncoding, BodyTooLarge, read_body

TEXT = b"<rss>" + b"kubernetes " * 500 + b"</rss>"


def chunked(data: bytes, size: int = 97) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.fixture(autouse=True)
def no_deadline():
    fetchdeadline.current.deadline = None
    yield
    fetchdeadline.current.deadline = None


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT, mtime=0)),
        ("x-gzip", gzip.compress(TEXT, mtime=0)),
        (" GZIP ", gzip.compress(TEXT, mtime=0)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", raw_deflate(TEXT)),  # servers that send deflate without its zlib header
    ],
)
def test_the_body_comes_back_decoded_whatever_the_chunking(encoding: str, wire: bytes) -> None:
    assert read_body(chunked(wire), encoding, max_bytes=len(TEXT)) == TEXT
    assert read_body([wire], encoding, max_bytes=len(TEXT)) == TEXT


@pytest.mark.parametrize("encoding", ["", "gzip", "deflate"])
def test_one_byte_over_the_cap_is_too_large(encoding: str) -> None:
    wire = {"": TEXT, "gzip": gzip.compress(TEXT), "deflate": zlib.compress(TEXT)}[encoding]
    with pytest.raises(BodyTooLarge):
        read_body(chunked(wire), encoding, max_bytes=len(TEXT) - 1)


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_it_all() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # about 50 KB on the wire
    assert len(bomb) < 100_000
    with pytest.raises(BodyTooLarge):
        read_body(chunked(bomb, 4096), "gzip", max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        ("gzip", b"this is not gzip at all"),
        ("deflate", b"\xff\xfe neither zlib nor raw deflate"),
        ("br", b"anything"),
        ("compress", b"anything"),
    ],
)
def test_undecodable_or_unknown_encodings_are_bad_encoding(encoding: str, wire: bytes) -> None:
    with pytest.raises(BadEncoding):
        read_body([wire], encoding, max_bytes=1_000)


def test_a_passed_fetch_deadline_stops_the_read_between_chunks() -> None:
    fetchdeadline.current.deadline = time.monotonic() - 1
    with pytest.raises(httpcore.ReadTimeout):
        read_body(chunked(TEXT), "", max_bytes=len(TEXT))
