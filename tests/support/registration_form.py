"""The /register modal as a person fills it in: open it, type into fields, submit it.

`form_state` builds `view.state.values` the way Slack sends it, so the real submission
handler reads it; `VALID` is a form with every account kind filled in.
"""

from __future__ import annotations

from typing import Any

from tests.support.blockkit import validate_view

VALID = {
    "x": "https://twitter.com/Sam_Expert",
    "linkedin": "linkedin.com/in/Sam-Expert",
    "mastodon": "https://Hachyderm.io/@sam",
    "bluesky": "@sam",
    "github": "https://github.com/SamE/",
    "reddit": "/u/sam_e",
    "stackoverflow": "https://stackoverflow.com/users/42/sam",
    "youtube": "https://www.youtube.com/@SamTalks",
    "blog": "https://sam.dev/feed.xml",
    "topics": ["kubernetes"],
    "tags": "postgres, SRE",
    "languages": "en, de",
    "department": "Platform",
    "pingable": True,
}


def open_register(h, user_id: str = "U0SME1") -> dict[str, Any]:
    """Run /register and return the modal Hark opened."""
    h.command("/register", "", user_id=user_id)
    view = h.fake.last("views.open").args["view"]
    assert validate_view(view) == []
    return view


def form_state(view: dict[str, Any], typed: dict[str, Any]) -> dict[str, Any]:
    """``view.state.values`` as Slack sends it: every input of the view, holding its
    prefilled value unless ``typed`` changes it (None or "" empties a field)."""
    values: dict[str, Any] = {}
    prefilled = initial_values(view)
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        block_id, element = block["block_id"], block["element"]
        value = typed[block_id] if block_id in typed else prefilled.get(block_id)
        kind = element["type"]
        if kind == "multi_static_select":
            state = {"selected_options": [{"value": v} for v in value or []]}
        elif kind == "checkboxes":
            state = {"selected_options": [{"value": "yes"}] if value else []}
        elif value == "":
            state = {"value": None}  # Slack sends null for an emptied text input
        elif kind == "datepicker":
            state = {"selected_date": value}
        else:
            state = {"value": value}
        values[block_id] = {element["action_id"]: {"type": kind, **state}}
    return values


def submit_form(h, typed: dict[str, Any], user_id: str = "U0SME1"):
    view = open_register(h, user_id)
    metadata = view["private_metadata"]
    return h.submit("register", form_state(view, typed), user_id=user_id, metadata=metadata)


def initial_values(view: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element") or {}
        if "initial_value" in element:
            found[block["block_id"]] = element["initial_value"]
        elif "initial_options" in element:
            found[block["block_id"]] = [o["value"] for o in element["initial_options"]]
        elif "initial_date" in element:
            found[block["block_id"]] = element["initial_date"]
    return found
