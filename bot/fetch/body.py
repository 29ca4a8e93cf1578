"""Reading a response body under a byte cap, decompressing gzip or deflate as it comes.

The cap counts decompressed bytes, what Hark would hold in memory, and every
chunk is inflated at most up to what is left of the cap, so a gzip bomb (a
few kilobytes that inflate to gigabytes) costs no more than the cap itself.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable

import httpcore

from bot.fetch import deadline as fetchdeadline


class BodyTooLarge(Exception):
    """The body inflated past the cap."""


class BadEncoding(Exception):
    """The body is not valid in its declared Content-Encoding, or the encoding is unknown."""


def read_body(chunks: Iterable[bytes], encoding: str, max_bytes: int) -> bytes:
    """The whole decoded body; BodyTooLarge past ``max_bytes``, BadEncoding if undecodable.

    Checks this thread's fetch deadline between chunks, raising httpcore.ReadTimeout.
    """
    inflate = _inflater(encoding)
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        if time.monotonic() > (fetchdeadline.current.deadline or float("inf")):
            raise httpcore.ReadTimeout("the fetch deadline has passed")
        piece = inflate(chunk, max_bytes - size + 1) if inflate else chunk
        size += len(piece)
        if size > max_bytes:
            raise BodyTooLarge
        parts.append(piece)
    if inflate:
        tail = inflate(b"", max_bytes - size + 1)
        size += len(tail)
        if size > max_bytes:
            raise BodyTooLarge
        parts.append(tail)
    return b"".join(parts)


class _Inflate:
    """zlib decompression that never produces more than it is allowed in one call."""

    def __init__(self, wbits: int, raw_fallback: bool = False) -> None:
        self._zlib = zlib.decompressobj(wbits)
        self._raw_fallback = raw_fallback  # "deflate" is sometimes sent without its header
        self._started = False

    def __call__(self, data: bytes, room: int) -> bytes:
        try:
            if data:
                out = self._zlib.decompress(data, room)
            else:
                out = self._zlib.decompress(self._zlib.unconsumed_tail, room)
                if len(out) < room:
                    out += self._zlib.flush()
        except zlib.error as exc:
            if self._raw_fallback and not self._started:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._raw_fallback = False
                return self(data, room)
            raise BadEncoding(str(exc)) from None
        self._started = True
        return out


def _inflater(encoding: str) -> _Inflate | None:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return _Inflate(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Inflate(zlib.MAX_WBITS, raw_fallback=True)
    raise BadEncoding(f"unsupported Content-Encoding {encoding[:40]!r}")
