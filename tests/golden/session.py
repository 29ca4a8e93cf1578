"""Every surface a person sees, produced by the real code from fixed data.

A scripted session drives Hark through the fake Slack with signed requests (commands,
clicks, modal submissions, the App Home, periodic jobs) on a fixed clock; each step records
what Slack was asked to show: messages, ephemeral answers, card updates, modals, the Home,
direct messages. The doctor's output is recorded as it prints. ``surfaces()`` returns
``{name: [recorded messages]}`` for tests/golden/test_golden.py to compare with the files.
"""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support import slackreq
from tests.support.digest_world import build_world
from tests.support.harness import SECRET, Harness, run_periodic, seed_conversation
from tests.support.registration_form import VALID, open_register, submit_form

T = datetime(2026, 11, 30, 9, 0, tzinfo=UTC).timestamp()  # a Monday, 09:00 UTC
ADMIN = "U0MARKETER"
SHOWN_METHODS = (
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "views.open",
    "views.update",
    "views.push",
    "views.publish",
    "response",
)

CONFIG = """
company: {name: Acme, terms: [Acme, "Acme Cloud"]}
competitors: {Globex: [Globex]}
topics:
  - {name: kubernetes, query: '(kubernetes OR k8s) -hiring', channel: C0K8S, sla: 60m}
  - {name: observability, query: 'observab* OR opentelemetry', channel: C0OBS}
admins: [U0MARKETER]
digest: {channel: C0MKTG, schedule: "mon 09:00"}
network: {allow_hosts: [127.0.0.1]}
"""


class Recorder:
    """Runs named steps and keeps, for each, what Slack was asked to show."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.surfaces: dict[str, list[dict[str, Any]]] = {}

    def step(self, name: str, action: Callable[[], Any]) -> None:
        assert name not in self.surfaces, name
        before = len(self.h.fake.calls())
        result = action()
        shown = [
            {"method": c.method, "args": _shown_args(c.method, c.args)}
            for c in self.h.fake.calls()[before:]
            if c.method in SHOWN_METHODS
        ]
        body = getattr(result, "body", "")
        if body and body.lstrip().startswith("{"):  # a modal's answer: errors, update
            shown.append({"method": "view_submission response", "args": json.loads(body)})
        elif isinstance(result, str):  # printed output (the doctor)
            shown.append({"method": "printed", "args": {"text": result}})
        self.surfaces[name] = shown


def _shown_args(method: str, args: dict[str, Any]) -> dict[str, Any]:
    keep = ("channel", "user", "user_id", "text", "blocks", "view", "thread_ts", "replace_original",
            "response_type")  # fmt: skip
    out = {k: args[k] for k in keep if k in args}
    for key in ("blocks", "view"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    if isinstance(out.get("view"), dict):  # Slack's ids, not Hark's wording
        out["view"] = {k: v for k, v in out["view"].items() if k not in ("id", "hash")}
    return out


def _at(h: Harness, when: float) -> None:
    h.store.clock = lambda: when


def _choose(h: Harness, conversation_id: int, choice: str, user: str) -> Any:
    row = h.store.conversation(conversation_id)
    action = slackreq.admin_menu_choice(conversation_id, choice)
    request = slackreq.block_action(
        SECRET, "conversation_admin", action=action, user_id=user, channel_id=row.channel,
        message_ts=row.ts, trigger_id="trigger-1",
    )  # fmt: skip
    return h.dispatch(request)


def _meta(h: Harness, cid: int) -> dict[str, Any]:
    return {"conversation_id": cid, "channel": h.store.conversation(cid).channel}


def _reply(h: Harness, cid: int, url: str, user: str = "U0SME1") -> Any:
    values = slackreq.text_inputs({"reply_url": {"value": url}, "draft": {"value": ""}})
    return h.submit("reply_submit", values, user_id=user, metadata=_meta(h, cid))


def _ignore(
    h: Harness, cid: int, reason: str, user: str, words: str | None = None, mute: tuple = ()
) -> Any:
    values = {
        "reason": {"value": {"type": "radio_buttons", "selected_option": {"value": reason}}},
        "mute": {"value": {"type": "checkboxes", "selected_options": [{"value": m} for m in mute]}},
        "other_reason": {"value": {"type": "plain_text_input", "value": words}},
    }
    return h.submit("ignore_submit", values, user_id=user, metadata=_meta(h, cid))


def conversation_session(h: Harness) -> dict[str, list[dict[str, Any]]]:
    """Cards in every state, their modals and refusals, the App Home, the reminders."""
    r = Recorder(h)
    _at(h, T)
    h.store.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {"x": "@sam_k8s"})
    c1 = 0

    def seed() -> None:
        nonlocal c1
        c1 = seed_conversation(
            h, author="kube_fan", text="My kubernetes pod restarts & <b>why</b>?"
        )

    r.step("card_new", seed)
    r.step("card_claimed", lambda: h.click("claim", c1, user_id="U0SME1"))
    r.step("claim_refused_claimed_by_someone_else", lambda: h.click("claim", c1, user_id="U0SME2"))
    r.step("claim_refused_already_yours", lambda: h.click("claim", c1, user_id="U0SME1"))
    r.step("home_with_a_claimed_conversation", lambda: h.dispatch(
        slackreq.event_callback(SECRET, slackreq.app_home_opened("U0SME1"))))  # fmt: skip
    r.step("modal_reply", lambda: h.click("reply", c1, user_id="U0SME1"))
    r.step("reply_refused_bad_link", lambda: _reply(h, c1, "not a link"))
    _at(h, T + 1800)
    r.step("card_replied", lambda: _reply(h, c1, "https://forum.example.com/t/1#reply-7"))
    r.step("reply_refused_already_replied", lambda: h.click("reply", c1, user_id="U0SME2"))
    r.step("history", lambda: _choose(h, c1, "history", "U0SME2"))

    c2 = seed_conversation(
        h, link="https://forum.example.com/t/2", title="k8s ingress returns 502 after upgrade"
    )
    r.step("modal_ignore", lambda: h.click("ignore", c2, user_id="U0SME2"))
    r.step("card_ignored", lambda: _ignore(h, c2, "off_topic", "U0SME2"))
    r.step("card_ignore_undone", lambda: h.click("undo_ignore", c2, user_id="U0SME2"))
    r.step("undo_pressed_twice", lambda: h.click("undo_ignore", c2, user_id="U0SME2"))
    r.step("card_ignored_other_reason", lambda: _ignore(h, c2, "other", "U0SME2", "a duplicate"))
    r.step("card_reopened", lambda: _choose(h, c2, "reopen", ADMIN))
    r.step("reopen_refused_for_non_admins", lambda: _choose(h, c2, "reopen", "U0SME2"))

    c5 = seed_conversation(
        h, link="https://spam.example/t/5", title="Cheap k8s hosting!!!", author="spam_bot"
    )
    r.step("modal_ignore_with_mutes", lambda: h.click("ignore", c5, user_id="U0SME2"))
    r.step("card_ignored_mute_proposed", lambda: _ignore(
        h, c5, "spam", "U0SME2", mute=("author", "site")))  # fmt: skip
    card = h.store.conversation(c5)

    def confirm(kind: str, user: str) -> Any:
        return h.dispatch(slackreq.block_action(
            SECRET, f"confirm_mute_{kind}", f"{kind}:{c5}", user_id=user,
            channel_id=card.channel, message_ts=card.ts,
        ))  # fmt: skip

    r.step("mute_confirm_refused_for_non_admins", lambda: confirm("author", "U0SME2"))
    r.step("mute_confirmed_by_an_admin", lambda: confirm("author", ADMIN))

    c3 = seed_conversation(
        h, link="https://forum.example.com/t/3", title="Is Acme Cloud's k8s autoscaler any good?"
    )
    h.click("claim", c3, user_id="U0SME1")
    r.step("modal_reassign", lambda: _choose(h, c3, "reassign", ADMIN))
    users = {"new_owner": {"value": {"type": "users_select", "selected_user": "U0SME3"}}}
    r.step("card_reassigned_and_dms", lambda: h.submit(
        "reassign_submit", users, user_id=ADMIN, metadata=_meta(h, c3)))  # fmt: skip
    bot = {"new_owner": {"value": {"type": "users_select", "selected_user": "U0HARKBOT"}}}
    r.step("reassign_refused_to_the_bot", lambda: h.submit(
        "reassign_submit", bot, user_id=ADMIN, metadata=_meta(h, c3)))  # fmt: skip
    r.step("card_released", lambda: h.click("release", c3, user_id="U0SME3"))

    c4 = seed_conversation(
        h, link="https://forum.example.com/t/4", title="Our kubernetes upgrade broke DNS"
    )
    _at(h, T + 2 * 3600)
    r.step("reminders_unclaimed", lambda: run_periodic(h, "Reminders"))
    _at(h, T + 6 * 3600)
    r.step("reminders_escalated", lambda: run_periodic(h, "Reminders"))
    h.click("claim", c4, user_id="U0SME1")
    _at(h, T + 2 * 86400)
    r.step("reminders_owner_nudged", lambda: run_periodic(h, "Reminders"))
    r.step("home_after_a_day", lambda: h.dispatch(
        slackreq.event_callback(SECRET, slackreq.app_home_opened("U0SME1"))))  # fmt: skip
    r.step("home_not_registered", lambda: h.dispatch(
        slackreq.event_callback(SECRET, slackreq.app_home_opened("U0NEW"))))  # fmt: skip
    return r.surfaces


def command_session(h: Harness) -> dict[str, list[dict[str, Any]]]:
    """Every command's answers and errors, the /register modal, admins' direct messages."""
    r = Recorder(h)
    _at(h, T - 3 * 3600)
    seed_conversation(h, author="kube_fan", text="My kubernetes pod restarts after an upgrade.")
    seed_conversation(
        h, link="https://forum.example.com/t/2", title="k8s ingress returns 502 after upgrade"
    )
    _at(h, T)

    def cmd(name: str, command: str, text: str = "", user: str = "U0SME1") -> None:
        r.step(name, lambda: h.command(command, text, user_id=user))

    cmd("register_help", "/register", "help")
    r.step("modal_register", lambda: open_register(h))
    bad = {**VALID, "x": "not a handle!!", "mastodon": "nope", "blog": "sam.dev"}
    r.step("register_refused_wrong_handles", lambda: submit_form(h, bad))
    r.step("register_saved", lambda: submit_form(h, VALID))
    cmd("register_show", "/register", "show")
    cmd("who_covers", "/who-covers", "kubernetes")
    share = json.loads(json.dumps(r.surfaces["who_covers"]))[0]["args"]["blocks"]
    button = next(
        e for b in share if b["type"] == "actions" for e in b["elements"]
    )  # the Share button
    r.step("who_covers_shared", lambda: h.dispatch(slackreq.block_action(
        SECRET, button["action_id"], button["value"], user_id="U0SME1", channel_id="C0K8S",
        ephemeral=True, response_url=h.fake.response_url("share-U0SME1"),
    )))  # fmt: skip
    cmd("who_covers_typo", "/who-covers", "kuberntes")
    cmd("who_covers_nothing", "/who-covers", "")
    cmd("who_covers_nobody", "/who-covers", "observability")
    cmd("digest_bad_period", "/digest", "fortnight")
    cmd("digest_no_such_topic", "/digest", "7d nosuch")
    cmd("hark_help", "/hark", "help")
    cmd("hark_unknown", "/hark", "frobnicate")
    cmd("hark_topics", "/hark", "topics")
    cmd("hark_topics_add", "/hark", "topics add databases <#C0DB|db> postgres OR pgbouncer", ADMIN)
    cmd("hark_topics_add_bad_query", "/hark", 'topics add db2 <#C0DB|db> "postgres', ADMIN)
    cmd("hark_topics_add_refused", "/hark", "topics add db3 <#C0DB|db> postgres", "U0SME1")
    cmd("hark_topics_edit_typo", "/hark", "topics edit kuberntes k8s", ADMIN)
    cmd("hark_topics_edit", "/hark", "topics edit databases postgres OR pgbouncer OR vacuum", ADMIN)
    cmd("hark_topics_remove", "/hark", "topics remove databases", ADMIN)
    cmd("hark_sources_empty", "/hark", "sources")
    cmd("hark_sources_add_bad", "/hark", "sources add gopher://x", ADMIN)
    cmd("hark_mutes_empty", "/hark", "mutes")
    cmd("hark_mutes_add_unknown_kind", "/hark", "mutes add color blue", ADMIN)
    cmd("hark_mutes_add_author", "/hark", "mutes add author @SpamBot", ADMIN)
    cmd("hark_mutes_add_site", "/hark", "mutes add site ads.example", ADMIN)
    cmd("hark_mutes", "/hark", "mutes")
    cmd("hark_mutes_remove", "/hark", "mutes remove site ads.example", ADMIN)
    cmd("hark_test_bad_query", "/hark", 'test "k8s', ADMIN)
    cmd("hark_test", "/hark", "test k8s", ADMIN)
    cmd("hark_test_no_match", "/hark", "test zookeeper", ADMIN)
    cmd("hark_search", "/hark", "search kubernetes", ADMIN)
    cmd("hark_search_nothing", "/hark", "search zookeeper", ADMIN)
    cmd("hark_status", "/hark", "status", ADMIN)
    cmd("register_delete", "/register", "delete")
    r.step("register_erased", lambda: h.dispatch(slackreq.block_action(
        SECRET, "register_erase", "erase", user_id="U0SME1", channel_id="C0K8S", ephemeral=True,
        response_url=h.fake.response_url("erase-U0SME1"),
    )))  # fmt: skip
    random.seed(13)  # the backoff's jitter: the same "next check in" every run
    source = h.store.add_source(_spec("https://hnrss.org/newest?q=kubernetes"))
    row = h.store.record_poll_failure(
        source, "could not resolve host hnrss.org ([Errno -2] Name or service not known)"
    )
    r.step("hark_sources_failing", lambda: h.command("/hark", "sources", user_id=ADMIN))
    r.step("dm_source_down", lambda: h.services.notifier.source_down(row))
    n = str(source)
    cmd("hark_sources_pause", "/hark", f"sources pause {n}", ADMIN)
    cmd("hark_sources_resume", "/hark", f"sources resume {n}", ADMIN)
    cmd("hark_sources_remove", "/hark", f"sources remove {n}", ADMIN)
    cmd("hark_sources_remove_unknown", "/hark", "sources remove 99", ADMIN)
    cmd("hark_sources_refused", "/hark", "sources remove 1", "U0SME1")
    return r.surfaces


def digest_session(h: Harness) -> dict[str, list[dict[str, Any]]]:
    """The digest: asked for (ephemeral, with Post to channel), and the weekly one."""
    r = Recorder(h)
    build_world(h)
    r.step("digest_default", lambda: h.command("/digest", "", user_id="U0MARKETER"))
    r.step("digest_7d", lambda: h.command("/digest", "7d", user_id="U0MARKETER"))
    r.step("digest_7d_topic", lambda: h.command("/digest", "7d kubernetes", user_id="U0MARKETER"))
    r.step("digest_empty_period", lambda: h.command("/digest", "2025-01-01..2025-01-07"))
    answer = json.dumps(r.surfaces["digest_7d"])
    value = json.loads(answer)[0]["args"]["blocks"][-1]["elements"][0]["value"]

    def post(user: str) -> Any:
        return h.dispatch(slackreq.block_action(
            SECRET, "digest_post", value, user_id=user, channel_id="C0MKTG", ephemeral=True,
            response_url=h.fake.response_url(f"digest-{user}"),
        ))  # fmt: skip

    r.step("digest_posted_to_channel", lambda: post("U0MARKETER"))
    return r.surfaces


def doctor_session(h: Harness, fake: Any) -> dict[str, list[dict[str, Any]]]:
    from bot.ops.doctor import run_doctor

    r = Recorder(h)
    fake.not_in_channel.add("C0OBS")

    def doctor() -> str:
        out = io.StringIO()
        run_doctor(h.settings, out)
        return out.getvalue()

    r.step("doctor", doctor)
    return r.surfaces


def _spec(url: str) -> Any:
    from bot.models import SourceSpec

    return SourceSpec("feed", url, 600, "")


_TS = re.compile(r"\b1\d{9}\.\d{6}\b")
_PERMALINK_TS = re.compile(r"/p(1\d{15})\b")


def stable(surfaces: dict[str, list[dict[str, Any]]], tmp: Path, origin: str) -> str:
    """The recorded surfaces as JSON with what changes between runs made fixed: Slack's
    message timestamps (numbered in order of appearance), the fake's address, temp paths."""
    text = json.dumps(surfaces, indent=1, ensure_ascii=False, sort_keys=True)
    text = text.replace(str(tmp), "/tmp/golden").replace(origin, "https://slack.example")
    seen: dict[str, str] = {}

    def number(ts: str) -> str:
        return seen.setdefault(ts, f"1700000000.{len(seen) + 1:06d}")

    text = _TS.sub(lambda m: number(m.group(0)), text)
    return _PERMALINK_TS.sub(
        lambda m: "/p" + number(f"{m.group(1)[:10]}.{m.group(1)[10:]}").replace(".", ""), text
    )
