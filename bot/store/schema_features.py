"""Imports every feature's migration module, so each registers its migrations once."""

from __future__ import annotations

from bot.store import (
    schema_digest,  # noqa: F401
    schema_engagement,  # noqa: F401
    schema_outbox,  # noqa: F401
    schema_people,  # noqa: F401
    schema_search,  # noqa: F401
    schema_x,  # noqa: F401
)
