"""The layout's rules, read from the source with ``ast``: every module has its line in
docs/architecture.md, dependencies point one way, and no import cycles."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers")
DOC = ROOT / "docs" / "architecture.md"
MAX_LINES = 400

# The composition root builds everything, so it may import any layer.
COMPOSITION_ROOT = {"bot.app", "bot.wiring"}
# Wording every layer shares (counts with plurals, errors as sentences): they import nothing
# of Hark, so the pure builders may use them as they use bot/models.py.
SHARED_WORDING = ("bot.grammar", "bot.error_text")
# What the builders render, as plain data (bot/models.py holds the store's rows).
VIEW_DATA = ("bot.viewdata", "bot.answer")

# Modules that still break a rule, each with why. A new one fails its test; one that
# stops breaking it fails test_no_exception_is_stale (take it off the list).
DOMAIN_IMPORTS_BLOCKS: dict[str, str] = {}
BLOCKS_IMPORT_DOMAIN: dict[str, str] = {}
OVER_THE_SIZE_LIMIT: dict[str, str] = {
    "bot.store.schema": "the one ordered list of migrations reads best as one file",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


@cache
def imports_of(name: str) -> frozenset[str]:
    """Every module ``name`` imports, anywhere in the file (inside functions too);
    ``from package import module`` counts as importing the module, not the package."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            submodules = {f"{source}.{alias.name}" for alias in node.names} & set(modules())
            found.update(submodules)
            if len(submodules) < len(node.names):  # names defined in ``source`` itself
                found.add(source)
    return frozenset(found)


def within(imported: str, *prefixes: str) -> bool:
    return any(imported == p or imported.startswith(p + ".") for p in prefixes)


def test_the_tree_is_found():
    assert {"bot.app", "bot.wiring", "handlers", "bot.blocks.text"} <= set(modules())


def test_every_module_has_its_line_in_docs_architecture():
    named = set(re.findall(r"`((?:bot|handlers)/[\w/]+\.py)`", DOC.read_text()))
    paths = {str(path.relative_to(ROOT)) for path in modules().values()}
    assert sorted(paths - named) == [], "modules missing from docs/architecture.md"
    assert sorted(named - paths) == [], "docs/architecture.md names modules that do not exist"


def test_no_import_cycles():
    graph = {name: {m for m in imports_of(name) if m in modules()} for name in modules()}
    done: set[str] = set()
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append(path[path.index(name) :] + [name])
            return
        if name in done:
            return
        for target in sorted(graph[name] - {name}):
            visit(target, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []


@pytest.mark.parametrize("name", sorted(n for n in modules() if within(n, "bot.parse")))
def test_parse_imports_nothing_of_fetch_store_or_slack(name):
    bad = [m for m in imports_of(name) if within(m, "bot.fetch", "bot.store", "slack_sdk")]
    assert bad == [], f"{name} is pure parsing: bytes in, posts out"


@pytest.mark.parametrize("name", sorted(n for n in modules() if within(n, "bot.blocks")))
def test_blocks_import_only_blocks_and_models(name):
    if name in BLOCKS_IMPORT_DOMAIN:
        pytest.skip(BLOCKS_IMPORT_DOMAIN[name])
    bad = [
        m
        for m in imports_of(name)
        if within(m, "bot", "handlers", "slack_sdk", "slack_bolt")
        and not within(m, "bot.blocks", "bot.models", *VIEW_DATA, *SHARED_WORDING)
        and m != "bot"
    ]
    assert bad == [], f"{name} must be a pure function of data (bot/models.py)"


@pytest.mark.parametrize("name", SHARED_WORDING)
def test_shared_wording_imports_nothing_of_hark(name):
    assert [m for m in imports_of(name) if within(m, "bot", "handlers")] == []


def domain_modules() -> list[str]:
    return sorted(
        n
        for n in modules()
        if within(n, "bot") and not within(n, "bot.blocks") and n not in COMPOSITION_ROOT
    )


@pytest.mark.parametrize("name", domain_modules())
def test_domain_code_never_imports_blocks(name):
    if name in DOMAIN_IMPORTS_BLOCKS:
        pytest.skip(DOMAIN_IMPORTS_BLOCKS[name])
    bad = [m for m in imports_of(name) if within(m, "bot.blocks")]
    assert bad == [], f"{name} returns data; handlers render it with bot/blocks/"


def test_no_exception_is_stale():
    def imports_domain(name: str) -> bool:
        return any(
            within(m, "bot")
            and not within(m, "bot.blocks", "bot.models", *VIEW_DATA, *SHARED_WORDING)
            and m != "bot"
            for m in imports_of(name)
        )

    stale = [
        name
        for name in DOMAIN_IMPORTS_BLOCKS
        if name not in modules() or not any(within(m, "bot.blocks") for m in imports_of(name))
    ]
    stale += [n for n in BLOCKS_IMPORT_DOMAIN if n not in modules() or not imports_domain(n)]
    stale += [
        n
        for n in OVER_THE_SIZE_LIMIT
        if n not in modules() or len(modules()[n].read_text().splitlines()) <= MAX_LINES
    ]
    assert stale == []


@pytest.mark.parametrize("name", sorted(n for n in modules() if within(n, "handlers")))
def test_handlers_reach_no_store_and_no_sql(name):
    bad = [m for m in imports_of(name) if within(m, "bot.store", "sqlite3")]
    assert bad == [], f"{name} is a listener: ack, read the payload, call bot/, render"


def test_only_handlers_import_slack_bolt():
    allowed = {
        "bot.app",
        "bot.ops.lifecycle",
        "bot.ops.slack_http",
        "bot.ops.socket_mode",
        "bot.ops.web",
    }
    bad = sorted(
        n
        for n in modules()
        if within(n, "bot")
        and n not in allowed
        and any(within(m, "slack_bolt") for m in imports_of(n))
    )
    assert bad == []


BLOCK_KIT_TYPES = {
    "actions",
    "button",
    "context",
    "divider",
    "header",
    "home",
    "input",
    "modal",
    "mrkdwn",
    "plain_text",
    "section",
}


@pytest.mark.parametrize("name", sorted(n for n in modules() if not within(n, "bot.blocks")))
def test_block_kit_is_built_only_in_blocks(name):
    tree = ast.parse(modules()[name].read_text())
    built = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and any(
            isinstance(k, ast.Constant)
            and k.value == "type"
            and isinstance(v, ast.Constant)
            and v.value in BLOCK_KIT_TYPES
            for k, v in zip(node.keys, node.values, strict=True)
        )
    ]
    assert built == [], f"{name} builds Block Kit on lines {built}: that is bot/blocks/' job"


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_the_size_limit(name):
    if name in OVER_THE_SIZE_LIMIT:
        pytest.skip(OVER_THE_SIZE_LIMIT[name])
    lines = len(modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: a module that long is usually two"
