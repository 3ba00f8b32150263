"""Seed documents: the article text we were given, loaded into the `seeds` table.

A seed file's last line is the article's short link ("رابط مختصر.. https://…"), not text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

_SHORTLINK_LINE = re.compile(r"^\s*(?:[^\s]+\s*\.*\s*)?(https?://\S+)\s*$")


@dataclass(frozen=True)
class SeedDocument:
    name: str
    url: str | None
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def read_seed(path: Path) -> SeedDocument:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    url = None
    if lines and (match := _SHORTLINK_LINE.match(lines[-1])) and len(lines[-1]) < 200:
        url = match.group(1)
        lines = lines[:-1]
    return SeedDocument(name=path.name, url=url, paragraphs=tuple(lines))


def sync_seeds(db: sqlite_utils.Database, names: list[str], seeds_dir: Path, now: str) -> None:
    """Put the named seed files into the database so they show in Datasette before any fetch."""
    with db.conn:
        for name in names:
            seed = read_seed(seeds_dir / name)
            db["seeds"].upsert(
                {"name": seed.name, "url": seed.url, "text": seed.text, "loaded_at": now}, pk="name"
            )
