"""Migrations never call today's code: an old step must mean what it meant when it shipped,
however `crawler.urls.url_key`, `crawler.arabic.match_key`, `store.neardup`, `store.texts` or
`store.fts` change later (issue #17). What they need is frozen in `store/migrations/`."""

from __future__ import annotations

import ast
from pathlib import Path

from crawler.arabic import match_key
from crawler.urls import url_key
from store.migrations import frozen_arabic, frozen_urls

MIGRATIONS = Path(__file__).resolve().parents[1] / "store" / "migrations"


def test_the_migration_package_imports_only_its_own_frozen_copies() -> None:
    for path in sorted(MIGRATIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                ours = name.split(".")[0] in ("crawler", "store", "schedules")
                assert not ours or name.startswith("store.migrations"), (
                    f"{path.name} imports {name}: a migration must use a frozen copy"
                )


def test_the_frozen_keys_agree_with_todays_on_ordinary_urls_and_text() -> None:
    """Not a rule (they may part later); a check that the copies were taken whole."""
    for url in ("https://www.europarabct.com/%D9%82%D8%B1%D8%A7%D8%A1%D8%A9/?utm_source=x",
                "http://europarabct.com/?p=95655#comments"):  # fmt: skip
        assert frozen_urls.url_key(url) == url_key(url)
    text = "قالَ مُحمّدٌ: إنّ الأمنَ الجماعيَّ مهمةٌ أساسيةٌ"
    assert frozen_arabic.match_key(text) == match_key(text)
