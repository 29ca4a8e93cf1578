"""A fake Slack Web API on 127.0.0.1 that answers like Slack and remembers what it was asked.

Point the real `slack_sdk.WebClient` at it (`WebClient(token="xoxb-test", base_url=fake.url)`)
or set `SLACK_API_URL=fake.url`; every request is recorded as a `Call` that tests can inspect
(`calls`, `last`, `wait_for`). Like opsdroid's connector tests, the fake is asked what it
received rather than mocked; unlike a mock, it also refuses what Slack would refuse: unknown
channels, bad tokens, Block Kit over Slack's limits, reused trigger IDs.

The Block Kit limits and the mention audit are pure functions (`validate_blocks`,
`validate_view`, `find_mentions`) so tests of the Block Kit builders can call them directly.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import itertools
import json
import posixpath
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

# --------------------------------------------------------------------------------------------
# Block Kit limits (https://docs.slack.dev/reference/block-kit/) — pure functions
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Mention audit — pure functions
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

CHANNEL_ID_RE = re.compile(r"^[CDG][A-Z0-9]+$")
# Fields slack_sdk sends as JSON text inside form bodies; the fake decodes them.
JSON_FIELDS = frozenset(
    {"blocks", "attachments", "metadata", "view", "files", "unfurls", "user_auth_blocks"}
)
# Methods (and response_url posts) whose arguments carry text people will read.
SENDING_METHODS = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"}
    | {"chat.meMessage", "views.open", "views.update", "views.push", "views.publish"}
    | {"files.completeUploadExternal", "response"}
)
TEXT_ARGS = ("text", "blocks", "attachments", "metadata", "view", "initial_comment")
TEAM_ID = "T0HARK"
TEAM_DOMAIN = "hark-test"
BOT_USER_ID = "U0HARKBOT"
BOT_ID = "B0HARKBOT"
APP_ID = "A0HARK"
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"

# The bot scopes each method accepts (any one of them will do), from Slack's method pages.
# A method missing here needs no scope (auth.test, chat.getPermalink, views.*). Real Slack
# answers a call without one `missing_scope` with `needed` and `provided`, and sends the
# token's scopes in `x-oauth-scopes` on every answer (`hark doctor` reads them).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.delete": ("chat:write",),
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.members": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.list": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.join": ("channels:join",),
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
    "users.info": ("users:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes manifest.yml asks for: what a fresh install of Hark is granted."""
    manifest = yaml.safe_load(path.read_text())
    return list(manifest["oauth_config"]["scopes"]["bot"])


@dataclass(frozen=True)
class Call:
    """One request the fake received: Slack method, decoded arguments, lower-cased headers.

    `method` is the Web API method, or "upload" (a file upload URL), "response" (a
    response_url post) or "not_found" (any other path). `status` and `response` are what the
    fake answered.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int = 200
    response: Any = None
    path: str = ""


class SlackError(Exception):
    """Raised inside a method handler to answer `{"ok": false, "error": code}`."""

    def __init__(self, code: str, messages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.code}
        if self.messages:
            body["errors"] = list(self.messages)
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None
    remaining: int | None  # None: until clear_failures()


def make_user(
    user_id: str,
    name: str,
    real_name: str,
    *,
    title: str = "",
    tz: str = "Europe/London",
    tz_offset: int = 0,
    is_admin: bool = False,
    is_bot: bool = False,
    is_owner: bool = False,
    is_restricted: bool = False,
    team_id: str = TEAM_ID,
    enterprise_id: str | None = None,
) -> dict[str, Any]:
    """A user object shaped like `users.info` returns it.

    `team_id` is the user's home team (another org's for a Slack Connect visitor);
    `enterprise_id` adds the `enterprise_user` object of an Enterprise Grid member;
    `is_restricted` makes a guest.
    """
    user: dict[str, Any] = {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": tz,
        "tz_label": tz,
        "tz_offset": tz_offset,
        "is_admin": is_admin,
        "is_owner": is_owner,
        "is_restricted": is_restricted,
        "is_ultra_restricted": False,
        "is_bot": is_bot,
        "is_app_user": False,
        "updated": 1_700_000_000,
        "profile": {
            "title": title,
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": name,
            "display_name_normalized": name,
            "team": team_id,
        },
    }
    if enterprise_id:
        user["enterprise_user"] = {
            "id": user_id,
            "enterprise_id": enterprise_id,
            "enterprise_name": "Grid Org",
            "is_admin": False,
            "is_owner": False,
            "teams": [team_id],
        }
    return user


OTHER_TEAM_ID = "T0OTHERORG"  # another organisation, met in a Slack Connect channel
GRID_TEAM_ID = "T0GRIDWS2"  # another workspace of an Enterprise Grid org


def visiting_users() -> dict[str, dict[str, Any]]:
    """Users who are not plain members of the installing team: admins of another org and of
    another Grid workspace (admins at home, not here) and a guest of this team."""
    users = [
        make_user("U0OTHERADM", "olga", "Olga Other", is_admin=True, team_id=OTHER_TEAM_ID),
        make_user(
            "U0GRIDADM",
            "gus",
            "Gus Grid",
            is_owner=True,
            team_id=GRID_TEAM_ID,
            enterprise_id="E0GRID",
        ),
        make_user("U0GUEST", "gail", "Gail Guest", is_restricted=True),
    ]
    return {u["id"]: u for u in users}


def default_users() -> dict[str, dict[str, Any]]:
    """The users every fresh fake knows: the bot, a marketer (admin) and two SMEs."""
    users = [
        make_user(BOT_USER_ID, "hark", "Hark", is_bot=True),
        make_user(
            "U0MARKETER",
            "mara",
            "Mara Keter",
            title="Head of Developer Marketing",
            tz="Europe/Berlin",
            tz_offset=3600,
            is_admin=True,
        ),
        make_user(
            "U0SME1",
            "sam",
            "Sam Expert",
            title="Staff Engineer, Kubernetes",
            tz="America/New_York",
            tz_offset=-18000,
        ),
        make_user("U0SME2", "ada", "Ada Byron", title="Principal Database Engineer"),
    ]
    return {u["id"]: u for u in users}


def _call_text(call: Call) -> list[str]:
    if call.method not in SENDING_METHODS:
        return []
    return [text for key in TEXT_ARGS for text in text_leaves(call.args.get(key))]


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _ts_key(ts: Any) -> int:
    """A message ts ("1700000000.000100") as integer microseconds; floats lose digits."""
    sec, _, frac = str(ts or "0").partition(".")
    try:
        return int(sec or 0) * 1_000_000 + int((frac + "000000")[:6])
    except ValueError:
        return 0


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # left as sent; the method handler refuses it
    return args


def parse_body(raw: bytes, content_type: str, query: str = "") -> dict[str, Any]:
    """Decode a request body (JSON, form or multipart) and query string into arguments."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json" or (not mime and raw.lstrip()[:1] == b"{"):
        decoded = json.loads(raw or b"{}")
        args.update(decoded if isinstance(decoded, dict) else {"_json": decoded})
    elif mime == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
        for part in msg.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is None:
                payload = payload.decode("utf-8")
            args[name] = payload
    else:
        args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return _decode_json_fields(args)


class FakeSlack:
    """A fake Slack Web API server on 127.0.0.1, running in a daemon thread until `close()`.

    Attributes tests may set before the calls they affect: `tokens` (None: any xoxb-/xoxp-
    token), `scopes` (the bot token's scopes; manifest.yml's by default),
    `channels` (known channel IDs), `not_in_channel`, `channel_names` (id -> name),
    `strict_channels` (refuse IDs not in `channels`), `users`, `members` (channel -> user IDs),
    `expired_trigger_ids`, `socket_mode` and `app_tokens` (apps.connections.open). Slack
    state it keeps: `messages` (channel -> messages, oldest first), `views`, `home_views`
    (user -> view), `files`, `uploads` (file ID -> bytes).
    """

    def __init__(
        self,
        *,
        strict_channels: bool = False,
        tokens: set[str] | None = None,
        channels: set[str] | None = None,
    ) -> None:
        self.strict_channels = strict_channels
        self.tokens = tokens
        self.scopes: list[str] = manifest_scopes()
        self.channels: set[str] = set(channels or ())
        self.not_in_channel: set[str] = set()
        self.channel_names: dict[str, str] = {}
        # conversations.list: private channels (listed only where the bot is a member)
        # and archived ones (left out with exclude_archived).
        self.private_channels: set[str] = set()
        self.archived_channels: set[str] = set()
        self.users = default_users()
        self.members: dict[str, list[str]] = {}
        self.expired_trigger_ids: set[str] = set()
        # The install auth.test describes: set `enterprise_id` (and `enterprise_install` for
        # an org-wide install) for an Enterprise Grid.
        self.enterprise_id: str | None = None
        self.enterprise_install = False
        # Socket Mode: apps.connections.open answers with this endpoint's URL (a
        # tests/fakesocket.FakeSocketMode) for an app token in `app_tokens`.
        self.socket_mode: Any = None
        self.app_tokens: set[str] = {"xapp-1-A0HARK-1-test"}
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._closing = threading.Event()
        self._reset_state()
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "api.test": lambda args: {"args": args},
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "conversations.list": self._conversations_list,
            "conversations.members": self._conversations_members,
            "conversations.join": self._conversations_join,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "apps.connections.open": lambda args: {},  # refused in _dispatch
        }
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # close() waits up to one interval
            name="fakeslack",
            daemon=True,
        )
        self._thread.start()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The Web API base URL in slack_sdk's format: `http://127.0.0.1:PORT/api/`."""
        return f"{self.origin}/api/"

    def response_url(self, response_id: str = "r1") -> str:
        """A response_url on this server; posts to it are recorded as "response" calls."""
        return f"{self.origin}/response/{response_id}"

    def environ(self, token: str = "xoxb-test", signing_secret: str = "") -> dict[str, str]:
        """Environment variables that point Hark at this fake (for `monkeypatch.setenv`)."""
        env = {"SLACK_API_URL": self.url, "SLACK_BOT_TOKEN": token}
        if signing_secret:
            env["SLACK_SIGNING_SECRET"] = signing_secret
        return env

    def close(self) -> None:
        """Stop serving; wakes delayed answers so this returns promptly. Idempotent."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what was received -----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls in the order answered, all or only those of `method`."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def last(self, method: str) -> Call:
        """The latest call of `method`; AssertionError naming what was called if none."""
        found = self.calls(method)
        if not found:
            seen = ", ".join(dict.fromkeys(c.method for c in self.calls())) or "nothing"
            raise AssertionError(f"No {method} call recorded; the fake received: {seen}")
        return found[-1]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Block until `count` calls of `method` were recorded; return them all."""
        with self._lock:
            done = self._lock.wait_for(
                lambda: sum(c.method == method for c in self._calls) >= count, timeout
            )
            found = [c for c in self._calls if c.method == method]
        if not done:
            raise AssertionError(
                f"Waited {timeout}s for {count} {method} call(s); got {len(found)}"
            )
        return found

    def sent_text(self) -> list[str]:
        """Every piece of text Hark sent: top-level text, text in blocks, views, metadata."""
        return [text for call in self.calls() for text in _call_text(call)]

    def mentions(self, strict: bool = False) -> list[str]:
        """Every mention (see `find_mentions`) in everything Hark sent; [] is the goal.

        Raw `@here` counts in calls sent with `link_names` or `parse=full`, where it pings.
        """
        return [
            mention
            for call in self.calls()
            for text in _call_text(call)
            for mention in find_mentions(
                text,
                strict or _flag(call.args.get("link_names")) or call.args.get("parse") == "full",
            )
        ]

    def reset(self) -> None:
        """Forget calls, scripted failures and delays, and Slack state (messages, views,
        files); keep the configuration (tokens, channels, users)."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._delays.clear()
            self._reset_state()

    def _reset_state(self) -> None:
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self._used_trigger_ids: set[str] = set()
        self._last_ts_us = 0
        self._ids = itertools.count(1)

    # -- scripting -------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int | None = None,
        *,
        error: str | None = None,
        retry_after: int | None = 1,
        times: int | None = 1,
    ) -> None:
        """Answer the next `times` calls of `method` ("*": any method) with a failure.

        `status=429` answers HTTP 429 with `Retry-After: retry_after`; `status=500` (or any
        code) answers that status; `error="..."` alone answers HTTP 200 `{"ok": false,
        "error": ...}`. `times=None` fails until `clear_failures()`. Failures queue in order.
        """
        if status is None and error is None:
            raise ValueError("fail() needs a status, an error or both")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for 'until clear_failures()'")
        status = status or 200
        if error is None:
            error = "ratelimited" if status == 429 else "internal_error"
        with self._lock:
            failure = _Failure(status, error, retry_after if status == 429 else None, times)
            self._failures.setdefault(method, deque()).append(failure)

    def clear_failures(self) -> None:
        """Drop every scripted failure."""
        with self._lock:
            self._failures.clear()

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of `method` ("*": any) `seconds` late; 0 removes the delay."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def seed_message(
        self,
        channel: str,
        text: str = "",
        *,
        user: str = "U0SME1",
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """Store a message posted by someone (not the bot) and return its ts."""
        with self._lock:
            self.channels.add(channel)
            ts = self._next_ts()
            message: dict[str, Any] = {"type": "message", "user": user, "text": text}
            message.update(ts=ts, team=TEAM_ID)
            for key, value in (
                ("blocks", blocks),
                ("metadata", metadata),
                ("thread_ts", thread_ts),
            ):
                if value is not None:
                    message[key] = value
            self.messages.setdefault(channel, []).append(message)
            return ts

    # -- request handling (called by _Handler threads) -------------------------------------

    def _take_failure(self, method: str) -> _Failure | None:
        for key in (method, "*"):
            queue = self._failures.get(key)
            if queue:
                failure = queue[0]
                if failure.remaining is not None:
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        queue.popleft()
                return failure
        return None

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def answer_api(
        self, method: str, args: dict[str, Any], headers: dict[str, str], path: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Answer one Web API call: (HTTP status, JSON body, extra headers); records it."""
        received = time.time()
        with self._lock:
            delay = self._delays.get(method, self._delays.get("*", 0.0))
        if delay:
            self._closing.wait(delay)
        extra: dict[str, str] = {}
        with self._lock:
            failure = self._take_failure(method)
            if failure is not None:
                status, body = failure.status, {"ok": False, "error": failure.error}
                if failure.retry_after is not None:
                    extra["Retry-After"] = str(failure.retry_after)
            else:
                try:
                    status, body = 200, self._dispatch(method, args, headers)
                    if body.get("ok") or body.get("error") == "missing_scope":
                        extra["x-oauth-scopes"] = ",".join(self.scopes)
                        extra["x-accepted-oauth-scopes"] = ",".join(METHOD_SCOPES.get(method, ()))
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    # Arguments the fake cannot read (or a bug in it): say so, do not hang up.
                    status, body = 500, {"ok": False, "error": "fake_slack_crashed"}
                    body["detail"] = f"{type(exc).__name__}: {exc}"
            self._record(Call(method, args, headers, received, status, body, path))
        return status, body, extra

    def _dispatch(
        self, method: str, args: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        auth = headers.get("authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else args.get("token")
        if not token:
            return {"ok": False, "error": "not_authed"}
        if method == "apps.connections.open":
            # Only an app-level token opens a connection; Slack answers invalid_auth for an
            # xapp- token it does not know and not_allowed_token_type for a bot or user token.
            if not token.startswith("xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            if token not in self.app_tokens:
                return {"ok": False, "error": "invalid_auth"}
            if self.socket_mode is None:
                return {"ok": False, "error": "socket_mode_not_attached_to_fake_slack"}
            return {"ok": True, "url": self.socket_mode.issue_url()}
        if self.tokens is not None and token not in self.tokens:
            return {"ok": False, "error": "invalid_auth"}
        if self.tokens is None and not token.startswith(("xoxb-", "xoxp-")):
            return {"ok": False, "error": "invalid_auth"}
        accepted = METHOD_SCOPES.get(method, ())
        if accepted and not set(accepted) & set(self.scopes):
            return {
                "ok": False,
                "error": "missing_scope",
                "needed": accepted[0],
                "provided": ",".join(self.scopes),
            }
        try:
            return {"ok": True, **handler(args)}
        except SlackError as exc:
            return exc.body()

    def answer_upload(self, file_id: str, data: bytes, headers: dict[str, str], path: str) -> int:
        """Store bytes posted to an upload URL; 404 for a file ID never issued."""
        with self._lock:
            status = 200 if file_id in self.files else 404
            if status == 200:
                self.uploads[file_id] = data
            args = {"file_id": file_id, "length": len(data)}
            self._record(Call("upload", args, headers, time.time(), status, None, path))
        return status

    def answer_response_url(self, args: dict[str, Any], headers: dict[str, str], path: str) -> int:
        """Record a response_url post; refuse what chat.postMessage would refuse (HTTP 400)."""
        problems = validate_blocks(args["blocks"]) if "blocks" in args else []
        blocks = args.get("blocks")
        if not problems and blocks is not None and blocks_json_chars(blocks) > MSG_BLOCKS_MAX_CHARS:
            problems = ["msg_blocks_too_long"]
        text = args.get("text")
        if isinstance(text, str) and len(text) > MSG_TEXT_MAX_CHARS:
            problems = [*problems, "msg_too_long"]
        if not (args.get("text") or args.get("blocks") or _flag(args.get("delete_original"))):
            problems = [*problems, "no_text"]
        status = 400 if problems else 200
        self._record(Call("response", args, headers, time.time(), status, problems, path))
        return status

    def answer_not_found(self, args: dict[str, Any], headers: dict[str, str], path: str) -> None:
        """Record a request to a path the fake does not serve (the handler answers 404)."""
        self._record(Call("not_found", args, headers, time.time(), 404, None, path))

    # -- helpers for method handlers (run under the lock) ----------------------------------

    def _next_ts(self) -> str:
        self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08d}"

    def _channel(self, value: Any, *, member: bool = True, names: bool = False) -> str:
        """Resolve a channel ID or user ID (a DM); a #name (or bare name) only with ``names``.

        Real Slack takes a channel's name only on chat.postMessage and chat.postEphemeral;
        chat.update, conversations.history, chat.getPermalink, files.completeUploadExternal
        and the rest answer ``channel_not_found`` to anything but the ID.
        """
        channel = str(value or "")
        if not channel:
            raise SlackError("channel_not_found")
        if not CHANNEL_ID_RE.match(channel):
            if re.match(r"^[UW][A-Z0-9]+$", channel):
                channel = "D" + channel[1:]
                self.channels.add(channel)
            elif not names:
                raise SlackError("channel_not_found")
            else:
                names = {name: cid for cid, name in self.channel_names.items()}
                channel = names.get(channel.lstrip("#"), "")
                if not channel:
                    raise SlackError("channel_not_found")
        if channel not in self.channels:
            if self.strict_channels or not CHANNEL_ID_RE.match(channel):
                raise SlackError("channel_not_found")
            self.channels.add(channel)
        if member and channel in self.not_in_channel:
            raise SlackError("not_in_channel")
        return channel

    def _find(self, channel: str, ts: Any) -> dict[str, Any]:
        for message in self.messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    @staticmethod
    def _check_message(args: dict[str, Any], *, require_content: bool) -> None:
        text, blocks = args.get("text"), args.get("blocks")
        if require_content and not (text or blocks or args.get("attachments")):
            raise SlackError("no_text")
        if isinstance(text, str) and len(text) > MSG_TEXT_MAX_CHARS:
            raise SlackError("msg_too_long")
        if blocks is not None:
            problems = validate_blocks(blocks, "message")
            if problems:
                raise SlackError("invalid_blocks", problems)
            if blocks_json_chars(blocks) > MSG_BLOCKS_MAX_CHARS:
                raise SlackError("msg_blocks_too_long")
        metadata = args.get("metadata")
        if metadata is not None and not (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")

    def _channel_info(self, channel: str) -> dict[str, Any]:
        return {
            "id": channel,
            "name": self.channel_names.get(channel, channel.lower()),
            "is_channel": channel.startswith("C"),
            "is_private": channel.startswith("G"),
            "is_im": channel.startswith("D"),
            "is_archived": False,
            "is_member": channel not in self.not_in_channel,
            "created": 1_700_000_000,
            "context_team_id": TEAM_ID,
        }

    # -- Web API methods -------------------------------------------------------------------

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Hark Test",
            "user": "hark",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "enterprise_id": self.enterprise_id,
            "is_enterprise_install": self.enterprise_install,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), names=True)
        self._check_message(args, require_content=True)
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "text": args.get("text") or "",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key) is not None:
                message[key] = copy.deepcopy(args[key])
        if "thread_ts" in message and _flag(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        self.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._find(channel, args.get("ts"))
        if message.get("bot_id") != BOT_ID:
            raise SlackError("cant_update_message")
        self._check_message(args, require_content=False)
        for key in ("text", "blocks", "attachments", "metadata"):
            if args.get(key) is not None:
                message[key] = copy.deepcopy(args[key])
        if message.get("blocks") == []:
            del message["blocks"]  # an empty array removes the blocks
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": copy.deepcopy(message),
        }

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), names=True)
        members = self.members.get(channel)
        if not args.get("user") or (members is not None and args["user"] not in members):
            raise SlackError("user_not_in_channel")  # Slack shows it only to members
        self._check_message(args, require_content=True)
        return {"message_ts": self._next_ts()}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._find(channel, args.get("ts"))
        if message.get("bot_id") != BOT_ID:
            raise SlackError("cant_delete_message")
        self.messages[channel].remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), member=False)
        ts = self._find(channel, args.get("message_ts"))["ts"]
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _history_page(self, messages: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
        """Filter by oldest/latest, newest first, paginate by limit/cursor, hide metadata."""
        oldest = _ts_key(args.get("oldest"))
        latest = _ts_key(args.get("cursor") or args.get("latest")) or float("inf")
        inclusive = _flag(args.get("inclusive")) and not args.get("cursor")
        limit = max(1, min(int(args.get("limit") or 100), 999))
        chosen = [
            m
            for m in messages
            if (oldest <= _ts_key(m["ts"]) if inclusive else oldest < _ts_key(m["ts"]))
            and (_ts_key(m["ts"]) <= latest if inclusive else _ts_key(m["ts"]) < latest)
        ]
        chosen.sort(key=lambda m: _ts_key(m["ts"]), reverse=True)
        page, more = chosen[:limit], len(chosen) > limit
        out = [copy.deepcopy(m) for m in page]
        if not _flag(args.get("include_all_metadata")):
            for m in out:
                m.pop("metadata", None)
        return {
            "messages": out,
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": page[-1]["ts"] if more else ""},
        }

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        top = [
            m
            for m in self.messages.get(channel, [])
            if m.get("thread_ts", m["ts"]) == m["ts"] or m.get("subtype") == "thread_broadcast"
        ]
        return self._history_page(top, args)

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        parent = self._find(channel, args.get("ts"))
        thread = [
            m for m in self.messages[channel] if m is parent or m.get("thread_ts") == parent["ts"]
        ]
        page = self._history_page(thread, {**args, "oldest": None, "inclusive": True})
        page["messages"].reverse()  # replies come oldest first, the parent leading
        return page

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self._channel_info(self._channel(args.get("channel"), member=False))}

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Channels of the requested ``types`` (default public_channel), by ID, paged with
        ``limit`` (at most 1000) and ``cursor``; private ones only where the bot is a member."""
        types = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}
        unknown = types - {"public_channel", "private_channel", "mpim", "im"}
        if unknown:
            raise SlackError("invalid_types")
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        known = sorted(c for c in self.channels | set(self.channel_names) if c[:1] in ("C", "G"))
        chosen = []
        for channel in known:
            private = channel in self.private_channels or channel.startswith("G")
            if ("private_channel" if private else "public_channel") not in types:
                continue
            if private and channel in self.not_in_channel:
                continue  # the bot sees a private channel only from inside it
            if _flag(args.get("exclude_archived")) and channel in self.archived_channels:
                continue
            info = self._channel_info(channel)
            info.update(is_private=private, is_archived=channel in self.archived_channels)
            chosen.append(info)
        start = int(args.get("cursor") or 0)
        page = chosen[start : start + limit]
        more = start + limit < len(chosen)
        return {
            "channels": page,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), member=False)
        members = self.members.get(channel, list(self.users))
        return {"members": list(members), "response_metadata": {"next_cursor": ""}}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), member=False)
        self.not_in_channel.discard(channel)
        return {"channel": self._channel_info(channel)}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": copy.deepcopy(user)}

    def _view_arg(self, args: dict[str, Any], surface: str) -> dict[str, Any]:
        view = args.get("view")
        problems = validate_view(view, surface)
        if problems:
            raise SlackError("invalid_arguments", problems)
        return view  # type: ignore[return-value]

    def _store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or self._new_id("V")
        stored = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view["type"],
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ids):08x}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        for key in ("title", "submit", "close"):
            if key in view:
                stored[key] = copy.deepcopy(view[key])
        self.views[view_id] = stored
        return copy.deepcopy(stored)

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger_id = args.get("trigger_id")
        if not trigger_id:
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if trigger_id in self.expired_trigger_ids:
            raise SlackError("expired_trigger_id")
        if trigger_id in self._used_trigger_ids:
            raise SlackError("exchanged_trigger_id")
        view = self._view_arg(args, "modal")
        self._used_trigger_ids.add(trigger_id)
        return {"view": self._store_view(view)}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            by_external = {v["external_id"]: k for k, v in self.views.items() if v["external_id"]}
            view_id = by_external.get(args["external_id"])
        if not view_id or view_id not in self.views:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != self.views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        view = self._view_arg(args, self.views[view_id]["type"])
        return {"view": self._store_view(view, view_id)}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user_id")
        if not user_id:
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: user_id"])
        view = self._store_view(self._view_arg(args, "home"))
        self.home_views[user_id] = view
        return {"view": view}

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            raise SlackError("invalid_arguments")
        file_id = self._new_id("F")
        self.files[file_id] = {"id": file_id, "name": args["filename"], "size": int(args["length"])}
        return {"upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments")
        channel = self._channel(args["channel_id"]) if args.get("channel_id") else None
        done = []
        for entry in entries:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            if file_id not in self.uploads:  # never issued, or its bytes never arrived
                raise SlackError("file_not_found")
            info = self.files[file_id]
            info.update(title=entry.get("title") or info["name"], size=len(self.uploads[file_id]))
            info["channels"] = [channel] if channel else []
            done.append(copy.deepcopy(info))
        return {"files": done}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 makes a burst of concurrent clients wait out a 1 s SYN retry.
    request_queue_size = 128
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    """Routes /api/<method>, /upload/<file_id> and /response/<id> to the FakeSlack."""

    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""

    def do_GET(self) -> None:
        """Answer GET /api/<method>?args."""
        self._route(b"")

    def do_POST(self) -> None:
        """Answer POST with a JSON, form or multipart body."""
        length = int(self.headers.get("Content-Length") or 0)
        self._route(self.rfile.read(length) if length else b"")

    def _route(self, raw: bytes) -> None:
        fake = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        path = posixpath.normpath(parts.path)  # tolerate ".../api/../response/x"
        headers = {k.lower(): v for k, v in self.headers.items()}
        prefix, _, name = path.lstrip("/").partition("/")
        if prefix == "upload" and self.command == "POST":
            status = fake.answer_upload(name, raw, headers, path)
            self._send(status, f"OK - {len(raw)}" if status == 200 else "Not Found", "text/plain")
            return
        try:
            args = parse_body(raw, headers.get("content-type", ""), parts.query)
        except (ValueError, UnicodeDecodeError):
            self._send(400, json.dumps({"ok": False, "error": "invalid_form_data"}))
            return
        if prefix == "api" and name:
            status, body, extra = fake.answer_api(name, args, headers, path)
            self._send(status, json.dumps(body), extra=extra)
        elif prefix == "response" and self.command == "POST":
            status = fake.answer_response_url(args, headers, path)
            self._send(status, "ok" if status == 200 else "invalid_blocks", "text/plain")
        else:
            fake.answer_not_found(args, headers, path)
            self._send(404, json.dumps({"ok": False, "error": "not_found"}))

    def _send(
        self,
        status: int,
        text: str,
        content_type: str = "application/json; charset=utf-8",
        extra: dict[str, str] | None = None,
    ) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running FakeSlack, closed after the test (conftest: `from fakeslack import fake_slack`)."""
    with FakeSlack() as fake:
        yield fake


__all__ = [
    "MSG_BLOCKS_MAX_CHARS",
    "Call",
    "FakeSlack",
    "SlackError",
    "blocks_json_chars",
    "fake_slack",
    "find_mentions",
    "make_user",
    "parse_body",
    "text_leaves",
    "validate_blocks",
    "validate_view",
]
