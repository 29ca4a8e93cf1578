"""Block Kit's limits as pure functions: what Slack would refuse in blocks and views.

`validate_blocks` and `validate_view` answer Slack-worded violations with JSON pointers
([] when Slack would accept); the fake Slack refuses with them, and tests of the Block Kit
builders call them directly. Limits from https://docs.slack.dev/reference/block-kit/.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
# Undocumented: Slack refuses a message whose blocks serialize to more than about 13 k
# characters with `msg_blocks_too_long`, even when every documented limit holds.
MSG_BLOCKS_MAX_CHARS = 13_000
MSG_TEXT_MAX_CHARS = 40_000  # top-level `text`; over it Slack answers `msg_too_long`
PRIVATE_METADATA_MAX_CHARS = 3_000

BLOCK_TYPES = frozenset(
    {"section", "divider", "header", "context", "actions", "image", "input", "rich_text"}
    | {"markdown", "file", "video"}
)
SELECT_TYPES = frozenset(
    {"static_select", "multi_static_select", "external_select", "multi_external_select"}
    | {"users_select", "multi_users_select", "conversations_select"}
    | {"multi_conversations_select", "channels_select", "multi_channels_select"}
)
INPUT_TYPES = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
    | {"rich_text_input", "datepicker", "timepicker", "datetimepicker", "file_input"}
)
ELEMENT_TYPES = (
    SELECT_TYPES
    | INPUT_TYPES
    | {"button", "overflow", "checkboxes", "radio_buttons", "image", "workflow_button"}
)
# Which elements each block takes (Block Kit reference, "compatible elements"): text inputs
# only in input blocks, buttons and overflows never there.
_CHOICES = SELECT_TYPES | {"checkboxes", "radio_buttons", "datepicker", "timepicker"}
BLOCK_ELEMENTS = {
    "section": _CHOICES | {"button", "overflow", "image", "workflow_button"},
    "actions": _CHOICES | {"button", "overflow", "datetimepicker", "workflow_button"},
    "input": INPUT_TYPES | _CHOICES,
}
MARKDOWN_MAX_CHARS = 12_000  # all markdown blocks of one payload together


class _Checker:
    """Collects violations as Slack words them: `[ERROR] <what> [json-pointer:<where>]`."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.block_ids: set[str] = set()
        self.markdown_chars = 0

    def error(self, path: str, what: str) -> None:
        self.errors.append(f"[ERROR] {what} [json-pointer:{path}]")

    def max_chars(self, value: Any, limit: int, path: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.error(path, f"must be less than {limit + 1} characters")

    def max_items(self, value: Any, limit: int, path: str, minimum: int = 0) -> None:
        if not isinstance(value, list):
            self.error(path, "must be an array")
        elif len(value) > limit:
            self.error(path, f"no more than {limit} items allowed")
        elif len(value) < minimum:
            self.error(path, f"at least {minimum} items required")

    def text(
        self,
        obj: Any,
        limit: int,
        path: str,
        *,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        """Check a text object: `type` plain_text|mrkdwn, non-empty `text` within `limit`."""
        if obj is None:
            if required:
                self.error(path, "missing required field")
            return
        if not isinstance(obj, dict):
            self.error(path, "must be a text object")
            return
        kind = obj.get("type")
        if kind not in ("plain_text", "mrkdwn"):
            self.error(f"{path}/type", f"must be plain_text or mrkdwn, not {kind!r}")
        elif plain_only and kind != "plain_text":
            self.error(f"{path}/type", "must be plain_text")
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.error(f"{path}/text", "must be more than 0 characters")
        else:
            self.max_chars(text, limit, f"{path}/text")

    def option(self, opt: Any, path: str, *, mrkdwn: bool = False) -> None:
        if not isinstance(opt, dict):
            self.error(path, "must be an option object")
            return
        self.text(opt.get("text"), 75, f"{path}/text", plain_only=not mrkdwn)
        if "value" not in opt:
            self.error(f"{path}/value", "missing required field")
        self.max_chars(opt.get("value"), 150, f"{path}/value")
        self.text(opt.get("description"), 75, f"{path}/description", required=False)
        self.max_chars(opt.get("url"), 3000, f"{path}/url")

    def confirm(self, obj: Any, path: str) -> None:
        if obj is None:
            return
        if not isinstance(obj, dict):
            self.error(path, "must be a confirmation dialog object")
            return
        self.text(obj.get("title"), 100, f"{path}/title", plain_only=True)
        self.text(obj.get("text"), 300, f"{path}/text")
        self.text(obj.get("confirm"), 30, f"{path}/confirm", plain_only=True)
        self.text(obj.get("deny"), 30, f"{path}/deny", plain_only=True)

    def element(self, el: Any, path: str, block_kind: str = "") -> None:
        """Check one interactive (or image) element; `block_kind` is the block holding it."""
        if not isinstance(el, dict):
            self.error(path, "must be an element object")
            return
        kind = el.get("type")
        if kind not in ELEMENT_TYPES:
            self.error(f"{path}/type", f"unsupported type: {kind!r}")
            return
        if block_kind in BLOCK_ELEMENTS and kind not in BLOCK_ELEMENTS[block_kind]:
            self.error(f"{path}/type", f"{kind} is not allowed in {block_kind} blocks")
            return
        self.max_chars(el.get("action_id"), 255, f"{path}/action_id")
        self.text(
            el.get("placeholder"), 150, f"{path}/placeholder", plain_only=True, required=False
        )
        self.confirm(el.get("confirm"), f"{path}/confirm")
        if kind in ("button", "workflow_button"):
            self.text(el.get("text"), 75, f"{path}/text", plain_only=True)
            self.max_chars(el.get("value"), 2000, f"{path}/value")
            self.max_chars(el.get("url"), 3000, f"{path}/url")
            if el.get("style") not in (None, "primary", "danger"):
                self.error(f"{path}/style", "must be primary or danger")
        elif kind == "image":
            self.max_chars(el.get("image_url"), 3000, f"{path}/image_url")
            self.max_chars(el.get("alt_text"), 2000, f"{path}/alt_text")
            if not el.get("alt_text"):
                self.error(f"{path}/alt_text", "missing required field")
        elif kind in ("plain_text_input", "rich_text_input"):
            for key in ("max_length", "min_length"):
                value = el.get(key)
                if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
                    self.error(f"{path}/{key}", "must be an integer no more than 3000")
        elif kind == "overflow":
            self._options(el, path, 5, minimum=2)
        elif kind in ("checkboxes", "radio_buttons"):
            self._options(el, path, 10, mrkdwn=True)
        elif kind in ("static_select", "multi_static_select"):
            if "options" not in el and "option_groups" not in el:
                self.error(f"{path}/options", "one of options or option_groups is required")
            self._options(el, path, 100)

    def _options(
        self, el: dict[str, Any], path: str, limit: int, *, minimum: int = 0, mrkdwn: bool = False
    ) -> None:
        if "options" in el:
            self.max_items(el["options"], limit, f"{path}/options", minimum)
            for i, opt in enumerate(el["options"] if isinstance(el["options"], list) else []):
                self.option(opt, f"{path}/options/{i}", mrkdwn=mrkdwn)
        for g, group in enumerate(el.get("option_groups") or []):
            gpath = f"{path}/option_groups/{g}"
            self.text(group.get("label"), 75, f"{gpath}/label", plain_only=True)
            self.max_items(group.get("options"), 100, f"{gpath}/options")
            for i, opt in enumerate(group.get("options") or []):
                self.option(opt, f"{gpath}/options/{i}")

    def block(self, block: Any, path: str) -> None:
        """Check one layout block and the elements inside it."""
        if not isinstance(block, dict):
            self.error(path, "must be a block object")
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.error(f"{path}/type", f"unsupported type: {kind!r}")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.max_chars(block_id, 255, f"{path}/block_id")
            if block_id in self.block_ids:
                self.error(f"{path}/block_id", f"duplicate block_id {block_id!r}")
            self.block_ids.add(block_id)
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.error(path, "must provide at least one of text or fields")
            self.text(block.get("text"), 3000, f"{path}/text", required=False)
            if "fields" in block:
                self.max_items(block["fields"], 10, f"{path}/fields", minimum=1)
                for i, item in enumerate(
                    block["fields"] if isinstance(block["fields"], list) else []
                ):
                    self.text(item, 2000, f"{path}/fields/{i}")
            if "accessory" in block:
                self.element(block["accessory"], f"{path}/accessory", "section")
        elif kind == "header":
            self.text(block.get("text"), 150, f"{path}/text", plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            self.max_items(elements, 10, f"{path}/elements", minimum=1)
            for i, el in enumerate(elements if isinstance(elements, list) else []):
                if isinstance(el, dict) and el.get("type") == "image":
                    self.element(el, f"{path}/elements/{i}")
                else:
                    self.text(el, 3000, f"{path}/elements/{i}")
        elif kind == "actions":
            elements = block.get("elements")
            self.max_items(elements, 25, f"{path}/elements", minimum=1)
            action_ids: set[str] = set()
            for i, el in enumerate(elements if isinstance(elements, list) else []):
                self.element(el, f"{path}/elements/{i}", "actions")
                action_id = el.get("action_id") if isinstance(el, dict) else None
                if action_id is not None and action_id in action_ids:
                    self.error(
                        f"{path}/elements/{i}/action_id", f"duplicate action_id {action_id!r}"
                    )
                action_ids.add(action_id)
        elif kind == "image":
            self.max_chars(block.get("image_url"), 3000, f"{path}/image_url")
            if "image_url" not in block and "slack_file" not in block:
                self.error(f"{path}/image_url", "missing required field")
            if not block.get("alt_text"):
                self.error(f"{path}/alt_text", "missing required field")
            self.max_chars(block.get("alt_text"), 2000, f"{path}/alt_text")
            self.text(block.get("title"), 2000, f"{path}/title", plain_only=True, required=False)
        elif kind == "input":
            self.text(block.get("label"), 2000, f"{path}/label", plain_only=True)
            self.text(block.get("hint"), 2000, f"{path}/hint", plain_only=True, required=False)
            if "element" not in block:
                self.error(f"{path}/element", "missing required field")
            else:
                self.element(block["element"], f"{path}/element", "input")
        elif kind == "markdown":
            text = block.get("text")
            if not isinstance(text, str) or not text:
                self.error(f"{path}/text", "must be more than 0 characters")
            else:
                self.markdown_chars += len(text)
                if self.markdown_chars > MARKDOWN_MAX_CHARS:
                    self.error(f"{path}/text", "markdown blocks total more than 12000 characters")


def validate_blocks(blocks: Any, surface: str = "message") -> list[str]:
    """Return Slack-worded violations of Block Kit's limits in `blocks`; [] when Slack would accept.

    `surface` is "message", "modal" or "home". The undocumented total-size limit of messages
    is not checked here: see `blocks_json_chars` and `MSG_BLOCKS_MAX_CHARS`.
    """
    checker = _Checker()
    _check_blocks(checker, blocks, surface, "/blocks")
    return checker.errors


def _check_blocks(checker: _Checker, blocks: Any, surface: str, path: str) -> None:
    if surface not in MAX_BLOCKS:
        raise ValueError(f"surface must be one of {sorted(MAX_BLOCKS)}, not {surface!r}")
    checker.max_items(blocks, MAX_BLOCKS[surface], path)
    for i, block in enumerate(blocks if isinstance(blocks, list) else []):
        checker.block(block, f"{path}/{i}")


def validate_view(view: Any, surface: str = "modal") -> list[str]:
    """Return violations in a view payload (modal or home tab), pointers under `/view`."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.error("/view", "must be a view object")
        return checker.errors
    if view.get("type") != surface:
        checker.error("/view/type", f"must be {surface}")
    if surface == "modal":
        checker.text(view.get("title"), 24, "/view/title", plain_only=True)
        checker.text(view.get("close"), 24, "/view/close", plain_only=True, required=False)
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        checker.text(view.get("submit"), 24, "/view/submit", plain_only=True, required=has_input)
    checker.max_chars(
        view.get("private_metadata"), PRIVATE_METADATA_MAX_CHARS, "/view/private_metadata"
    )
    checker.max_chars(view.get("callback_id"), 255, "/view/callback_id")
    checker.max_chars(view.get("external_id"), 255, "/view/external_id")
    _check_blocks(checker, view.get("blocks", []), surface, "/view/blocks")
    return checker.errors


def blocks_json_chars(blocks: Any) -> int:
    """Length of `blocks` as JSON, the measure `MSG_BLOCKS_MAX_CHARS` applies to."""
    return len(json.dumps(blocks, ensure_ascii=False))
