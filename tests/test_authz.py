"""Who may do what: every command, button, modal and event (bot/authz.py's ACTIONS) x every
role, driven by signed requests against the fake Slack, with the expected answer.

Roles: the conversation's owner, another SME, a workspace admin of the installing team
(not in the config), a config admin, an admin of another organisation (Slack Connect), an
owner of another workspace of an Enterprise Grid, and a guest.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.admin import commands as admin_commands
from bot.authz import ACTIONS, Actor
from bot.blocks.dialogs import SHARE_DRAFT
from bot.blocks.digest import POST_ACTION
from bot.blocks.who_covers import SHARE_ACTION
from tests.support import slackreq
from tests.support.harness import SECRET, Harness, seed_conversation
from tests.support.slack_team import GRID_TEAM_ID, OTHER_TEAM_ID, TEAM_ID, make_user, visiting_users

ROLES: dict[str, tuple[str, str]] = {  # role -> (user id, the team its requests come from)
    "owner": ("U0SME1", TEAM_ID),
    "sme": ("U0SME2", TEAM_ID),
    "admin": ("U0WSADMIN", TEAM_ID),
    "config_admin": ("U0MARKETER", TEAM_ID),
    "other_org_admin": ("U0OTHERADM", OTHER_TEAM_ID),
    "grid_admin": ("U0GRIDADM", GRID_TEAM_ID),
    "guest": ("U0GUEST", TEAM_ID),
}
EVERYONE = set(ROLES)
ADMINS = {"admin", "config_admin"}
OWNER_OR_ADMIN = {"owner"} | ADMINS
REFUSED = "Only Hark admins"
_links = itertools.count(1)


@pytest.fixture
def h(harness_factory) -> Harness:
    h = harness_factory()
    h.fake.users.update(visiting_users())
    wsadmin = make_user("U0WSADMIN", "wanda", "Wanda Admin", is_admin=True)
    h.fake.users[wsadmin["id"]] = wsadmin
    return h


# -- building requests as a role ----------------------------------------------------------


def _click(h: Harness, role: str, action_id: str, cid: int, *, action: dict | None = None) -> None:
    user, team = ROLES[role]
    row = h.store.conversation(cid)
    h.dispatch(
        slackreq.block_action(
            SECRET,
            action_id,
            str(cid),
            action=action,
            user_id=user,
            team_id=team,
            channel_id=row.channel,
            message_ts=row.ts or "1.0",
            response_url=h.fake.response_url(f"click-{user}"),
        )
    )


def _menu(h: Harness, role: str, choice: str, cid: int) -> None:
    action = slackreq.admin_menu_choice(cid, choice)
    _click(h, role, "conversation_admin", cid, action=action)


def _submit(h: Harness, role: str, callback: str, values: dict, meta: dict) -> Any:
    user, team = ROLES[role]
    request = slackreq.view_submission(
        SECRET, callback, values, user_id=user, team_id=team, private_metadata=json.dumps(meta)
    )
    return h.dispatch(request)


def _command(h: Harness, role: str, command: str, text: str) -> str:
    user, team = ROLES[role]
    request = slackreq.slash_command(
        SECRET,
        command,
        text,
        user_id=user,
        team_id=team,
        response_url=h.fake.response_url(f"{command.strip('/')}-{user}"),
    )
    before = len(h.fake.calls("response"))
    h.dispatch(request)
    answers = h.fake.calls("response")[before:]
    return json.dumps([a.args for a in answers])


def _conversation(h: Harness, state: str = "claimed") -> int:
    """A fresh conversation in #C0K8S: open, claimed by the owner, ignored or replied by them."""
    n = next(_links)
    cid = seed_conversation(
        h,
        link=f"https://forum.example.com/t/{n}",
        title=f"k8s question {n}",
        text=f"My kubernetes pod {n} restarts.",
    )
    if state != "new":
        _click(h, "owner", "claim", cid)
    if state == "ignored":
        _submit(h, "owner", "ignore_submit", _ignore_values(), _meta(h, cid))
    if state == "replied":
        _submit(h, "owner", "reply_submit", _reply_values(), _meta(h, cid))
    assert h.store.conversation(cid).state == state
    return cid


def _meta(h: Harness, cid: int) -> dict:
    return {"conversation_id": cid, "channel": h.store.conversation(cid).channel}


def _reply_values(url: str = "https://forum.example.com/reply") -> dict:
    return slackreq.text_inputs({"reply_url": {"value": url}, "draft": {"value": "my draft"}})


def _ignore_values() -> dict:
    return {"reason": {"value": {"type": "radio_buttons", "selected_option": {"value": "spam"}}}}


def _views_opened(h: Harness) -> int:
    return len(h.fake.calls("views.open"))


# -- one probe per action: do it as a role, say whether it was allowed -----------------------


def claim(h: Harness, role: str) -> bool:
    cid = _conversation(h, "new")
    _click(h, role, "claim", cid)
    return h.store.conversation(cid).owner == ROLES[role][0]


def release(h: Harness, role: str) -> bool:
    cid = _conversation(h)
    _click(h, role, "release", cid)
    return h.store.conversation(cid).state == "new"


def reply_button(h: Harness, role: str) -> bool:
    cid, opened = _conversation(h), _views_opened(h)
    _click(h, role, "reply", cid)
    return _views_opened(h) > opened


def reply_modal(h: Harness, role: str) -> bool:
    cid = _conversation(h)
    _submit(h, role, "reply_submit", _reply_values(), _meta(h, cid))
    return h.store.conversation(cid).state == "replied"


def ignore_button(h: Harness, role: str) -> bool:
    cid, opened = _conversation(h), _views_opened(h)
    _click(h, role, "ignore", cid)
    return _views_opened(h) > opened


def ignore_modal(h: Harness, role: str) -> bool:
    cid = _conversation(h)
    _submit(h, role, "ignore_submit", _ignore_values(), _meta(h, cid))
    return h.store.conversation(cid).state == "ignored"


def share_draft(h: Harness, role: str) -> bool:
    cid = _conversation(h)
    row = h.store.conversation(cid)
    user, team = ROLES[role]
    view = {
        "id": "V0REPLY",
        "type": "modal",
        "callback_id": "reply_submit",
        "private_metadata": json.dumps(_meta(h, cid)),
        "state": {"values": slackreq.text_inputs({"draft": {"value": "Here is my draft"}})},
        "hash": "1.a",
    }
    h.fake.views["V0REPLY"] = {"type": "modal", "hash": "1.a", "external_id": ""}  # open
    before = [c for c in h.fake.calls("chat.postMessage") if c.args.get("thread_ts") == row.ts]
    h.dispatch(
        slackreq.block_action(SECRET, SHARE_DRAFT, str(cid), view=view, user_id=user, team_id=team)
    )
    after = [c for c in h.fake.calls("chat.postMessage") if c.args.get("thread_ts") == row.ts]
    return len(after) > len(before)


def undo_ignore(h: Harness, role: str) -> bool:
    cid = _conversation(h, "ignored")
    _click(h, role, "undo_ignore", cid)
    return h.store.conversation(cid).state == "claimed"


def history(h: Harness, role: str) -> bool:
    cid = _conversation(h)
    _menu(h, role, "history", cid)
    last = h.fake.last("chat.postEphemeral").args
    return last["user"] == ROLES[role][0] and "claimed" in last["text"]


def reopen(h: Harness, role: str) -> bool:
    cid = _conversation(h, "replied")
    _menu(h, role, "reopen", cid)
    return h.store.conversation(cid).state == "new"


def confirm_mute(h: Harness, role: str) -> bool:
    """The owner (an SME) ignores and proposes muting the site; ``role`` confirms."""
    cid = _conversation(h)
    mute = {"mute": {"value": {"type": "checkboxes", "selected_options": [{"value": "site"}]}}}
    _submit(h, "owner", "ignore_submit", {**_ignore_values(), **mute}, _meta(h, cid))
    button = {
        "type": "button",
        "action_id": "confirm_mute_site",
        "block_id": "mute_confirm",
        "value": f"site:{cid}",
        "action_ts": "1700000000.1",
    }
    _click(h, role, "confirm_mute_site", cid, action=button)
    return any(e.action == "mute" for e in h.store.engagements(cid))


def reassign_menu(h: Harness, role: str) -> bool:
    cid, opened = _conversation(h), _views_opened(h)
    _menu(h, role, "reassign", cid)
    return _views_opened(h) > opened


def reassign_modal(h: Harness, role: str) -> bool:
    cid = _conversation(h)
    values = {"new_owner": {"value": {"type": "users_select", "selected_user": "U0SME2"}}}
    _submit(h, role, "reassign_submit", values, _meta(h, cid))
    return h.store.conversation(cid).owner == "U0SME2"


def home(h: Harness, role: str) -> bool:
    user = ROLES[role][0]
    h.dispatch(slackreq.event_callback(SECRET, slackreq.app_home_opened(user)))
    return h.fake.last("views.publish").args["user_id"] == user


def register_modal(h: Harness, role: str) -> bool:
    user = ROLES[role][0]
    values = slackreq.text_inputs({"name": {"value": "Pat"}, "title": {"value": "Engineer"}})
    _submit(h, role, "register", values, {"name": "Pat"})
    return h.store.person(user) is not None


def who_covers_share(h: Harness, role: str) -> bool:
    user, team = ROLES[role]
    url = h.fake.response_url(f"share-{user}")
    h.dispatch(
        slackreq.block_action(
            SECRET, SHARE_ACTION, "kubernetes", user_id=user, team_id=team, response_url=url
        )
    )
    return any(c.args.get("response_type") == "in_channel" for c in h.fake.calls("response"))


def digest_post(h: Harness, role: str) -> bool:
    user, team = ROLES[role]
    now = h.store.now()
    value = json.dumps({"since": now - 7 * 86400, "until": now, "label": "last 7 days"})
    # Hark is not in the channel: the post is tried (what this probe looks for) and refused,
    # so no chart is drawn (matplotlib takes seconds).
    h.fake.not_in_channel.add("C0DIGEST")
    before = len(h.fake.calls("chat.postMessage"))
    url = h.fake.response_url(f"digest-{user}")
    h.dispatch(
        slackreq.block_action(
            SECRET,
            POST_ACTION,
            value,
            user_id=user,
            team_id=team,
            channel_id="C0DIGEST",
            response_url=url,
        )
    )
    return len(h.fake.calls("chat.postMessage")) > before


def _command_probe(command: str, text: str) -> Callable[[Harness, str], bool]:
    def probe(h: Harness, role: str) -> bool:
        h.store.add_mute("site", "spam.example", "U0MARKETER")  # for "mutes remove"
        answer = _command(h, role, command, text)
        assert answer != "[]", f"{command} {text} got no answer"
        return REFUSED not in answer

    return probe


def _source_probe(text: str) -> Callable[[Harness, str], bool]:
    def probe(h: Harness, role: str) -> bool:
        from bot.models import SourceSpec

        if h.store.source(1) is None:
            h.store.add_source(SourceSpec("feed", "https://127.0.0.1:9/feed.xml", 600, ""))
        answer = _command(h, role, "/hark", text)
        return REFUSED not in answer

    return probe


def sources_reveal(h: Harness, role: str) -> bool:
    from bot.models import SourceSpec

    url = "https://bob:s3cret@feeds.example.com/feed.xml?token=t0k3n"
    if h.store.source_by_target("feed", url) is None:
        h.store.add_source(SourceSpec("feed", url, 600, ""))
    answer = _command(h, role, "/hark", "sources")
    assert "feeds.example.com/feed.xml" in answer
    return "s3cret" in answer and "t0k3n" in answer


# action -> (probe, the roles allowed)
TABLE: dict[str, tuple[Callable[[Harness, str], bool], set[str]]] = {
    "register": (_command_probe("/register", "show"), EVERYONE),
    "who_covers": (_command_probe("/who-covers", "kubernetes"), EVERYONE),
    "digest": (_command_probe("/digest", "7d"), EVERYONE),
    "hark.help": (_command_probe("/hark", "help"), EVERYONE),
    "hark.topics": (_command_probe("/hark", "topics"), EVERYONE),
    "hark.topics.add": (_command_probe("/hark", "topics add newt C0K8S newt"), ADMINS),
    "hark.topics.edit": (_command_probe("/hark", "topics edit kubernetes k8s"), ADMINS),
    "hark.topics.remove": (_command_probe("/hark", "topics remove billing"), ADMINS),
    "hark.sources": (_source_probe("sources"), EVERYONE),
    "hark.sources.reveal": (sources_reveal, ADMINS),
    "hark.sources.add": (_source_probe("sources add feed https://127.0.0.1:9/other.xml"), ADMINS),
    "hark.sources.remove": (_source_probe("sources remove 1"), ADMINS),
    "hark.sources.pause": (_source_probe("sources pause 1"), ADMINS),
    "hark.sources.resume": (_source_probe("sources resume 1"), ADMINS),
    "hark.mutes": (_command_probe("/hark", "mutes"), EVERYONE),
    "hark.mutes.add": (_command_probe("/hark", "mutes add author troll"), ADMINS),
    "hark.mutes.remove": (_command_probe("/hark", "mutes remove site spam.example"), ADMINS),
    "hark.status": (_command_probe("/hark", "status"), EVERYONE),
    "hark.test": (_command_probe("/hark", "test kubernetes"), EVERYONE),
    "hark.search": (_command_probe("/hark", "search kubernetes"), EVERYONE),
    "who_covers.share": (who_covers_share, EVERYONE),
    "digest.post": (digest_post, EVERYONE),
    "conversation.claim": (claim, EVERYONE),
    "conversation.history": (history, EVERYONE),
    "conversation.reply": (reply_button, OWNER_OR_ADMIN),
    "conversation.reply/modal": (reply_modal, OWNER_OR_ADMIN),
    "conversation.ignore": (ignore_button, OWNER_OR_ADMIN),
    "conversation.ignore/modal": (ignore_modal, OWNER_OR_ADMIN),
    "conversation.share_draft": (share_draft, OWNER_OR_ADMIN),
    "conversation.release": (release, OWNER_OR_ADMIN),
    "conversation.undo_ignore": (undo_ignore, OWNER_OR_ADMIN),  # the owner ignored it
    "conversation.reopen": (reopen, ADMINS),
    "conversation.reassign": (reassign_menu, ADMINS),
    "conversation.confirm_mute": (confirm_mute, ADMINS),
    "conversation.reassign/modal": (reassign_modal, ADMINS),
    "register/modal": (register_modal, EVERYONE),
    "home.open": (home, EVERYONE),
}


def test_the_table_covers_every_action_and_subcommand():
    assert {name.partition("/")[0] for name in TABLE} == set(ACTIONS)
    for name in admin_commands.SUBCOMMANDS:
        assert f"hark.{name}" in ACTIONS, f"/hark {name} has no row in bot/authz.py's ACTIONS"


@pytest.mark.parametrize("action", sorted(TABLE))
def test_who_may_do_what(h, action):
    probe, allowed = TABLE[action]
    answers = {role: probe(h, role) for role in ROLES}
    assert answers == {role: role in allowed for role in ROLES}


# -- the admin check itself --------------------------------------------------------------


def test_an_admin_elsewhere_is_not_an_admin_here_whatever_the_request_says(h):
    authz = h.services.authz
    assert authz.is_admin(Actor("U0WSADMIN", TEAM_ID))
    # users.info says the other org's admin belongs to another team: a request claiming
    # the installing team does not change that.
    assert not authz.is_admin(Actor("U0OTHERADM", TEAM_ID))
    assert not authz.is_admin(Actor("U0GRIDADM", TEAM_ID, "E0GRID"))
    # A home admin acting from another workspace (the request's team) is not an admin here.
    assert not authz.is_admin(Actor("U0WSADMIN", GRID_TEAM_ID))
    assert not authz.is_admin(Actor("U0GUEST", TEAM_ID))
    assert len(h.fake.calls("auth.test")) == 1  # the install's team is learned once


def test_admin_checks_fail_closed_when_slack_cannot_say(h):
    h.fake.fail("auth.test", error="internal_error", times=None)
    authz = h.services.authz
    assert not authz.is_admin(Actor("U0WSADMIN", TEAM_ID))
    assert authz.is_admin(Actor("U0MARKETER", TEAM_ID))  # the config's admins still are
    h.fake.clear_failures()
    assert authz.is_admin(Actor("U0WSADMIN", TEAM_ID))


def test_one_admin_refusal_text_everywhere(h):
    topics = _command(h, "sme", "/hark", "topics add x C0K8S x")
    mutes = _command(h, "sme", "/hark", "mutes add site x.example")
    cid = _conversation(h)
    _menu(h, "sme", "reopen", cid)
    reopen_refusal = h.fake.last("chat.postEphemeral").args["text"]
    for text in (topics, mutes, reopen_refusal):
        assert "Only Hark admins (the config's `admins`, or admins of this workspace)" in text
        assert "<@U0MARKETER>" in text


# -- modals: the store decides, not private_metadata ---------------------------------------


def test_a_tampered_modal_cannot_act_on_another_channels_conversation(h):
    """The modal was opened for a #C0K8S card; its metadata is changed to name an open
    conversation in #C0BILL, a channel the submitter is not in."""
    h.fake.members["C0BILL"] = ["U0SME1", "U0MARKETER"]
    cid = seed_conversation(h, topic="billing", link="https://forum.example.com/t/bill")
    forged = {"conversation_id": cid, "channel": "C0K8S"}
    _submit(h, "sme", "reply_submit", _reply_values(), forged)
    assert h.store.conversation(cid).state == "new"
    # Not told in the forged channel: Slack shows no ephemeral in #C0BILL to a non-member,
    # so the refusal comes as a direct message.
    assert h.fake.last("chat.postEphemeral").args["channel"] == "C0BILL"
    told = h.fake.last("chat.postMessage").args
    assert told["channel"] == "U0SME2" and "<#C0BILL>, which you are not in" in told["text"]
    assert h.store.draft(cid, "U0SME2") == ""  # not even the draft is kept

    view = {
        "id": "V0X",
        "type": "modal",
        "callback_id": "reply_submit",
        "private_metadata": json.dumps(forged),
        "state": {"values": slackreq.text_inputs({"draft": {"value": "<!channel> buy now"}})},
        "hash": "1.a",
    }
    posted = len(h.fake.calls("chat.postMessage"))
    h.dispatch(slackreq.block_action(SECRET, SHARE_DRAFT, str(cid), view=view, user_id="U0SME2"))
    assert len(h.fake.calls("chat.postMessage")) == posted  # nothing in its thread

    # A member of #C0BILL may reply to the same open conversation.
    _submit(h, "owner", "reply_submit", _reply_values(), forged)
    assert h.store.conversation(cid).state == "replied"


def test_an_org_wide_install_trusts_admins_of_its_org_only(h):
    """Installed on a whole Enterprise Grid org: an admin of any of its workspaces is an
    admin; an admin of another org is not, whatever team the request names."""
    h.fake.enterprise_id, h.fake.enterprise_install = "E0GRID", True
    authz = h.services.authz
    assert authz.is_admin(Actor("U0GRIDADM", GRID_TEAM_ID, "E0GRID"))
    assert not authz.is_admin(Actor("U0GRIDADM", GRID_TEAM_ID, "E0ELSEWHERE"))
    assert not authz.is_admin(Actor("U0OTHERADM", GRID_TEAM_ID, "E0GRID"))
    assert not authz.is_admin(Actor("U0WSADMIN", TEAM_ID))  # not a member of the org
    assert authz.is_admin(Actor("U0MARKETER", TEAM_ID))  # the config's admins always are


def test_a_workspace_install_inside_a_grid_trusts_that_workspace_only(h):
    h.fake.enterprise_id = "E0GRID"  # installed on T0HARK, one workspace of the org
    authz = h.services.authz
    assert authz.is_admin(Actor("U0WSADMIN", TEAM_ID, "E0GRID"))
    assert not authz.is_admin(Actor("U0GRIDADM", GRID_TEAM_ID, "E0GRID"))
