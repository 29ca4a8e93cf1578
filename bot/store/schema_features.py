"""Imports every feature's migration module, so each registers its migrations once."""

from __future__ import annotations
