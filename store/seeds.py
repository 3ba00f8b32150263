"""Seed documents into the `seeds` table, so they show in Datasette before any fetch.

Reading a seed file (and stripping its trailing short-link line) is `store.seedmatch.load_seed`:
one loader for the table, the similarity and the alignment alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import sqlite_utils

from store.schema import transaction
from store.seedmatch import Seed, load_seed


def seed_path(seeds_dir: Path, name: str) -> Path:
    """The file a config's `seed = name` means: inside `seeds_dir` only, after resolving `..`
    and symlinks, so a watch list cannot load /etc/passwd into a table Datasette shows.
    Raises ValueError naming what is wrong."""
    folder = Path(seeds_dir).resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        raise ValueError(f"must name a file inside the seed folder {folder}, got `{name}`")
    if not path.is_file():
        raise ValueError(f"names no file in {folder}: `{name}`")
    return path


def sync_seeds(
    db: sqlite_utils.Database, names: Iterable[str], seeds_dir: Path, now: str
) -> dict[str, Seed]:
    """Load the named seed files into the database; returns them by name for the checks.

    `text` is the seed's paragraphs one per line, as `store.seedmatch.parse_seed` reads it back.
    """
    # named as the config names it (pages.seed refers to it), even a path under seeds/
    seeds = {name: replace(load_seed(seed_path(seeds_dir, name)), name=name) for name in names}
    with transaction(db):
        for seed in seeds.values():
            db.execute(
                "INSERT INTO seeds (name, url, text, loaded_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET url = excluded.url, text = excluded.text,"
                " loaded_at = excluded.loaded_at",
                [seed.name, seed.url, seed.text, now],
            )
    return seeds
