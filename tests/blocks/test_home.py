"""The App Home tab as home_view renders it: within Block Kit's limits, what someone not
registered is told, conversations with their place and a Claim button (escaped), at most
SHOWN of each list, and the month's numbers."""

from __future__ import annotations

from dataclasses import replace

from bot.blocks.home import SHOWN, home_view
from bot.engage.home import HomeSummary, MonthNumbers, home_summary
from tests.support.blockkit import validate_view
from tests.support.harness import seed_conversation
from tests.support.mentions import find_mentions, text_leaves


def texts(view: dict) -> list[str]:
    assert validate_view(view, "home") == []
    return text_leaves(view["blocks"])


def test_someone_not_registered_is_told_to_register() -> None:
    shown = "\n".join(texts(home_view(HomeSummary(registered=False), now=0)))
    assert "run `/register` so the conversations on your topics find you" in shown
    assert "Nothing claimed and unanswered." in shown
    assert "Pick topics with `/register`" in shown


def test_the_months_numbers() -> None:
    month = MonthNumbers(claims=3, replies=1, median_to_claim=90.0, median_to_reply=7200.0)
    view = home_view(HomeSummary(registered=True, topics=["kubernetes"], month=month), now=0)
    shown = texts(view)
    assert "Your topics: *kubernetes*" in shown and "Nothing unclaimed on your topics." in shown
    numbers = next(b for b in view["blocks"] if "fields" in b)["fields"]
    assert [f["text"].split("\n")[0] for f in numbers] == [
        "*Claims*",
        "*Replies*",
        "*Median time to claim*",
        "*Median time to reply*",
    ]
    assert [f["text"].split("\n")[1] for f in numbers][:2] == ["3", "1"]


def test_waiting_conversations_have_a_claim_button_and_escaped_titles(harness_factory) -> None:
    h = harness_factory()
    h.store.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {})
    cids = [
        seed_conversation(
            h,
            link=f"https://forum.example.com/t/{i}",
            title=f"<!here> pods & nodes {i}",
            text=f"pod {i}",
        )
        for i in range(4)
    ]
    assert h.services.engagement.claim(cids[0], "U0SME1").ok
    summary = home_summary(h.store, "U0SME1")
    view = home_view(summary, now=h.store.now())
    shown = "\n".join(texts(view))
    assert find_mentions(shown) == []
    assert "&lt;!here&gt; pods &amp; nodes 0" in shown and "topic *kubernetes* in <#C0K8S>" in shown
    buttons = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert [b["value"] for b in buttons] == [str(c) for c in cids[1:]]  # mine: no button
    assert {b["action_id"] for b in buttons} == {"claim"}
    long = replace(summary, waiting=summary.waiting * 6, mine=summary.mine * 20)
    blocks = home_view(long, now=h.store.now())["blocks"]
    assert sum("accessory" in b for b in blocks) == SHOWN
    claimed = [b for b in blocks if " · claimed " in b.get("text", {}).get("text", "")]
    assert len(claimed) == SHOWN
