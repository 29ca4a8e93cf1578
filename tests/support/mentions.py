"""The mention audit as pure functions: which text in what Hark sent would ping people.

Untrusted text is escaped before it reaches Slack, so `find_mentions` over everything sent
should find nothing; `text_leaves` collects the strings of a payload to audit.
"""

from __future__ import annotations

import re
from typing import Any

# The forms that notify people whatever the message's settings. `&lt;!here&gt;` (escaped) does
# not match, which is the point of escaping untrusted text.
MENTION_RE = re.compile(
    r"<(?:!(?:channel|here|everyone|group)|!subteam\^[A-Z0-9]+|@[UW][A-Z0-9]+)(?:\|[^<>]*)?>"
)
# Raw words that notify only when a message is sent with `link_names` (which Hark never does).
RAW_MENTION_RE = re.compile(r"(?<![\w@.&;/])@(?:channel|here|everyone)\b")


def find_mentions(text: str, strict: bool = False) -> list[str]:
    """Return the Slack special mentions and user mentions in `text`, in order.

    By default only the angle-bracket forms that always ping (`<!here>`, `<!channel>`,
    `<!everyone>`, `<!subteam^S…>`, `<@U…>`); with `strict`, raw `@here`/`@channel`/`@everyone`
    too (they ping only with `link_names`).
    """
    found = [(m.start(), m.group()) for m in MENTION_RE.finditer(text)]
    if strict:
        found += [(m.start(), m.group()) for m in RAW_MENTION_RE.finditer(text)]
    return [hit for _, hit in sorted(found)]


def text_leaves(value: Any) -> list[str]:
    """Every string inside `value` (dicts and lists, recursively) except `type` names."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "type" for s in text_leaves(v)]
    if isinstance(value, list):
        return [s for v in value for s in text_leaves(v)]
    return []
