"""sqlite-utils, imported without its optional numpy and pandas support.

sqlite-utils imports numpy and pandas when they are installed (matplotlib brings
numpy, for the digest's chart) only to map their scalar types to column types;
Hark never stores either, and importing numpy costs every ``hark`` command about
0.1 s. Every module of the store imports sqlite-utils through this one, and only when
it is used: to run a migration (bot/store/schema.py). A start on an up-to-date database
imports none of it.
"""

from __future__ import annotations

from bot.lean import import_without

import_without("sqlite_utils.db", ("numpy", "pandas"))

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

__all__ = ["Database", "Migrations"]
