"""The store boundary: SQL and sqlite3 stay in bot/store; rows leave it as bot/models types."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "bot" / "store"
# A string that reads as a statement: a keyword that starts one, then the word that goes
# with it (SELECT ... FROM, INSERT INTO, UPDATE ... SET, CREATE TABLE, ...).
SQL = re.compile(
    r"^\s*(SELECT\b.*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(UNIQUE\s+)?(TABLE|INDEX|TRIGGER)|ALTER\s+TABLE|DROP\s+TABLE|PRAGMA\s+\w+)",
    re.DOTALL,
)


def _outside_the_store() -> list[Path]:
    files = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]
    return sorted(p for p in files if STORE not in p.parents)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def test_no_module_outside_the_store_imports_sqlite3():
    found = []
    for path in _outside_the_store():
        for node in ast.walk(_tree(path)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "sqlite3" or n.startswith("sqlite3.") for n in names):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_no_sql_outside_the_store():
    found = []
    for path in _outside_the_store():
        for node in ast.walk(_tree(path)):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and SQL.match(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_sql_pattern_finds_statements():
    assert SQL.match("SELECT * FROM sources WHERE id = ?")
    assert SQL.match("\n  INSERT OR IGNORE INTO notices (key) VALUES (?)")
    assert SQL.match("UPDATE conversations SET state = ?")
    assert not SQL.match("Select a topic from the list")


def test_store_methods_return_models_not_rows():
    """Every public method of a store mixin is annotated, and none returns sqlite3.Row."""
    found = []
    for path in sorted(STORE.glob("*.py")):
        for cls in ast.walk(_tree(path)):
            if not (isinstance(cls, ast.ClassDef) and cls.name.endswith("Store")):
                continue
            for fn in cls.body:
                if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_"):
                    continue
                returns = ast.unparse(fn.returns) if fn.returns else "(none)"
                if cls.name == "StoreBase" and fn.name in ("one", "all", "conn", "db"):
                    continue  # the mixins' own means of reading
                if "sqlite3.Row" in returns or returns == "(none)":
                    found.append(f"{path.name}: {cls.name}.{fn.name} -> {returns}")
    assert found == []
