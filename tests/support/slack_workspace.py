"""Slack's state and its Web API methods, without HTTP: what the fake Slack knows and answers.

`SlackWorkspace` holds the channels, messages, views, files and users of one team and answers
Web API methods the way Slack does, refusals included (unknown channels, bad tokens, missing
scopes, Block Kit past Slack's limits, reused trigger IDs). `FakeSlack` (fakeslack.py) serves
it over HTTP and records what it was asked.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.support.blockkit import (
    MSG_BLOCKS_MAX_CHARS,
    MSG_TEXT_MAX_CHARS,
    blocks_json_chars,
    validate_blocks,
    validate_view,
)
from tests.support.slack_team import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    METHOD_SCOPES,
    TEAM_DOMAIN,
    TEAM_ID,
    default_users,
    manifest_scopes,
)

CHANNEL_ID_RE = re.compile(r"^[CDG][A-Z0-9]+$")


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


def truthy(value: Any) -> bool:
    """Whether a Slack boolean argument is set (true, 1, "1" or "true", as clients send it)."""
    return value in (True, 1, "1", "true", "True")


def _ts_key(ts: Any) -> int:
    """A message ts ("1700000000.000100") as integer microseconds; floats lose digits."""
    sec, _, frac = str(ts or "0").partition(".")
    try:
        return int(sec or 0) * 1_000_000 + int((frac + "000000")[:6])
    except ValueError:
        return 0


class SlackWorkspace:
    """One Slack team's state and its Web API methods; `answer_method` is the way in.

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
        # tests/support/fakesocket.FakeSocketMode) for an app token in `app_tokens`.
        self.socket_mode: Any = None
        self.app_tokens: set[str] = {"xapp-1-A0HARK-1-test"}
        # files.getUploadURLExternal answers URLs under this prefix (set by the server).
        self.upload_url_prefix = "/upload/"
        # Guards every piece of state: method handlers run under it.
        self._lock = threading.Condition()
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
            "apps.connections.open": lambda args: {},  # answered in answer_method
        }

    def _reset_state(self) -> None:
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self._used_trigger_ids: set[str] = set()
        self._last_ts_us = 0
        self._ids = itertools.count(1)

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

    def answer_method(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        """Slack's JSON answer to one Web API call with `token`; call it holding `_lock`."""
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
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
        if "thread_ts" in message and truthy(args.get("reply_broadcast")):
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
        inclusive = truthy(args.get("inclusive")) and not args.get("cursor")
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
        if not truthy(args.get("include_all_metadata")):
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
            if truthy(args.get("exclude_archived")) and channel in self.archived_channels:
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
        return {"upload_url": f"{self.upload_url_prefix}{file_id}", "file_id": file_id}

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
