"""A replica site on a clock the test moves, a watch list for it, and the database: what every
discovery test starts from. The site and marsad read one clock, so "modified after our last
check" means the same moment to both."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from crawler.fetch import Fetcher
from crawler.urls import url_key
from schedules.config import Config, Target, load_config
from schedules.jobs import make_fetcher, prepare
from store.schema import connect
from tests.servers.replica import ReplicaServer

REPO = Path(__file__).resolve().parents[1]
SEED = "000_3b1ee1feec353f5c.txt"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Watch:
    server: ReplicaServer
    clock: Clock
    config: Config
    db: sqlite_utils.Database
    fetcher: Fetcher

    @property
    def target(self) -> Target:
        return self.config.targets[0]

    def pages(self, where: str = "reason != 'target'") -> list[dict]:
        return list(self.db.query(f"SELECT * FROM pages WHERE {where} ORDER BY id"))

    def keys(self, where: str = "reason != 'target'") -> set[str]:
        """Discovered pages as host-less keys, comparable across two replicas."""
        return {p["url_key"].split("/", 1)[1] for p in self.pages(where)}

    def key_of(self, post_id: int) -> str:
        return url_key(self.server.site.permalink(post_id))

    def page_of(self, post_id: int) -> dict | None:
        rows = self.pages(f"url_key = '{self.key_of(post_id)}'")
        return rows[0] if rows else None


def watch(
    tmp_path: Path,
    server: ReplicaServer,
    *,
    discovery: str = "",
    clock: Clock | None = None,
    name: str = "marsad",
) -> Watch:
    """Config, database and fetcher for the replica's seed article with `discovery` settings."""
    clock = clock or Clock()
    server.site.clock = clock
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(REPO / "seeds" / SEED, folder / SEED)
    (folder / "watch.toml").write_text(
        '[defaults]\nmin_delay = "0s"\njitter = "0s"\nevery = "6h"\nmin_interval = "15m"\n\n'
        f'[[targets]]\nurl = "{server.base_url}/?p=95655"\nseed = "{SEED}"\n\n'
        f"[targets.discovery]\n{discovery}\n",
        encoding="utf-8",
    )
    config = load_config(folder / "watch.toml")
    db = connect(folder / "marsad.db")
    prepare(db, config)
    return Watch(server, clock, config, db, make_fetcher(config))
