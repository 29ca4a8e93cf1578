"""Importing a library without the optional parts of it Hark never uses.

Some libraries import heavy optional modules at import time only to offer something Hark
does not call (sqlite-utils: numpy and pandas, to map their scalar types; httpx: its
command-line client, with click). Each ``hark`` command pays for them at start-up.
``import_without`` imports the library with those modules made unimportable for the
duration, so the library takes its own "not installed" path; afterwards they are
importable again for whoever needs them (numpy for the digest's chart). Imports nothing
of Hark.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence


def import_without(module: str, blocked: Sequence[str]) -> None:
    """Import ``module`` (once; nothing if it is loaded) with ``blocked`` unimportable."""
    if module in sys.modules:
        return
    names = [name for name in blocked if name not in sys.modules]
    for name in names:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        importlib.import_module(module)
    finally:
        for name in names:
            del sys.modules[name]
