"""Fixtures for the store's tests: one store class at a time over a Hark's database."""

from __future__ import annotations

import pytest

NOW = 1_800_000_000.0


@pytest.fixture
def harness_and_alone(harness_factory):
    """A Hark on a fixed clock, and ``alone(StoreClass)``: that one mixin over its database
    (which shows the mixin needs no other); every store opened is closed at the end."""
    h = harness_factory()
    h.store.clock = lambda: NOW
    opened = []

    def alone(cls):
        store = cls(h.store.path, clock=lambda: NOW)
        opened.append(store)
        return store

    yield h, alone
    for store in opened:
        store.close()
