"""The messages about a conversation read as English: "an observability conversation"."""

from bot.blocks.conversation import escalation_message, owner_nudge


def test_the_article_follows_the_topic():
    assert (
        "claimed an observability conversation in"
        in escalation_message("observability", "C0K8S", None, 7200)["text"]
    )
    assert "You claimed a kubernetes conversation" in owner_nudge("kubernetes", None, 9e4)["text"]


def test_the_history_falls_back_to_a_readable_time_not_an_epoch():
    from bot.blocks.conversation import history_text
    from bot.models import Engagement

    at = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC
    text = history_text([Engagement(1, 1, "U0SME1", "claim", "", at)])
    assert "|2026-11-18 11:06 UTC>" in text
    assert f"|{int(at)}>" not in text


def test_the_reminder_asks_one_person_as_one_person():
    from bot.blocks.conversation import sla_reminder
    from bot.viewdata import Expert

    sam, ann = Expert("U0SME1", "Sam", False, False), Expert("U0SME2", "Ann", False, False)
    assert "Sam, could you take it?" in sla_reminder(5400, [sam])["text"]
    assert "Sam, Ann: could one of you take it?" in sla_reminder(5400, [sam, ann])["text"]
    assert "Could someone take it?" in sla_reminder(5400, [])["text"]
