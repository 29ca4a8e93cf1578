"""Block Kit as a person reads it: each surface rendered to plain text for the golden files.

Not Slack's renderer: a faithful, readable transcript of what each block shows (headers,
sections, fields, context lines, buttons, inputs and their options) so a wording change is
a one-line diff in review.
"""

from __future__ import annotations

from typing import Any


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def _element(e: dict[str, Any]) -> str:
    kind = e.get("type")
    if kind == "button":
        style = f" ({e['style']})" if e.get("style") else ""
        url = f" -> {e['url']}" if e.get("url") else ""
        confirm = ""
        if e.get("confirm"):  # the dialog Slack shows before the click counts
            c = e["confirm"]
            confirm = (
                f" {{asks: {_text(c.get('title'))} — {_text(c.get('text'))} "
                f"[{_text(c.get('deny'))}] [{_text(c.get('confirm'))}]}}"
            )
        return f"[{_text(e.get('text'))}]{style}{url}{confirm}"
    if kind in ("overflow", "static_select", "multi_static_select", "radio_buttons",
                "checkboxes"):  # fmt: skip
        options = " | ".join(_text(o.get("text")) for o in e.get("options", []))
        placeholder = _text(e.get("placeholder"))
        label = f"{placeholder}: " if placeholder else ""
        return f"<{kind}: {label}{options}>"
    if kind in ("plain_text_input", "url_text_input", "number_input", "email_text_input"):
        initial = e.get("initial_value")
        shown = f" = {initial!r}" if initial else ""
        placeholder = _text(e.get("placeholder"))
        return f"<{kind}{': ' + placeholder if placeholder else ''}{shown}>"
    if kind in ("users_select", "conversations_select", "channels_select",
                "multi_users_select", "multi_conversations_select"):  # fmt: skip
        return f"<{kind}: {_text(e.get('placeholder'))}>"
    if kind == "image":
        return f"[image: {e.get('alt_text', '')}]"
    if kind in ("mrkdwn", "plain_text"):
        return _text(e)
    return f"<{kind}>"


def render_blocks(blocks: list[dict[str, Any]]) -> list[str]:
    """Each block as the lines a person reads."""
    lines: list[str] = []
    for b in blocks or []:
        kind = b.get("type")
        if kind == "header":
            lines.append(f"# {_text(b.get('text'))}")
        elif kind == "section":
            if b.get("text"):
                lines.append(_text(b["text"]))
            for f in b.get("fields", []):
                lines.append("  | " + _text(f).replace("\n", "\n  | "))
            if b.get("accessory"):
                lines.append("  " + _element(b["accessory"]))
        elif kind == "context":
            lines.append("  ~ " + "  ".join(_element(e) for e in b.get("elements", [])))
        elif kind == "actions":
            lines.append("  " + "  ".join(_element(e) for e in b.get("elements", [])))
        elif kind == "divider":
            lines.append("---")
        elif kind == "input":
            optional = " (optional)" if b.get("optional") else ""
            hint = f"\n    hint: {_text(b['hint'])}" if b.get("hint") else ""
            lines.append(
                f"{_text(b.get('label'))}{optional}: {_element(b.get('element', {}))}{hint}"
            )
        elif kind == "image":
            lines.append(f"[image: {b.get('alt_text', '')}]")
        elif kind == "rich_text":
            lines.append("<rich_text>")
        else:
            lines.append(f"<{kind}>")
    return lines


def render_view(view: dict[str, Any]) -> list[str]:
    """A modal or the App Home: its title, blocks and buttons."""
    lines = []
    if view.get("title"):
        lines.append(f"## {_text(view['title'])} ({view.get('type')})")
    lines += render_blocks(view.get("blocks", []))
    buttons = [f"[{_text(view[k])}]" for k in ("close", "submit") if view.get(k)]
    if buttons:
        lines.append("  " + "  ".join(buttons))
    return lines


def render_message(args: dict[str, Any]) -> list[str]:
    """A message (posted, ephemeral, updated or a command's answer): blocks, else its text;
    the notification text below when it says something the blocks do not."""
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        import json

        blocks = json.loads(blocks)
    if blocks:
        lines = render_blocks(blocks)
        text = args.get("text")
        if text and text not in "\n".join(lines):
            lines.append(f"  (notification: {text})")
        return lines
    return [str(args.get("text", ""))]
