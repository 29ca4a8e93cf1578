"""`hark doctor` says what works and what to fix."""

from __future__ import annotations

import io

from bot.config import load_settings
from bot.ops.doctor import run_doctor


def test_doctor_reports_channels_sources_and_fixes(harness_factory, feeds, fake_slack):
    feeds.set("/ok.xml", b"<rss version='2.0'><channel><title>x</title></channel></rss>")
    h = harness_factory([feeds.url("/ok.xml"), feeds.url("/gone.xml")])
    fake_slack.not_in_channel.add("C0BILL")
    out = io.StringIO()
    status = run_doctor(h.settings, out)
    text = out.getvalue()
    assert status == 1
    assert "ok   token works: bot U0HARKBOT" in text
    assert (
        "FAIL topic billing: the bot is not in #c0bill (C0BILL)\n"
        "     → invite the bot: `/invite @Hark` in #c0bill (C0BILL)"
    ) in text
    assert "ok   topic kubernetes: the bot is in #c0k8s (C0K8S)" in text
    assert "answers 200" in text and "gone.xml answered 404" in text
    assert text.endswith("2 things to fix\n")
    assert "xoxb-test" not in text


def test_doctor_says_one_thing_to_fix_and_checks_the_digest_channel(harness_factory, fake_slack):
    config = (
        "topics:\n  - {name: kubernetes, query: k8s, channel: C0K8S}\ndigest: {channel: C0MKTG}\n"
    )
    h = harness_factory(config=config)
    fake_slack.not_in_channel.add("C0MKTG")
    out = io.StringIO()
    assert run_doctor(h.settings, out) == 1
    text = out.getvalue()
    assert "FAIL digest: the bot is not in #c0mktg (C0MKTG)" in text
    assert text.endswith("\n1 thing to fix\n")


def test_doctor_does_not_create_the_database_file(fake_slack, tmp_path, monkeypatch):
    from tests.support.harness import BASE_CONFIG

    path = tmp_path / "hark.yml"
    path.write_text(BASE_CONFIG.replace("sources:\n%s\n", ""))
    db = tmp_path / "new.db"
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake_slack.url,
        "HARK_DB": str(db),
        "HARK_CONFIG": str(path),
    }
    out = io.StringIO()
    run_doctor(load_settings(env), out)
    assert not db.exists()
    assert f"ok   database {db} does not exist yet; `hark run` creates it" in out.getvalue()
    assert "ok   topic kubernetes: the bot is in #c0k8s (C0K8S)" in out.getvalue()


def test_doctor_without_token(tmp_path):
    out = io.StringIO()
    assert run_doctor(load_settings({"HARK_DB": str(tmp_path / "d.db")}), out) == 1
    assert "SLACK_BOT_TOKEN" in out.getvalue() and "xoxb-" in out.getvalue()


def test_doctor_with_a_refused_token(harness_factory, fake_slack):
    h = harness_factory()
    fake_slack.tokens = {"xoxb-other"}
    out = io.StringIO()
    assert run_doctor(h.settings, out) == 1
    assert "token refused by Slack: invalid_auth" in out.getvalue()


def test_doctor_checks_the_tokens_scopes(harness_factory, fake_slack):
    # The fake answers auth.test with `x-oauth-scopes` as Slack does: manifest.yml's scopes.
    h = harness_factory()
    out = io.StringIO()
    run_doctor(h.settings, out)
    assert "ok   scopes: all present" in out.getvalue()


def test_doctor_reports_a_missing_scope_and_the_fix(harness_factory, fake_slack):
    h = harness_factory()
    fake_slack.scopes = [s for s in fake_slack.scopes if s != "files:write"]
    out = io.StringIO()
    assert run_doctor(h.settings, out) == 1
    assert (
        "FAIL scopes: missing files:write\n"
        "     → reinstall the app from manifest.yml (OAuth & Permissions → Reinstall)"
    ) in out.getvalue()


def test_doctor_requires_exactly_what_the_manifest_asks_for():
    from bot.ops.doctor import REQUIRED_SCOPES
    from tests.support.slack_team import manifest_scopes

    assert set(REQUIRED_SCOPES) <= set(manifest_scopes())
