"""create_app: no noise in the log at start."""

from __future__ import annotations

import logging

from bot.app import create_app


def test_no_token_will_be_unused_line_at_start(harness_factory, monkeypatch, caplog):
    h = harness_factory()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")  # as in production: Bolt reads it too
    with caplog.at_level(logging.DEBUG):
        create_app(h.settings, h.store, h.services, process_before_response=True)
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
