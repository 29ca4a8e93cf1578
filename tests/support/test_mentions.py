"""The mention audit finds the forms that ping people and nothing else."""

from __future__ import annotations

import pytest

from tests.support.mentions import find_mentions

# -- mention audit ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "strict", "expected"),
    [
        ("plain words", False, []),
        ("hey <!here> and <!channel>", False, ["<!here>", "<!channel>"]),
        ("<!everyone>", False, ["<!everyone>"]),
        ("<!here|here>", False, ["<!here|here>"]),
        ("<!subteam^S0SRE|@sre> look", False, ["<!subteam^S0SRE|@sre>"]),
        ("ping <@U0SME1> and <@W0ENT|ent>", False, ["<@U0SME1>", "<@W0ENT|ent>"]),
        ("escaped &lt;!here&gt; &lt;@U0SME1&gt;", False, []),
        ("raw @here @channel @everyone", False, []),
        ("raw @here @channel @everyone", True, ["@here", "@channel", "@everyone"]),
        ("mail me@here.com", True, []),
        ("<#C0K8S|k8s> and <https://x.y|link>", True, []),
        ("<!date^1700000000^{date}|Nov 14>", True, []),
        ("<!here> then @here", True, ["<!here>", "@here"]),
    ],
)
def test_find_mentions(text: str, strict: bool, expected: list[str]) -> None:
    assert find_mentions(text, strict) == expected
