"""The whole check path on loopback: fetch, extract, compare and store every post of a replica.

A generated replica of the ECCI site (`tests.servers.replica`) with 10,000 Arabic posts runs in
its own process on 127.0.0.1, so its work is not charged to the checker; politeness delays are
off (`min_delay = "0s"`). Three passes of `marsad check` over every post's permalink, each in a
fresh process so that CPU time and peak memory are its own:

1. first fetch: every post is new (200, extract, new version);
2. re-check, nothing changed: the server answers 304 to the stored ETag/Last-Modified;
3. re-check without validators (`set_validators(False)`): 200 with the same content, which
   is extracted and found unchanged.

Each pass is timed in `SLICES` equal slices of pages; the figures are the median slice and the
re-check ratio is the median of the per-slice ratios (same pages, same run). Goals (issue 9):
≥ 200 pages/s, peak memory < 300 MB, re-check ≥ 3× faster than first fetch.

The URL list is handed to the check command as URLs (the Python API under `marsad check URL…`);
discovery will find the same list from the sitemaps once it is wired into `check`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.measure import cpu_seconds, goal, median, peak_rss_mb

REPO = Path(__file__).resolve().parents[1]
POSTS = {"smoke": 20, "full": 10_000, "issue": 10_000}
SLICES = 5
GOAL_PAGES_PER_S = 200.0
GOAL_PEAK_MB = 300.0
GOAL_RECHECK = 3.0
PASSES = (
    ("first", "first fetch (200, new version)"),
    ("not_modified", "re-check, unchanged (304)"),
    ("same_content", "re-check without validators (200, same content)"),
)
# Long enough for the replica to build and a pass to finish on a slow machine; a stuck pass
# is reported as failed rather than hanging `make bench`.
PASS_TIMEOUT = 1800


# ---- the replica in its own process ----------------------------------------------------------


def serve(posts: int, urls_file: Path) -> None:
    """Serve a replica until stdin closes; `validators on|off` lines switch ETag/Last-Modified."""
    from tests.servers.replica import ReplicaServer, ReplicaSite

    server = ReplicaServer(ReplicaSite(extra_posts=posts)).start()
    site = server.site
    urls_file.write_text("\n".join(site.permalink(p) for p in site.published()), encoding="utf-8")
    print(server.base_url, flush=True)
    for line in sys.stdin:
        command = line.split()
        if command[:1] == ["validators"]:
            site.set_validators(command[1] == "on")
        server.clear_requests()  # the request log would otherwise grow with every pass
        print("ok", flush=True)
    server.stop()


# ---- one pass of `marsad check` in its own process -------------------------------------------


def check_pass(config_path: Path, db_path: Path, urls_file: Path) -> dict[str, Any]:
    from schedules.config import load_config, with_targets
    from schedules.jobs import check_all, make_fetcher, prepare
    from store.schema import connect

    urls = urls_file.read_text(encoding="utf-8").split()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    config = with_targets(load_config(config_path), urls)
    db = connect(db_path)
    pages = prepare(db, config)
    prepared = time.perf_counter() - started
    fetcher = make_fetcher(config)
    size = max(1, len(pages) // SLICES)
    marks = [(time.perf_counter(), cpu_seconds())]

    def on_done(_: object) -> None:
        done = len(outcomes_seen)
        outcomes_seen.append(1)
        if (done + 1) % size == 0:
            marks.append((time.perf_counter(), cpu_seconds()))

    outcomes_seen: list[int] = []
    try:
        outcomes = check_all(db, fetcher, pages, on_done=on_done)
    finally:
        fetcher.close()
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    db.conn.close()
    slices = [
        {"pages": size, "seconds": b[0] - a[0], "cpu": b[1] - a[1]}
        for a, b in zip(marks, marks[1:])
    ][:SLICES]
    return {
        "pages": len(pages),
        "outcomes": dict(Counter(o.outcome for o in outcomes)),
        "wall_s": round(wall, 2),
        "prepare_s": round(prepared, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "slices": slices,
    }


# ---- the benchmark ---------------------------------------------------------------------------


def _summary(result: dict[str, Any], db_mb: float) -> dict[str, Any]:
    slices = result["slices"]
    return {
        "pages_per_s": round(median([s["pages"] / s["seconds"] for s in slices]), 1),
        "cpu_ms_per_page": round(1000 * median([s["cpu"] / s["pages"] for s in slices]), 2),
        "whole_pass_pages_per_s": round(result["pages"] / result["wall_s"], 1),
        "peak_rss_mb": result["peak_rss_mb"],
        "db_mb": round(db_mb, 1),
        "outcomes": result["outcomes"],
    }


def _worker(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_check", *args],
        cwd=REPO, capture_output=True, text=True, timeout=PASS_TIMEOUT,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"check pass failed: {tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _db_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def run(scale: str = "full") -> dict[str, Any]:
    posts = POSTS[scale]
    with tempfile.TemporaryDirectory(prefix="marsad-bench-check-") as tmp:
        work = Path(tmp)
        urls_file, db_path, config = work / "urls.txt", work / "marsad.db", work / "watch.toml"
        # Delays off for loopback; no unconditional GET during the benchmark's passes.
        config.write_text('[defaults]\nmin_delay = "0s"\nfull_fetch_every = 1000\n')
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_check", "serve", "--posts", str(posts),
             "--urls", str(urls_file)],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert server.stdin is not None and server.stdout is not None
        try:
            server.stdout.readline()  # the base URL: the replica is listening
            raw: dict[str, dict[str, Any]] = {}
            summaries: dict[str, dict[str, Any]] = {}
            for name, _ in PASSES:
                if name == "same_content":
                    server.stdin.write("validators off\n")
                else:
                    server.stdin.write("keep\n")
                server.stdin.flush()
                server.stdout.readline()
                raw[name] = _worker(["check", "--config", str(config), "--db", str(db_path),
                                     "--urls", str(urls_file)])
                summaries[name] = _summary(raw[name], _db_mb(db_path))
        finally:
            server.stdin.close()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    return _report(posts, raw, summaries, scale)


def _ratio(first: dict[str, Any], other: dict[str, Any]) -> float:
    """Median over slices of first-fetch time / re-check time for the same pages."""
    pairs = zip(first["slices"], other["slices"])
    return round(median([a["seconds"] / b["seconds"] for a, b in pairs]), 2)


def _report(posts: int, raw: dict[str, Any], summaries: dict[str, Any], scale: str) -> dict[str, Any]:
    first = summaries["first"]
    ratios = {name: _ratio(raw["first"], raw[name]) for name, _ in PASSES[1:]}
    peak = max(s["peak_rss_mb"] for s in summaries.values())
    columns = ["pages_per_s", "cpu_ms_per_page", "whole_pass_pages_per_s", "peak_rss_mb", "db_mb"]
    rows = []
    for name, label in PASSES:
        s = summaries[name]
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(s["outcomes"].items()))
        ratio = f"{ratios[name]}×" if name in ratios else "1×"
        rows.append([label, *[s[c] for c in columns], ratio, outcomes])
    pages = raw["first"]["pages"]
    return {
        "title": f"The check path on loopback: {pages:,} replica posts",
        "tables": [{
            "title": f"Median of {SLICES} slices of {pages // SLICES:,} pages per pass",
            "columns": ["pass", "pages/s", "CPU ms/page", "whole pass pages/s", "peak RSS MB",
                        "DB MB after", "first fetch ÷ this", "outcomes"],
            "rows": rows,
        }],
        "goals": [
            goal(f"first fetch ≥ {GOAL_PAGES_PER_S:.0f} pages/s", f"{first['pages_per_s']} pages/s",
                 first["pages_per_s"] >= GOAL_PAGES_PER_S),
            goal(f"peak memory < {GOAL_PEAK_MB:.0f} MB", f"{peak} MB", peak < GOAL_PEAK_MB),
            goal(f"re-check (304) ≥ {GOAL_RECHECK:.0f}× faster than first fetch",
                 f"{ratios['not_modified']}×", ratios["not_modified"] >= GOAL_RECHECK),
            goal(f"re-check (200, same content) ≥ {GOAL_RECHECK:.0f}× faster than first fetch",
                 f"{ratios['same_content']}×", ratios["same_content"] >= GOAL_RECHECK),
        ],
        "figures": {"posts": posts, "passes": summaries, "raw": raw, "ratios": ratios},
        "notes": [
            "Each pass is `prepare` + `check_all` (what `marsad check URL…` runs) in a fresh"
            " process; pages/s and CPU are per slice of `check_all`, the whole-pass figure"
            " includes start-up work (`prepare`: page rows for every URL).",
            "The replica serves from a second process on the other core; both share the machine.",
        ],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Parts of the check-path benchmark.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--posts", type=int, required=True)
    s.add_argument("--urls", type=Path, required=True)
    c = sub.add_parser("check")
    c.add_argument("--config", type=Path, required=True)
    c.add_argument("--db", type=Path, required=True)
    c.add_argument("--urls", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.posts, args.urls)
    else:
        print(json.dumps(check_pass(args.config, args.db, args.urls)))


if __name__ == "__main__":
    main()
