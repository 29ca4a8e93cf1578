"""The messages about a conversation read as English: "an observability conversation"."""

from bot.blocks.conversation import escalation_message, owner_nudge


def test_the_article_follows_the_topic():
    assert (
        "claimed an observability conversation in"
        in escalation_message("observability", "C0K8S", None, 7200)["text"]
    )
    assert "You claimed a kubernetes conversation" in owner_nudge("kubernetes", None, 9e4)["text"]
