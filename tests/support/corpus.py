"""The shared corpus of real captured feeds and X responses, and skipping where it is absent.

It lives in ../shared/corpus beside the checkout, or at $HARK_CORPUS. A fresh clone has none:
the tests that need it skip, saying so. CI sets HARK_REQUIRE_CORPUS=1 (.ci/run), which turns
every such skip into a failure (the hook is in tests/conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(
    os.environ.get("HARK_CORPUS") or Path(__file__).resolve().parents[3] / "shared" / "corpus"
)
CORPUS_SKIP = "needs the shared corpus"


def corpus_required() -> bool:
    """Whether a test skipped for want of the corpus must fail instead (HARK_REQUIRE_CORPUS)."""
    return os.environ.get("HARK_REQUIRE_CORPUS", "") not in ("", "0")


def corpus_reason(path: Path = CORPUS) -> str:
    """The skip reason naming the missing path and where to put the corpus."""
    return f"{CORPUS_SKIP}: {path} not found (put ../shared/corpus beside the checkout)"


def corpus_file(*parts: str) -> Path:
    """A file of the shared corpus; skips the calling test, with a reason naming the path,
    when it is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(corpus_reason(path))
    return path
