"""Benchmark: discover a 10,000-post replica on loopback, politeness delays off.

Not a test. Run `.venv/bin/python -m bench.bench_discovery [--posts N] [--check N]`: it prints a
Markdown table of pages per second and peak memory (`resource.getrusage` max RSS). The target is
watched `sitewide` with `max_pages` above the site's size, so the sitemaps' 10,000 posts all
enter the frontier; then a sample of them is checked to show the checking rate beside it.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from schedules.config import load_config
from schedules.discovery import check_discovered, discover
from schedules.jobs import make_fetcher, prepare
from store.schema import connect
from tests.servers.replica import ReplicaServer, ReplicaSite

REPO = Path(__file__).resolve().parents[1]
SEED = "000_3b1ee1feec353f5c.txt"


def _peak_mb() -> float:
    # ru_maxrss is kilobytes on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(
    scale: str = "full", posts: int | None = None, check: int | None = None
) -> dict[str, float]:
    """Discover a replica of `posts` posts, then check `check` of the discovered pages."""
    smoke = scale == "smoke"
    posts = posts or (200 if smoke else 10_000)
    check = check or (20 if smoke else 500)
    started_mb = _peak_mb()
    build = time.perf_counter()
    site = ReplicaSite(extra_posts=posts)
    build_s = time.perf_counter() - build
    with tempfile.TemporaryDirectory() as folder, ReplicaServer(site) as server:
        root = Path(folder)
        shutil.copy(REPO / "seeds" / SEED, root / SEED)
        (root / "watch.toml").write_text(
            '[defaults]\nmin_delay = "0s"\njitter = "0s"\n\n'
            f'[[targets]]\nurl = "{server.base_url}/?p=95655"\nseed = "{SEED}"\n\n'
            f"[targets.discovery]\nsitewide = true\nmax_pages = {posts + 100}\n",
            encoding="utf-8",
        )
        config = load_config(root / "watch.toml")
        db = connect(root / "marsad.db")
        prepare(db, config)
        fetcher = make_fetcher(config)
        target = config.targets[0]
        try:
            before_mb = _peak_mb()
            t = time.perf_counter()
            report = discover(db, fetcher, config, target, check_target=True)
            discover_s = time.perf_counter() - t
            discover_mb = _peak_mb()
            t = time.perf_counter()
            checked = check_discovered(db, fetcher, config, target, limit=check)
            check_s = time.perf_counter() - t
        finally:
            fetcher.close()
        found = db.execute("SELECT count(*) FROM pages WHERE reason != 'target'").fetchone()[0]
    return {
        "posts": posts,
        "site_build_s": round(build_s, 2),
        "discovered": found,
        "sources_read": report.sources_read,
        "discover_s": round(discover_s, 2),
        "discovered_per_s": round(found / discover_s, 1),
        "checked": len(checked),
        "check_s": round(check_s, 2),
        "checked_per_s": round(len(checked) / check_s, 1) if check_s else 0.0,
        "peak_rss_mb_start": round(started_mb, 1),
        "peak_rss_mb_before_discovery": round(before_mb, 1),
        "peak_rss_mb_after_discovery": round(discover_mb, 1),
        "peak_rss_mb_end": round(_peak_mb(), 1),
    }


def table(result: dict[str, float]) -> str:
    rows = ["| measure | value |", "|---|---|"]
    rows += [f"| {name} | {value} |" for name, value in result.items()]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--check", type=int, default=500, help="discovered pages to check")
    args = parser.parse_args(argv)
    print(table(run(posts=args.posts, check=args.check)))


if __name__ == "__main__":
    main()
