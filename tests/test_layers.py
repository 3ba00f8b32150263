"""What each package never does (docs/architecture.md): SQL lives in `store/` (issue 17), so the
schema can change, or the daemon run on another store, without touching `schedules/`; HTML is
parsed in `crawler/` alone; `crawler/` never reaches SQLite."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|"
    r"ROLLBACK|SAVEPOINT|WITH\s+\w+\s+AS)\s",
)  # upper case, as all of marsad's SQL is written: "Select a page" is prose
# What runs a statement on a sqlite3 connection or a sqlite_utils.Database.
RUNNERS = {"execute", "executemany", "executescript", "query"}


def sql_in(source: str) -> list[str]:
    """Each place `source` holds an SQL statement or runs one, as `line: what`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
            found.append(f"{node.lineno}: {node.value.strip()[:40]!r}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNNERS
        ):
            found.append(f"{node.lineno}: .{node.func.attr}(...)")
    return found


def test_schedules_holds_no_sql():
    found = {
        str(path.relative_to(ROOT)): hits
        for path in sorted((ROOT / "schedules").rglob("*.py"))
        if (hits := sql_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "SQL outside store/; give it a named function in store/: " + repr(found)


def test_the_check_finds_a_statement_and_a_runner():
    # The rule above must be able to fail: both shapes of SQL are caught, prose is not.
    source = (
        'db.execute("SELECT count(*) FROM pages")\n'
        'sql = """\n    UPDATE pages SET x = 1"""\n'
        'note = "Select a page to watch"\n'
    )
    assert sorted(hit.split(":")[0] for hit in sql_in(source)) == ["1", "1", "2"]


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def breaking(package: str, forbidden: set[str]) -> dict[str, set[str]]:
    return {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / package).rglob("*.py"))
        if (found := imports_of(path) & forbidden)
    }


HTML_PARSERS = {"selectolax", "lxml", "bs4", "html5lib"}


def test_html_is_parsed_in_crawler_alone():
    assert breaking("schedules", HTML_PARSERS) == {}
    assert breaking("store", HTML_PARSERS) == {}


def test_crawler_never_reaches_sqlite_nor_the_store():
    assert breaking("crawler", {"sqlite3", "sqlite_utils", "store", "schedules"}) == {}
