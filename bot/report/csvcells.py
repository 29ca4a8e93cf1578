"""CSV cells a spreadsheet will not run: the one guard every CSV Hark writes goes through."""

from __future__ import annotations

# Excel, LibreOffice and Google Sheets read a cell that starts with one of these as a
# formula (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM(…)``; tab and CR are read past).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guarded(cell: str) -> str:
    """The cell as text a spreadsheet shows but never evaluates: a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def unguarded(cell: str) -> str:
    """Undo :func:`guarded` (for a CSV Hark wrote coming back in)."""
    if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_START:
        return cell[1:]
    return cell
