"""The database setting (``HARK_DB``, else ``DATABASE_URL``): a SQLite file path or a
``postgresql://`` URL; which one it is, and how to show it without its password.

Imports nothing of Hark, so the config, the command line, the doctor and the logs may use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
DEFAULT = "hark.db"
HIDDEN = "***"
# libpq also takes the password as a query parameter: ?password=... or &password=...
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)[^&#\s'\"]*")
# In free text (an error message): scheme://user:PASSWORD@host
_URL_PASSWORD = re.compile(r"([a-zA-Z][\w+.-]*://[^\s:/@'\"]*:)[^\s'\"]*@")


def choose(environ: Mapping[str, str]) -> str:
    """``HARK_DB`` when set, else ``DATABASE_URL`` (managed hosts set that), else hark.db."""
    return environ.get("HARK_DB") or environ.get("DATABASE_URL") or DEFAULT


def is_postgres(db: str) -> bool:
    """Is ``db`` a PostgreSQL URL (else a SQLite file path)?"""
    return db.lower().startswith(POSTGRES_SCHEMES)


def shown(db: str) -> str:
    """``db`` fit to print or log: a URL's password, in the address or the query, is ***."""
    if "://" not in db:
        return db
    try:
        parts = urlsplit(db)
        password = parts.password
    except ValueError:  # a URL too broken to parse: show only its scheme
        return db.split("://", 1)[0] + "://" + HIDDEN
    netloc = parts.netloc
    if password is not None:
        users, _, host = netloc.rpartition("@")
        user = users.split(":", 1)[0]
        netloc = f"{user}:{HIDDEN}@{host}"
    query = _QUERY_PASSWORD.sub(rf"\g<1>{HIDDEN}", "?" + parts.query)[1:]
    whole = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    # A password holding an unescaped '#' or '?' (libpq takes it) ends the address for
    # urlsplit, which then sees no password: hide what stands before the '@' too.
    return _URL_PASSWORD.sub(rf"\g<1>{HIDDEN}@", whole)


def scrub(text: str, db: str = "") -> str:
    """``text`` (an error message, say) with every URL's password hidden, and ``db``'s
    password wherever it appears on its own."""
    text = _QUERY_PASSWORD.sub(rf"\g<1>{HIDDEN}", _URL_PASSWORD.sub(rf"\g<1>{HIDDEN}@", text))
    try:
        password = urlsplit(db).password if "://" in db else None
    except ValueError:
        password = None
    return text.replace(password, HIDDEN) if password else text
