"""Outbox: a card Slack refuses (its blocks, its size) is retried a few times, then set aside."""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.schema import migrations


@migrations()
def outbox_001_card_failures(db: Database) -> None:
    # card_failures: how many times Slack refused this card itself (invalid_blocks,
    # msg_too_long, ...); gave_up_at: when Hark stopped trying (the card leaves the outbox).
    db.execute("ALTER TABLE conversations ADD COLUMN card_failures INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE conversations ADD COLUMN gave_up_at REAL")
